/**
 * Issue 22, declared data tests, against the real local lab: the tests of glue/sql/schema.yml and glue/sql/tests run
 * in the pipeline on a deliberately broken copy of classicmodels. A `warn` test that fails is reported and the run
 * publishes; an `error` test that fails fails the run naming the rows, and the previous lake stays.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection } from 'mysql2';
import type { MysqlTarget } from '../../src/core/config';
import { leftoverRunDirs } from '../../src/core/lake/lakeFiles';
import { readLakeManifest } from '../../src/core/lake/manifest';
import { findModelDir } from '../../src/core/lake/model';
import { ReconcileError, runPipeline } from '../../src/core/lake/pipeline';
import type { PipelineEvent } from '../../src/core/run/events';
import { lastRunRecord } from '../../src/core/lake/runLog';
import { pipelineStateFromRecord } from '../../src/core/run/viewState';
import { connectSource, queryRows } from '../../src/core/lake/source';
import { SOURCE_TABLES } from '../../src/core/lake/sourceSchema';
import { labTarget, runCli } from './fixture';

/** A copy of classicmodels that the tests break; classicmodels itself is never modified. */
const BROKEN = 'i22_broken_source';

suite('declared data tests in the local pipeline (issue 22)', function () {
  this.timeout(120_000);
  const modelDir = findModelDir(__dirname);
  let target: MysqlTarget;
  let conn: Connection;
  let tmp: string;
  let lakeDir: string;

  suiteSetup(async () => {
    target = await labTarget();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'i22-'));
    lakeDir = path.join(tmp, 'lake');
    conn = await connectSource(target, target.database);
    await queryRows(conn, `drop database if exists ${BROKEN}`);
    await queryRows(conn, `create database ${BROKEN}`);
    for (const table of SOURCE_TABLES) {
      await queryRows(conn, `create table ${BROKEN}.${table.name} like ${target.database}.${table.name}`);
      await queryRows(conn, `insert into ${BROKEN}.${table.name} select * from ${target.database}.${table.name}`);
    }
  });

  suiteTeardown(async () => {
    if (conn) {
      await queryRows(conn, `drop database if exists ${BROKEN}`).catch(() => undefined);
      conn.destroy();
    }
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('on the lab dump every declared test passes and the manifest records each', async () => {
    const result = await runPipeline({ target, lakeDir, modelDir, database: BROKEN });
    const tests = result.manifest.tests ?? [];
    assert.ok(tests.length >= 11, `${tests.length} tests recorded`);
    assert.deepEqual(tests.filter((t) => t.status !== 'pass'), []);
    assert.ok(tests.some((t) => t.id === 'relationships_fact_orders_productCode_to_dim_products' && t.failingRows === 0 && t.sample.length === 0));
    // The reconciliation keeps its own checks against the source; the generic ones are now declared tests.
    assert.deepEqual(result.manifest.checks.filter((c) => !tests.some((t) => t.id === c.name)).map((c) => c.name),
      ['fact_rows_match_source', 'order_amount_matches_source']);
  });

  test('an unknown order status fails the warn test: reported with its rows, and the run publishes', async () => {
    await queryRows(conn, `update ${BROKEN}.orders set status = 'Lost in transit' where orderNumber = 10100`);
    const events: PipelineEvent[] = [];
    const result = await runPipeline({ target, lakeDir, modelDir, database: BROKEN, onEvent: (e) => events.push(e) });
    const status = result.manifest.tests?.find((t) => t.id === 'accepted_values_fact_orders_status');
    assert.deepEqual([status?.status, status?.severity, status?.failingRows], ['warn', 'warn', 4]);
    assert.deepEqual(status?.sample.map((row) => [row.orderNumber, row.status]), Array(4).fill([10100, 'Lost in transit']));
    assert.equal((await readLakeManifest(lakeDir))?.runId, result.manifest.runId, 'the run published');
    const check = events.flatMap((e) => (e.kind === 'check' && e.check.name === 'accepted_values_fact_orders_status' ? [e.check] : []));
    assert.deepEqual(check.map((c) => [c.ok, c.warning]), [[true, true]]);
    const finished = events.find((e) => e.kind === 'runFinished');
    assert.match(finished?.kind === 'runFinished' ? finished.message : '', /1 warned: accepted_values_fact_orders_status/);

    // lifecycle-lab test reads the same lake and reports the same results.
    const cli = await runCli(['test', '--json', '--lake', lakeDir]);
    assert.equal(cli.code, 0, cli.stderr);
    const report = JSON.parse(cli.stdout) as { ok: boolean; tests: { id: string; status: string; failingRows: number }[] };
    assert.equal(report.ok, true);
    assert.deepEqual(report.tests.map((t) => [t.id, t.status, t.failingRows]),
      result.manifest.tests!.map((t) => [t.id, t.status, t.failingRows]));
    const text = await runCli(['test', '--lake', lakeDir]);
    assert.match(text.stdout, /WARN accepted_values_fact_orders_status: 4 failing rows in fact_orders\.status \(severity warn\): .*orderNumber=10100/);
  });

  test('a product line with no productlines row and an order line of an unknown product fail error tests: the run fails naming the rows, the previous lake stays', async () => {
    const before = await readLakeManifest(lakeDir);
    await queryRows(conn, 'set foreign_key_checks = 0');
    await queryRows(conn, `insert into ${BROKEN}.products (productCode, productName, productLine, productScale, productVendor, productDescription, quantityInStock, buyPrice, MSRP)
      values ('S99_0001', 'Hover Car', 'Hovercraft', '1:10', 'Lab', 'broken on purpose', 1, 10.00, 20.00)`);
    await queryRows(conn, `insert into ${BROKEN}.orderdetails (orderNumber, productCode, quantityOrdered, priceEach, orderLineNumber)
      values (10100, 'S99_0002', 1, 5.00, 99)`);
    await queryRows(conn, 'set foreign_key_checks = 1');
    const events: PipelineEvent[] = [];
    await assert.rejects(runPipeline({ target, lakeDir, modelDir, database: BROKEN, onEvent: (e) => events.push(e) }), (err: unknown) => {
      assert.ok(err instanceof ReconcileError, String(err));
      assert.equal(err.code, 'reconcileFailed');
      assert.match(err.message, /not_null_dim_products_productLineDescription \(1 failing row in dim_products\.productLineDescription: \(productCode=S99_0001,/);
      assert.match(err.message, /relationships_fact_orders_productCode_to_dim_products \(1 failing row in fact_orders\.productCode: \(orderNumber=10100, orderLineNumber=99,/);
      assert.match(err.message, /The previous lake was kept\./);
      // The warn test is not a reason for the failure.
      assert.doesNotMatch(err.message, /accepted_values_fact_orders_status/);
      assert.deepEqual(err.checks.filter((c) => !c.ok).map((c) => c.name).sort(),
        ['not_null_dim_products_productLineDescription', 'relationships_fact_orders_productCode_to_dim_products']);
      return true;
    });
    assert.ok(events.some((e) => e.kind === 'check' && !e.check.ok && e.check.name === 'relationships_fact_orders_productCode_to_dim_products'));
    assert.equal((await readLakeManifest(lakeDir))?.runId, before?.runId, 'the previous lake stays');
    // The run log keeps what failed and warned, so the Pipeline view lists them under a run made elsewhere (the CLI).
    const recorded = pipelineStateFromRecord((await lastRunRecord(lakeDir))!);
    assert.deepEqual(recorded.problems?.map((c) => [c.name, c.ok, c.actual]), [
      ['not_null_dim_products_productLineDescription', false, '1'],
      ['relationships_fact_orders_productCode_to_dim_products', false, '1'],
      ['accepted_values_fact_orders_status', true, '5'], // order 10100 now has the added line too
    ]);
    assert.match(recorded.problems![1].message, /orderNumber=10100, orderLineNumber=99/);
    assert.deepEqual(await leftoverRunDirs(lakeDir), []);

    // The same source through the model without its declarations publishes; lifecycle-lab test then finds the rows.
    const undeclared = path.join(tmp, 'model-without-tests');
    await fs.mkdir(undeclared);
    for (const f of (await fs.readdir(modelDir)).filter((name) => name.endsWith('.sql'))) await fs.copyFile(path.join(modelDir, f), path.join(undeclared, f));
    const otherLake = path.join(tmp, 'lake-untested');
    const published = await runPipeline({ target, lakeDir: otherLake, modelDir: undeclared, database: BROKEN });
    assert.deepEqual(published.manifest.tests, []);
    const cli = await runCli(['test', '--json', '--lake', otherLake]);
    assert.equal(cli.code, 1, cli.stderr);
    const report = JSON.parse(cli.stdout) as { ok: boolean; tests: { id: string; status: string; sample: Record<string, unknown>[] }[] };
    assert.equal(report.ok, false);
    assert.deepEqual(report.tests.filter((t) => t.status !== 'pass').map((t) => [t.id, t.status]), [
      ['not_null_dim_products_productLineDescription', 'fail'],
      ['relationships_fact_orders_productCode_to_dim_products', 'fail'],
      ['accepted_values_fact_orders_status', 'warn'],
    ]);
    assert.equal(report.tests.find((t) => t.id === 'not_null_dim_products_productLineDescription')?.sample[0].productCode, 'S99_0001');
    const text = await runCli(['test', '--lake', otherLake]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^2 of \d+ data tests failed \(1 warned\) on /m);
  });
});
