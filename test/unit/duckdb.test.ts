import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../../src/core/errors';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { listLakeTables } from '../../src/core/query/lakeTables';
import { compileParams } from '../../src/core/query/params';
import { sqlLiteral } from '../../src/core/query/sqlText';
import { FakeClock } from '../fakeClock';
import { runCli } from '../integration/fixture';
import { buildTestLake, ORDER_LINES, orderAmount, PRODUCTS } from './dashboardLakeFixture';

/** Writes fact_orders' 2003 rows beside its one file (`<file>.next`, for a rename over it); returns the file. */
async function write2003FactsBeside(dir: string): Promise<string> {
  const [file] = (await listLakeTables(dir)).find((t) => t.name === 'fact_orders')!.files;
  const writer = new DuckDbLakeEngine(dir, { access: 'full' });
  try {
    await writer.query(`copy (select * from fact_orders where year(orderDate) = 2003) to ${sqlLiteral(`${file}.next`)} (format parquet)`);
  } finally {
    await writer.close();
  }
  return file;
}

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

  test('a query of only comments (or only a semicolon) says there is no statement in it, not a native callback error', async () => {
    for (const sql of ['-- just a comment', '/* nothing */', ';', '-- a comment\n;\n', '  ']) {
      await assert.rejects(engine.query(sql), (e: unknown) => e instanceof LabError && e.code === 'queryFailed'
        && /no SQL statement to run/.test(e.message) && !/native callback/i.test(e.message), JSON.stringify(sql));
    }
  });

  test('stream: rows arrive in batches with the columns first; a limit stops the handing over, countAll still counts the rest', async () => {
    const batches: number[] = [];
    let columns: string[] | undefined;
    const summary = await engine.stream('select range as i, range * 2 as twice from range(10000000)', undefined, {
      limit: 5000,
      countAll: true,
      onColumns: (c) => { columns = c.map((x) => x.name); },
      onRows: (rows) => {
        assert.ok(columns, 'the columns come before the rows');
        batches.push(rows.length);
      },
    });
    assert.deepEqual(columns, ['i', 'twice']);
    assert.ok(batches.length > 1 && Math.max(...batches) <= 4096, `batches of a chunk each, not one whole result: ${batches.length} batches`);
    assert.equal(batches.reduce((a, b) => a + b, 0), 5000);
    assert.deepEqual({ rowsRead: summary.rowsRead, totalRows: summary.totalRows, more: summary.more }, { rowsRead: 5000, totalRows: 10_000_000, more: true });

    const empty = await engine.stream('select productName from dim_products where false', undefined, { onRows: () => assert.fail('no rows') });
    assert.deepEqual({ columns: empty.columns.map((c) => c.name), rowsRead: empty.rowsRead, totalRows: empty.totalRows, more: empty.more },
      { columns: ['productName'], rowsRead: 0, totalRows: 0, more: false });
    const limited = await engine.stream('select * from range(10)', undefined, { limit: 3, onRows: () => undefined });
    assert.deepEqual({ rowsRead: limited.rowsRead, more: limited.more }, { rowsRead: 3, more: true });
    assert.equal(limited.totalRows, undefined, 'without countAll the rows past the limit are not counted');
  });

  test('closing the engine interrupts a query still running (a cross join), which ends cancelled', async () => {
    const own = new DuckDbLakeEngine(lakeDir, { materializeMaxBytes: 0 });
    await own.query('select 1');
    const running = own.query('select count(*) from range(1000000000) a, range(1000000) b');
    const outcome = running.then(() => 'finished', (e: unknown) => (e instanceof LabError ? e.code : String(e)));
    await new Promise((r) => setTimeout(r, 300));
    await own.close();
    const cpuBefore = process.cpuUsage();
    const windowStarted = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([outcome, new Promise((r) => { timer = setTimeout(() => r('still running 20 s after close'), 20_000); })]);
    clearTimeout(timer);
    assert.equal(ended, 'cancelled');
    await new Promise((r) => setTimeout(r, 1000));
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const wallMs = performance.now() - windowStarted;
    assert.ok(cpuMs < wallMs * 0.5 + 200, `the process used ${Math.round(cpuMs)} ms of CPU in ${Math.round(wallMs)} ms after the close`);
  });

  test('closing the engine while queries are still starting (opening DuckDB, checking the lake) waits for them: they end cancelled, then DuckDB closes', async () => {
    for (const warm of [false, true]) {
      const own = new DuckDbLakeEngine(lakeDir, { materializeMaxBytes: 0 });
      if (warm) await own.query('select 1');
      // Asked and closed in the same turn: none of them has a connection yet for close() to interrupt.
      const starting = [0, 1, 2].map((i) => own.query(`select ${i} as n`).then(() => 'answered', (e: unknown) => (e instanceof LabError ? e.code : String(e))));
      await own.close();
      const settled = await Promise.race([Promise.all(starting), new Promise((r) => setTimeout(() => r('still waiting 10 s after close'), 10_000).unref())]);
      assert.deepEqual(settled, ['cancelled', 'cancelled', 'cancelled'], `${warm ? 'warm' : 'cold'} engine`);
    }
  });

  test('lifecycle-lab query prints rows as they are read, at most --limit N (text and one JSON document)', async () => {
    const text = await runCli(['query', 'select range as i, \'r\' || range as label from range(1000000)', '--limit', '3', '--lake', lakeDir]);
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(text.stdout.trimEnd().split('\n'), ['i  label', '-  -----', '0  r0', '1  r1', '2  r2']);
    assert.match(text.stderr, /3 rows shown \(--limit 3; the result has more\) in \d+ ms/);
    const json = await runCli(['query', 'select productLine from dim_products order by productLine', '--limit', '2', '--lake', lakeDir, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; columns: Array<{ name: string }>; rows: unknown[][]; more: boolean };
    assert.deepEqual([parsed.ok, parsed.columns.map((c) => c.name), parsed.rows.length, parsed.more], [true, ['productLine'], 2, true]);
    const all = await runCli(['query', 'select count(*) as n from fact_orders', '--lake', lakeDir, '--json']);
    assert.deepEqual((JSON.parse(all.stdout) as { rows: unknown[][]; more: boolean }).rows, [[ORDER_LINES.length]]);
    const bad = await runCli(['query', 'select 1', '--limit', 'ten', '--lake', lakeDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limit takes a whole number of rows/);
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

  test('answers from the Parquet files at once, then from the in-memory copy, with the same answers', async () => {
    const fresh = new DuckDbLakeEngine(lakeDir);
    const sql = 'select productLine, count(*) as n, sum(quantityOrdered) as q from fact_orders f join dim_products p using (productCode) group by 1 order by 1';
    try {
      // Many queries at once while the copy is built and the views are switched: every one sees a whole lake.
      const during = await Promise.all(Array.from({ length: 12 }, () => fresh.query(sql)));
      assert.equal(await fresh.settled(), true);
      assert.equal(fresh.materialized, true);
      const after = await fresh.query(sql);
      assert.ok(after.rows.length > 0);
      for (const r of during) assert.deepEqual(r.rows, after.rows);
      const views = await fresh.query("select view_name, sql from duckdb_views() where not internal order by 1");
      assert.deepEqual(views.rows.map((r) => r[0]), ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders']);
      for (const r of views.rows) assert.match(String(r[1]), /__lake_copy_/);
    } finally {
      await fresh.close();
    }
  });

  test('a lake rewritten while its copy waits to start is served whole, and the stale copy never lands', async () => {
    const dir = await buildTestLake({ manifest: { runId: 'rewrite' } });
    // The copy starts only after the engine has been idle for a moment on this clock, so the test decides when.
    const clock = new FakeClock();
    const fresh = new DuckDbLakeEngine(dir, { clock });
    const copies = async () => (await fresh.query("select table_name from duckdb_tables() where table_name like '__lake_copy_%' order by 1"))
      .rows.map((r) => String(r[0]));
    try {
      const before = Number((await fresh.query('select count(*) from fact_orders')).rows[0][0]);
      assert.equal(before, ORDER_LINES.length);
      await clock.advance(10);
      assert.equal(fresh.materialized, false, 'the copy of the first version is still waiting for the engine to be idle');
      assert.deepEqual(await copies(), [], 'and has copied nothing');

      // A pipeline run swaps in new facts (here: only 2004) while that copy is pending.
      const [file] = (await listLakeTables(dir)).find((t) => t.name === 'fact_orders')!.files;
      const next = `${file}.next`;
      // The lake engine writes no file: a full session writes the new facts, as a run would.
      const writer = new DuckDbLakeEngine(dir, { access: 'full' });
      try {
        await writer.query(`copy (select * from fact_orders where year(orderDate) = 2004) to ${sqlLiteral(next)} (format parquet)`);
      } finally {
        await writer.close();
      }
      await fs.rename(next, file);
      const expected = ORDER_LINES.filter((l) => l.orderDate.startsWith('2004')).length;
      assert.equal((await fresh.query('select count(*) from fact_orders')).rows[0][0], expected, 'the new version, from its files');
      assert.equal(fresh.materialized, false);

      const settled = fresh.settled();
      await clock.advance(1_000);
      assert.equal(await settled, true);
      assert.equal((await fresh.query('select count(*) from fact_orders')).rows[0][0], expected, 'the new version, from memory');
      // Copy 1 (the first version) was stopped before it copied a table; copy 2 is the only one, whole.
      assert.deepEqual(await copies(), ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders'].map((t) => `__lake_copy_2_${t}`));
    } finally {
      await fresh.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
    assert.equal(clock.pending, 0, 'no idle timer left behind');
  });

  test('a lake rewritten after its copy landed is copied again, and the old copy is dropped', async () => {
    const dir = await buildTestLake({ manifest: { runId: 'rewrite-after' } });
    const clock = new FakeClock();
    const fresh = new DuckDbLakeEngine(dir, { clock });
    try {
      assert.equal((await fresh.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
      let settled = fresh.settled();
      await clock.advance(1_000);
      assert.equal(await settled, true);
      const file = await write2003FactsBeside(dir);
      await fs.rename(`${file}.next`, file);
      const expected = ORDER_LINES.filter((l) => l.orderDate.startsWith('2003')).length;
      assert.equal((await fresh.query('select count(*) from fact_orders')).rows[0][0], expected);
      settled = fresh.settled();
      await clock.advance(1_000);
      assert.equal(await settled, true);
      assert.equal((await fresh.query('select count(*) from fact_orders')).rows[0][0], expected);
      const copies = await fresh.query("select table_name from duckdb_tables() where table_name like '__lake_copy_%' order by 1");
      assert.deepEqual(copies.rows.map((r) => String(r[0]).split('_')[4]), ['2', '2', '2', '2'], 'only the second copy is left');
    } finally {
      await fresh.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('queries asked together share one waiting check of the lake, and one asked after a rewrite still sees it', async () => {
    const dir = await buildTestLake({ manifest: { runId: 'burst' } });
    const fresh = new DuckDbLakeEngine(dir, { materializeMaxBytes: 0 });
    try {
      await fresh.query('select 1');
      let checks = 0;
      const listTables = fresh.tables.bind(fresh);
      fresh.tables = () => { checks++; return listTables(); };
      const burst = await Promise.all(Array.from({ length: 10 }, () => fresh.query('select count(*) from fact_orders')));
      assert.ok(burst.every((r) => r.rows[0][0] === ORDER_LINES.length));
      assert.ok(checks >= 1 && checks <= 2, `10 queries asked together checked the lake ${checks} times (one running, one waiting at most)`);

      // A rewrite between two queries is seen by the second, whether or not a check was queued meanwhile.
      const file = await write2003FactsBeside(dir);
      const before = fresh.query('select count(*) from fact_orders');
      await fs.rename(`${file}.next`, file);
      const after = await fresh.query('select count(*) from fact_orders');
      assert.equal(after.rows[0][0], ORDER_LINES.filter((l) => l.orderDate.startsWith('2003')).length);
      await before;
    } finally {
      await fresh.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('a lake over the size limit stays on views over its files', async () => {
    const small = new DuckDbLakeEngine(lakeDir, { materializeMaxBytes: 0 });
    try {
      assert.equal((await small.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
      assert.equal(await small.settled(), false);
      assert.equal((await small.query("select count(*) from duckdb_tables()")).rows[0][0], 0);
    } finally {
      await small.close();
    }
  });
});
