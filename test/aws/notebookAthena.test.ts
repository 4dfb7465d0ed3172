/**
 * The Lab notebook's AWS path: notebook cells run through the core cell runner (src/core/notebook/execute.ts, what
 * the editor's controller calls) on the AWS backend's Athena engine, against moto with preset results (moto never
 * runs SQL: each execution gets the next preset). Parameters go as execution parameters, never into the SQL text;
 * each output carries bytes scanned and the estimated cost; cancelling stops the execution.
 */
import * as assert from 'node:assert/strict';
import {
  AthenaClient, CreateWorkGroupCommand, GetQueryExecutionCommand, ListQueryExecutionsCommand,
} from '@aws-sdk/client-athena';
import { createBackend, type LabBackend } from '../../src/core/backend';
import { awsClientConfig } from '../../src/core/aws/clients';
import { AthenaEngine } from '../../src/core/aws/athena';
import { resolveLabConfig } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/log';
import { runSqlCell, summaryLine, toPlainText } from '../../src/core/notebook/execute';
import { LAB_TOP_N_PARAMS, labNotebook } from '../../src/core/notebook/labNotebook';
import { motoForSuite } from './motoServer';

/** An Athena answer as moto's preset: lower-case names, the header row first, values as text (NULL as no value). */
function preset(columns: Array<[string, string]>, rows: Array<Array<string | null>>) {
  return {
    column_info: columns.map(([name, type]) => ({ Name: name, Label: name, Type: type, Nullable: 'UNKNOWN', CaseSensitive: false })),
    rows: [{ Data: columns.map(([name]) => ({ VarCharValue: name })) }, ...rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) }))],
  };
}

suite('notebook cells on Athena (moto)', function () {
  this.timeout(120_000);
  const moto = motoForSuite();
  let backend: LabBackend;
  let client: AthenaClient;

  setup(async () => {
    const config = resolveLabConfig({ mode: 'aws', 'aws.endpoint': moto.endpoint, 'aws.athenaWorkgroup': 'lab-wg', 'aws.catalogDatabase': 'lab_db' }, '/');
    backend = createBackend(config, { readPassword: async () => undefined, modelDir: '/nonexistent', log: silentLogger });
    client = new AthenaClient(awsClientConfig(moto.settings()));
    await client.send(new CreateWorkGroupCommand({ Name: 'lab-wg', Configuration: { ResultConfiguration: { OutputLocation: 's3://results/athena/' } } }));
  });

  teardown(async () => {
    client?.destroy();
    await backend?.dispose();
  });

  async function presetResults(results: unknown[]): Promise<void> {
    const res = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST', body: JSON.stringify({ region: 'us-east-1', results }), headers: { 'content-type': 'application/json' },
    });
    assert.ok(res.ok, `preset: HTTP ${res.status}`);
  }

  test('the lab notebook\'s Top-N cell: parameters as execution parameters, values typed, bytes scanned and cost in the output', async () => {
    const topN = labNotebook().cells.find((c) => c.metadata?.question === 'topProducts')!;
    await presetResults([preset(
      [['productname', 'varchar'], ['productline', 'varchar'], ['totalsales', 'decimal'], ['quantity', 'bigint']],
      [['1992 Ferrari 360 Spider red', 'Classic Cars', '142345.67', '1200'], ['2001 Ferrari Enzo', 'Classic Cars', '98765.40', null]],
    )]);
    assert.equal(backend.query.kind, 'athena');
    const run = await runSqlCell(backend.query, topN.source, { ...LAB_TOP_N_PARAMS, unused: 'x' });
    assert.deepEqual(run.output.columns.map((c) => c.name), ['productName', 'productLine', 'totalSales', 'quantity'], 'the SQL\'s spelling, not Athena\'s lower case');
    assert.deepEqual(run.output.rows, [['1992 Ferrari 360 Spider red', 'Classic Cars', 142345.67, 1200], ['2001 Ferrari Enzo', 'Classic Cars', 98765.4, null]]);
    assert.equal(run.output.engine, 'athena');
    assert.deepEqual(run.output.params, LAB_TOP_N_PARAMS, 'only the parameters the cell uses');
    assert.equal(typeof run.output.stats.bytesScanned, 'number');
    assert.equal(typeof run.output.stats.costUsd, 'number');
    assert.match(summaryLine(run.output), /^2 rows · .* scanned · ~\$.* \(estimated\) · athena$/);
    assert.match(toPlainText(run.output), /2001 Ferrari Enzo\s+Classic Cars\s+98765\.4\s+NULL/);

    const ids = (await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'lab-wg' }))).QueryExecutionIds ?? [];
    assert.equal(ids.length, 1);
    const execution = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: ids[0] }))).QueryExecution!;
    assert.equal(execution.QueryExecutionContext?.Database, 'lab_db');
    assert.ok(execution.Query?.includes('?') && !execution.Query.includes('USA') && !execution.Query.includes(':country'), execution.Query);
    assert.ok(execution.ExecutionParameters?.includes("'USA'") && execution.ExecutionParameters.includes("'Classic Cars'"), JSON.stringify(execution.ExecutionParameters));
  });

  test('a parameter missing from the notebook is a readable error before anything reaches Athena', async () => {
    await assert.rejects(runSqlCell(backend.query, 'select * from dim_products where productLine = :line', {}),
      (e: unknown) => e instanceof LabError && /uses :line but no value was given/.test(e.message));
    assert.equal(((await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'lab-wg' }))).QueryExecutionIds ?? []).length, 0);
  });

  test('interrupting a cell stops its Athena execution (CANCELLED)', async () => {
    // moto answers SUCCEEDED at once: a long first poll lets the interrupt come before the engine looks.
    const config = resolveLabConfig({ 'aws.endpoint': moto.endpoint, 'aws.athenaWorkgroup': 'lab-wg' }, '/');
    const engine = new AthenaEngine(config.aws, config.athena, { poll: { firstMs: 30_000, growth: 1, maxMs: 30_000 } });
    try {
      const controller = new AbortController();
      const work = runSqlCell(engine, 'select count(*) from fact_orders', {}, controller.signal);
      work.catch(() => undefined);
      const deadline = Date.now() + 20_000;
      while (!(await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'lab-wg' }))).QueryExecutionIds?.length) {
        assert.ok(Date.now() < deadline, 'the execution started');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      controller.abort();
      await assert.rejects(work, (e: unknown) => e instanceof LabError && e.code === 'cancelled');
      const [id] = (await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'lab-wg' }))).QueryExecutionIds ?? [];
      assert.equal((await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status?.State, 'CANCELLED');
    } finally {
      await engine.close();
    }
  });
});
