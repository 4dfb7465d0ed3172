import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveLabConfig } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { createQueryEngine, DuckDbLakeEngine, listLakeTables } from '../../src/core/query/duckdb';
import { compileParams } from '../../src/core/query/params';
import { buildTestLake, ORDER_LINES, orderAmount, PRODUCTS } from './dashboardLakeFixture';

suite('query params', () => {
  test('rewrites :name to $name for DuckDB and ? with ordered values for Athena', () => {
    const sql = "select * from t where a = :country and b >= :start and c = :country and d = 'x:notParam' -- :comment\n and e::int > 0";
    const duck = compileParams(sql, { country: 'France', start: '2004-01-01' }, 'dollar');
    assert.equal(duck.sql, "select * from t where a = $country and b >= $start and c = $country and d = 'x:notParam' -- :comment\n and e::int > 0");
    const athena = compileParams(sql, { country: 'France', start: '2004-01-01' }, 'positional');
    assert.equal(athena.sql, "select * from t where a = ? and b >= ? and c = ? and d = 'x:notParam' -- :comment\n and e::int > 0");
    assert.deepEqual(athena.values, ['France', '2004-01-01', 'France']);
    assert.deepEqual(athena.names, ['country', 'start']);
  });

  test('a missing or an unused parameter is an error, not a silently dropped filter', () => {
    assert.throws(() => compileParams('select :a', {}, 'dollar'), (e: unknown) => e instanceof LabError && /:a/.test(e.message));
    assert.throws(() => compileParams('select :a', { a: 1, b: 2 }, 'dollar'), (e: unknown) => e instanceof LabError && /:b/.test(e.message));
  });
});

suite('DuckDbLakeEngine', function () {
  this.timeout(30_000);
  let lakeDir: string;
  let engine: DuckDbLakeEngine;

  suiteSetup(async () => {
    lakeDir = await buildTestLake({ manifest: { runId: 'test' } });
    engine = new DuckDbLakeEngine(lakeDir);
  });
  suiteTeardown(async () => {
    await engine?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('lists the gold tables and ignores the manifest', async () => {
    const tables = await listLakeTables(lakeDir);
    assert.deepEqual(tables.map((t) => t.name), ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders']);
  });

  test('returns JSON-safe values: DECIMAL and BIGINT as numbers, DATE as YYYY-MM-DD', async () => {
    const result = await engine.query(
      'select count(*) as n, sum(orderAmount) as total, min(orderDate) as first, max(priceEach) as top from fact_orders');
    assert.deepEqual(result.columns.map((c) => c.name), ['n', 'total', 'first', 'top']);
    const [n, total, first, top] = result.rows[0];
    assert.equal(n, ORDER_LINES.length);
    assert.equal(typeof total, 'number');
    assert.ok(Math.abs((total as number) - ORDER_LINES.reduce((s, l) => s + orderAmount(l), 0)) < 0.005);
    assert.equal(first, [...ORDER_LINES].sort((a, b) => a.orderDate.localeCompare(b.orderDate))[0].orderDate);
    assert.equal(top, Math.max(...ORDER_LINES.map((l) => l.priceEach)));
    assert.doesNotThrow(() => JSON.stringify(result));
  });

  test('binds named parameters as values, never as SQL text', async () => {
    const hostile = "Classic Cars' or '1'='1";
    const none = await engine.query('select count(*) from dim_products where productLine = :line', { line: hostile });
    assert.equal(none.rows[0][0], 0);
    const some = await engine.query('select count(*) from dim_products where productLine = :line', { line: 'Classic Cars' });
    assert.equal(some.rows[0][0], PRODUCTS.filter((p) => p.productLine === 'Classic Cars').length);
    const dated = await engine.query('select count(*) from fact_orders where orderDate between cast(:s as date) and cast(:e as date) limit :n',
      { s: '2004-01-01', e: '2004-12-31', n: 5 });
    assert.equal(dated.rows[0][0], ORDER_LINES.filter((l) => l.orderDate.startsWith('2004')).length);
  });

  test('an engine error becomes queryFailed with the engine message', async () => {
    await assert.rejects(engine.query('select nope from fact_orders'), (e: unknown) =>
      e instanceof LabError && e.code === 'queryFailed' && /nope/.test(e.message));
  });

  test('an aborted signal cancels a long query', async () => {
    const controller = new AbortController();
    const running = engine.query('select count(*) from range(100000000000) a', undefined, controller.signal);
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(running, (e: unknown) => e instanceof LabError && e.code === 'cancelled');
    // The engine stays usable after a cancel.
    const after = await engine.query('select count(*) from dim_products');
    assert.equal(after.rows[0][0], PRODUCTS.length);
  });

  test('an empty lake is lakeMissing with Run Pipeline as the next step', async () => {
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'lifecycle-lab-empty-lake-'));
    const emptyEngine = new DuckDbLakeEngine(empty);
    try {
      await assert.rejects(emptyEngine.query('select 1'), (e: unknown) =>
        e instanceof LabError && e.code === 'lakeMissing' && e.nextStep?.command === 'lifecycleLab.pipeline.run');
    } finally {
      await emptyEngine.close();
      await fs.rm(empty, { recursive: true, force: true });
    }
  });

  test('createQueryEngine picks DuckDB in local mode and explains that Athena is not there yet', async () => {
    const local = createQueryEngine(resolveLabConfig({ 'local.lakeDir': lakeDir }, '/'));
    try {
      assert.equal(local.kind, 'duckdb');
      assert.equal((await local.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
    } finally {
      await local.close();
    }
    assert.throws(() => createQueryEngine(resolveLabConfig({ mode: 'aws' }, '/')), (e: unknown) => e instanceof LabError && /Athena/.test(e.message));
  });
});
