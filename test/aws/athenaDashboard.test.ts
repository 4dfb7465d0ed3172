/**
 * The dashboard in AWS mode. Against moto: the named datasets come back from preset Athena results with the same
 * columns and values as local mode over the same lake (moto never runs SQL: each execution gets the next preset, made
 * here from the local engine's answer to the same query). With the SDK mocked: a FAILED execution is a clear error
 * for its own dataset while the others still render.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import {
  AthenaClient, CreateWorkGroupCommand, GetQueryExecutionCommand, GetQueryResultsCommand, ListQueryExecutionsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createBackend, type LabBackend } from '../../src/core/backend';
import { awsClientConfig } from '../../src/core/aws/clients';
import { AthenaEngine } from '../../src/core/aws/athena';
import { resolveLabConfig } from '../../src/core/config';
import type { DatasetRequest, DatasetResult } from '../../src/core/dashboard/model';
import { DashboardData } from '../../src/core/dashboard/service';
import { LabError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/log';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { RecordingEngine } from '../recordingEngine';
import { buildTestLake } from '../unit/dashboardLakeFixture';
import { athenaPreset, motoForSuite } from './motoServer';

/** The datasets whose queries run one after another (each card's query, after the lake-model probe). */
const DATASETS: DatasetRequest[] = [
  { id: 'kpis' },
  { id: 'salesByCountry' },
  { id: 'salesByProductLine' },
  { id: 'monthlySales' },
  { id: 'topProducts', filter: { startDate: '2003-01-01', endDate: '2004-12-31', country: "Côte d'Ivoire", productLine: '', n: 5 } },
  { id: 'topProducts', filter: { startDate: '2003-01-01', endDate: '2004-12-31', country: '', productLine: 'Classic Cars', n: 3 } },
  { id: 'products', query: { page: 0, search: 'ford', sortColumn: 'productName', descending: false } },
];

/** What the page renders from a dataset, without engine-specific stats and type names. */
function shape(result: DatasetResult) {
  return { id: result.id, columns: result.columns.map((c) => c.name), rows: result.rows, page: result.page };
}

suite('dashboard in AWS mode: Athena on moto', function () {
  this.timeout(120_000);
  const moto = motoForSuite();
  let lakeDir: string;

  suiteSetup(async () => {
    lakeDir = await buildTestLake();
  });

  suiteTeardown(async () => {
    if (lakeDir) await fs.rm(lakeDir, { recursive: true, force: true });
  });

  function awsBackend(): LabBackend {
    const config = resolveLabConfig({ mode: 'aws', 'aws.endpoint': moto.endpoint, 'aws.athenaWorkgroup': 'lab-wg', 'aws.catalogDatabase': 'lab_db' }, '/');
    return createBackend(config, { readPassword: async () => undefined, modelDir: '/nonexistent', log: silentLogger });
  }

  async function moto_(path: string, body: unknown): Promise<void> {
    const res = await fetch(`${moto.endpoint}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    assert.ok(res.ok, `${path}: HTTP ${res.status} ${await res.text()}`);
  }

  test('the named datasets render from preset results with the same shapes as local mode; stats on each card', async () => {
    // Local mode first: the same datasets over the fixture lake, each answer recorded.
    const recorder = new RecordingEngine(new DuckDbLakeEngine(lakeDir));
    const local = new DashboardData(recorder);
    const expected: DatasetResult[] = [];
    try {
      for (const request of DATASETS) expected.push(await local.dataset(request));
    } finally {
      await recorder.close();
    }
    assert.ok(expected.every((r) => r.rows.length > 0 || r.id === 'topProducts'), 'the fixture answers every card');

    const backend = awsBackend();
    const client = new AthenaClient(awsClientConfig(moto.settings()));
    try {
      assert.equal(backend.query.kind, 'athena');
      assert.ok(backend.query instanceof AthenaEngine);
      await client.send(new CreateWorkGroupCommand({ Name: 'lab-wg', Configuration: { ResultConfiguration: { OutputLocation: 's3://results/athena/' } } }));
      await moto_('/moto-api/static/athena/query-results', { region: 'us-east-1', results: recorder.answers.map(athenaPreset) });

      const aws = new DashboardData(backend.query);
      for (const [i, request] of DATASETS.entries()) {
        const result = await aws.dataset(request);
        assert.deepEqual(shape(result), shape(expected[i]), `${request.id} #${i}`);
        assert.equal(typeof result.bytesScanned, 'number', `${request.id}: bytes scanned on the card`);
        assert.equal(typeof result.costUsd, 'number', `${request.id}: estimated cost on the card`);
        assert.equal(typeof expected[i].bytesScanned, 'undefined', 'local mode has no scan cost');
      }

      // What moto saw: one execution per query, in the workgroup and database, parameters as execution parameters.
      const ids = (await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'lab-wg' }))).QueryExecutionIds ?? [];
      assert.equal(ids.length, recorder.answers.length);
      const executions = await Promise.all(ids.map(async (id) => (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!));
      assert.ok(executions.every((e) => e.QueryExecutionContext?.Database === 'lab_db' && e.Status?.State === 'SUCCEEDED'));
      const topProducts = executions.find((e) => e.ExecutionParameters?.includes("'Côte d''Ivoire'"));
      assert.ok(topProducts, 'the country filter went as an execution parameter');
      assert.ok(!topProducts.Query?.includes('Ivoire') && topProducts.Query?.includes('?'), 'and never into the SQL text');
    } finally {
      client.destroy();
      await backend.dispose();
    }
  });

  test('cancelling a running query stops its execution (CANCELLED on moto)', async () => {
    // moto (5.1) answers SUCCEEDED from the start and has no pacing for Athena: a long first poll interval lets the
    // abort come before the engine would see the result.
    const config = resolveLabConfig({ 'aws.endpoint': moto.endpoint, 'aws.athenaWorkgroup': 'lab-wg' }, '/');
    const engine = new AthenaEngine(config.aws, config.athena, { poll: { firstMs: 30_000, growth: 1, maxMs: 30_000 } });
    const client = new AthenaClient(awsClientConfig(moto.settings()));
    try {
      await client.send(new CreateWorkGroupCommand({ Name: 'lab-wg', Configuration: { ResultConfiguration: { OutputLocation: 's3://results/athena/' } } }));
      const controller = new AbortController();
      const work = engine.query('select count(*) from fact_orders', {}, controller.signal);
      work.catch(() => undefined);
      const started = Date.now();
      while (!(await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'lab-wg' }))).QueryExecutionIds?.length) {
        assert.ok(Date.now() - started < 20_000, 'the execution started');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      controller.abort();
      await assert.rejects(work, (e: unknown) => e instanceof LabError && e.code === 'cancelled');
      const ids = (await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'lab-wg' }))).QueryExecutionIds ?? [];
      assert.equal(ids.length, 1);
      const state = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: ids[0] }))).QueryExecution?.Status?.State;
      assert.equal(state, 'CANCELLED');
    } finally {
      client.destroy();
      await engine.close();
    }
  });
});

suite('dashboard in AWS mode: one FAILED query (SDK mocked)', () => {
  // Mocked only while this suite runs: mockClient stubs every AthenaClient in the process.
  let athena: AwsClientStub<AthenaClient>;
  suiteSetup(() => { athena = mockClient(AthenaClient); });
  suiteTeardown(() => athena.restore());

  test('a FAILED execution is a clear error for its dataset; the other datasets still render', async () => {
    athena.reset();
    let n = 0;
    const sqlOf = new Map<string, string>();
    athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString?: string }) => {
      const id = `q${++n}`;
      sqlOf.set(id, input.QueryString ?? '');
      return { QueryExecutionId: id };
    });
    const failing = (id: string) => /by_product/.test(sqlOf.get(id) ?? '');
    athena.on(GetQueryExecutionCommand).callsFake(async (input: { QueryExecutionId: string }) => ({
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        Status: failing(input.QueryExecutionId)
          ? { State: 'FAILED', AthenaError: { ErrorCategory: 2, ErrorType: 1006, ErrorMessage: "COLUMN_NOT_FOUND: line 6:8: Column 'quantityordered' cannot be resolved" } }
          : { State: 'SUCCEEDED' },
        Statistics: { EngineExecutionTimeInMillis: 800, DataScannedInBytes: 3 * 1024 ** 2 },
      },
    }));
    athena.on(GetQueryResultsCommand).callsFake(async (input: { QueryExecutionId: string }) => {
      const sql = sqlOf.get(input.QueryExecutionId) ?? '';
      const [name, type, value] = /information_schema/.test(sql) ? ['columnName', 'varchar', 'locationkey'] : ['orders', 'bigint', '326'];
      return { ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: name, Label: name, Type: type }] }, Rows: [{ Data: [{ VarCharValue: name }] }, { Data: [{ VarCharValue: value }] }] } };
    });
    const engine = new AthenaEngine(resolveLabConfig({}, '/').aws, resolveLabConfig({}, '/').athena);
    try {
      const data = new DashboardData(engine);
      const [kpis, byLine] = await Promise.allSettled([data.dataset({ id: 'kpis' }), data.dataset({ id: 'salesByProductLine' })]);
      assert.equal(kpis.status, 'fulfilled', kpis.status === 'rejected' ? String(kpis.reason) : '');
      assert.deepEqual(kpis.value.rows, [[326]]);
      assert.equal(kpis.value.elapsedMs, 800);
      assert.equal(kpis.value.bytesScanned, 3 * 1024 ** 2);
      assert.ok(kpis.value.costUsd! > 0);
      assert.equal(byLine.status, 'rejected');
      const err = byLine.reason as LabError;
      assert.ok(err instanceof LabError);
      assert.equal(err.code, 'queryFailed');
      assert.match(err.message, /The Athena query failed: COLUMN_NOT_FOUND.*quantityordered/);
      assert.equal(err.nextStep?.command, 'lifecycleLab.showLog');
    } finally {
      await engine.close();
    }
  });
});
