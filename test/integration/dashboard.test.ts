import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MysqlTarget } from '../../src/core/config';
import type { DatasetResult } from '../../src/core/dashboard/model';
import type { RecordedDashboard } from '../../src/core/dashboard/recorded';
import { DashboardData, recordDashboard } from '../../src/core/dashboard/service';
import { localDamageReader, localManifestReader } from '../../src/core/lake/lakeReaders';
import { LabError } from '../../src/core/errors';
import { readLakeManifest } from '../../src/core/lake/manifest';
import { findModelDir } from '../../src/core/lake/model';
import { runPipeline } from '../../src/core/lake/pipeline';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { CheckedLakeEngine } from '../checkedLakeEngine';
import { labTarget } from './fixture';

/** The lab's figures for its dump (issue 6). */
const EXPECTED_BY_LINE: Array<[string, number]> = [
  ['Classic Cars', 3853922.49], ['Vintage Cars', 1797559.63], ['Motorcycles', 1121426.12], ['Trucks and Buses', 1024113.57],
  ['Planes', 954637.54], ['Ships', 663998.34], ['Trains', 188532.92],
];
const cents = (v: unknown) => Math.round(Number(v) * 100);

function column(result: DatasetResult, name: string): unknown[] {
  const i = result.columns.findIndex((c) => c.name === name);
  assert.ok(i >= 0, `column ${name}`);
  return result.rows.map((r) => r[i]);
}

/** Asks the normalized source in MariaDB directly: the independent oracle for the lake's answers. */
async function sourceQuery(target: MysqlTarget, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database });
  try {
    const [rows] = await conn.query({ sql, values: params, rowsAsArray: true });
    return rows as unknown[][];
  } finally {
    await conn.end();
  }
}

suite('dashboard on the lake the pipeline wrote from the lab dump', function () {
  this.timeout(180_000);
  let target: MysqlTarget;
  let tmp: string;
  let lakeDir: string;
  let engine: DuckDbLakeEngine;
  let data: DashboardData;

  suiteSetup(async () => {
    target = await labTarget();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dashboard-it-'));
    lakeDir = path.join(tmp, 'lake');
    // 'always': the lab dump is below the size at which a run records the dashboard's answers by default.
    await runPipeline({ target, lakeDir, modelDir: findModelDir(__dirname), recordDashboard: 'always', recordAnswers: recordDashboard });
    // As the local backend builds it: the open check finds a file garbled in place (the last test).
    engine = new CheckedLakeEngine(lakeDir);
    data = new DashboardData(engine, localManifestReader(lakeDir));
  });
  suiteTeardown(async () => {
    await engine?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('sales by product line are the lab figures (total 9,604,190.61) and match MariaDB', async () => {
    const r = await data.dataset({ id: 'salesByProductLine' });
    assert.deepEqual(column(r, 'productLine'), EXPECTED_BY_LINE.map((e) => e[0]));
    assert.deepEqual(column(r, 'totalSales').map(cents), EXPECTED_BY_LINE.map((e) => cents(e[1])));
    assert.equal(column(r, 'totalSales').reduce((s: number, v) => s + cents(v), 0), cents(9604190.61));
    const oracle = await sourceQuery(target, `select p.productLine, sum(od.quantityOrdered * od.priceEach) as total
      from orderdetails od join products p on p.productCode = od.productCode group by p.productLine order by total desc`);
    assert.deepEqual(column(r, 'totalSales').map(cents), oracle.map((row) => cents(row[1])));
  });

  test('top 10 countries by sales match MariaDB', async () => {
    const r = await data.dataset({ id: 'salesByCountry' });
    const oracle = await sourceQuery(target, `select trim(c.country) as country, sum(od.quantityOrdered * od.priceEach) as total
      from orderdetails od join orders o on o.orderNumber = od.orderNumber join customers c on c.customerNumber = o.customerNumber
      group by trim(c.country) order by total desc, country limit 10`);
    assert.equal(r.rows.length, 10);
    assert.deepEqual(column(r, 'country'), oracle.map((row) => row[0]));
    assert.deepEqual(column(r, 'totalSales').map(cents), oracle.map((row) => cents(row[1])));
  });

  test('Top 3 Classic Cars in France in 2004 match MariaDB', async () => {
    const filter = { startDate: '2004-01-01', endDate: '2004-12-31', country: 'France', productLine: 'Classic Cars', n: 3 };
    const r = await data.dataset({ id: 'topProducts', filter });
    const oracle = await sourceQuery(target, `select p.productName, sum(od.quantityOrdered * od.priceEach) as total
      from orderdetails od join orders o on o.orderNumber = od.orderNumber join customers c on c.customerNumber = o.customerNumber
      join products p on p.productCode = od.productCode
      where o.orderDate between ? and ? and trim(c.country) = ? and p.productLine = ?
      group by p.productCode, p.productName order by total desc, p.productName limit 3`, [filter.startDate, filter.endDate, filter.country, filter.productLine]);
    assert.equal(oracle.length, 3);
    assert.deepEqual(column(r, 'productName'), oracle.map((row) => row[0]));
    assert.deepEqual(column(r, 'totalSales').map(cents), oracle.map((row) => cents(row[1])));
  });

  test('filter options come from the run manifest, equal to what the lake and MariaDB answer', async () => {
    const manifest = await readLakeManifest(lakeDir);
    const recorded = manifest?.dashboard as RecordedDashboard | undefined;
    assert.ok(recorded?.filterOptions, 'the pipeline records the filter options in its manifest');
    const fromManifest = await data.dataset({ id: 'filterOptions' });
    assert.match(fromManifest.sql, /^-- Answered from the run manifest/);
    assert.deepEqual(fromManifest.filterOptions, recorded.filterOptions);

    // Asked of the lake (no manifest reader: the path a lake without recorded answers takes).
    const asked = await new DashboardData(engine).dataset({ id: 'filterOptions' });
    assert.doesNotMatch(asked.sql, /manifest/);
    assert.deepEqual(asked.filterOptions, fromManifest.filterOptions);

    const countries = await sourceQuery(target, 'select distinct trim(country) as c from customers order by c');
    const lines = await sourceQuery(target, 'select productLine from productlines order by productLine');
    const [[first, last]] = await sourceQuery(target, `select date_format(min(o.orderDate), '%Y-%m-%d'), date_format(max(o.orderDate), '%Y-%m-%d')
      from orders o where exists (select 1 from orderdetails od where od.orderNumber = o.orderNumber)`);
    assert.deepEqual(fromManifest.filterOptions!.countries, countries.map((r) => r[0]));
    assert.deepEqual(fromManifest.filterOptions!.productLines, lines.map((r) => r[0]));
    assert.deepEqual([fromManifest.filterOptions!.firstOrderDate, fromManifest.filterOptions!.lastOrderDate], [first, last]);
  });

  test('the fixed cards and the unfiltered Top-N come from the run manifest, equal to what the lake answers', async () => {
    const range = (await data.dataset({ id: 'filterOptions' })).filterOptions!;
    const unfiltered = (n: number) => ({ id: 'topProducts' as const, filter: { startDate: range.firstOrderDate, endDate: range.lastOrderDate, country: '', productLine: '', n } });
    const wider = { id: 'topProducts' as const, filter: { startDate: '2000-01-01', endDate: '2030-12-31', country: '', productLine: '', n: 10 } };
    const asked = new DashboardData(engine);
    for (const request of [{ id: 'kpis' as const }, { id: 'salesByCountry' as const }, { id: 'salesByProductLine' as const }, { id: 'monthlySales' as const },
      unfiltered(5), unfiltered(1), wider]) {
      const recorded = await data.dataset(request);
      const fromLake = await asked.dataset(request);
      assert.match(recorded.sql, /^-- Answered from the run manifest/, `${request.id} from the manifest`);
      assert.equal(recorded.recorded, true);
      assert.doesNotMatch(fromLake.sql, /manifest/);
      assert.equal(fromLake.recorded, undefined);
      assert.deepEqual(recorded.columns, fromLake.columns, `${request.id}: columns`);
      assert.deepEqual(recorded.rows, fromLake.rows, `${request.id}: rows`);
      assert.ok(recorded.rows.length > 0);
    }
    // Anything the record does not cover is asked of the lake: a filter, a shorter date range.
    for (const filter of [{ ...unfiltered(5).filter, country: 'France' }, { ...unfiltered(5).filter, productLine: 'Ships' },
      { ...unfiltered(5).filter, startDate: '2004-01-01' }]) {
      const r = await data.dataset({ id: 'topProducts', filter });
      assert.doesNotMatch(r.sql, /manifest/, JSON.stringify(filter));
      assert.deepEqual(r.rows, (await asked.dataset({ id: 'topProducts', filter })).rows);
    }
  });

  test('by default a run as small as the lab dump records no answers, and the dashboard asks the lake', async () => {
    const smallLake = path.join(tmp, 'small');
    await runPipeline({ target, lakeDir: smallLake, modelDir: findModelDir(__dirname), recordAnswers: recordDashboard });
    assert.equal((await readLakeManifest(smallLake))?.dashboard, undefined);
    const small = new DuckDbLakeEngine(smallLake);
    try {
      const kpis = await new DashboardData(small, localManifestReader(smallLake)).dataset({ id: 'kpis' });
      assert.doesNotMatch(kpis.sql, /manifest/);
      assert.deepEqual(kpis.rows, (await data.dataset({ id: 'kpis' })).rows);
    } finally {
      await small.close();
    }
  });

  test('a manifest whose recorded answers are malformed is not trusted: the lake is asked', async () => {
    const manifest = (await readLakeManifest(lakeDir))!;
    const edited = new DashboardData(engine, async () => ({ ...manifest, dashboard: {
      filterOptions: { countries: 'France' }, answers: { kpis: { columns: [{ name: 'x', type: 'INTEGER' }], rows: [[1, 2]] } }, topProducts: { rows: 'x' },
    } as never }));
    const options = await edited.dataset({ id: 'filterOptions' });
    assert.doesNotMatch(options.sql, /manifest/);
    assert.deepEqual(options.filterOptions, (manifest.dashboard as RecordedDashboard).filterOptions);
    const kpis = await edited.dataset({ id: 'kpis' });
    assert.doesNotMatch(kpis.sql, /manifest/);
    assert.deepEqual(kpis.rows, (await data.dataset({ id: 'kpis' })).rows);
    const range = options.filterOptions!;
    const top = await edited.dataset({ id: 'topProducts', filter: { startDate: range.firstOrderDate, endDate: range.lastOrderDate, country: '', productLine: '', n: 5 } });
    assert.doesNotMatch(top.sql, /manifest/);
  });

  test('key figures match MariaDB', async () => {
    const r = await data.dataset({ id: 'kpis' });
    const [oracle] = await sourceQuery(target, `select sum(od.quantityOrdered * od.priceEach), count(distinct od.orderNumber), count(distinct o.customerNumber)
      from orderdetails od join orders o on o.orderNumber = od.orderNumber`);
    assert.equal(cents(column(r, 'totalSales')[0]), cents(oracle[0]));
    assert.equal(column(r, 'orders')[0], Number(oracle[1]));
    assert.equal(column(r, 'customers')[0], Number(oracle[2]));
  });

  test('the detailed aggregate pages through every group', async () => {
    const [oracle] = await sourceQuery(target, `select count(*) from (select o.orderDate, p.productLine, p.productName, trim(c.country)
      from orderdetails od join orders o on o.orderNumber = od.orderNumber join customers c on c.customerNumber = o.customerNumber
      join products p on p.productCode = od.productCode group by 1, 2, 3, 4) g`);
    const first = await data.dataset({ id: 'salesDetail', page: 0 });
    assert.equal(first.page!.totalRows, Number(oracle[0]));
    assert.equal(first.rows.length, first.page!.size);
  });

  test('lake status: star-v1, reconciled, not inflated', async () => {
    const s = (await data.dataset({ id: 'lakeStatus' })).lakeStatus!;
    assert.equal(s.model, 'star-v1');
    assert.equal(s.factRows, 2996);
    assert.equal(s.orderLines, 2996);
    assert.equal(s.inflated, false);
    assert.deepEqual(s.warnings, []);
    assert.equal(s.run?.ok, true);
    assert.equal(s.run?.sourceOrderLines, 2996);
    assert.ok(s.run!.checks.length >= 8 && s.run!.checks.every((c) => c.ok));
  });

  test("a lake shaped like the lab's original job (postalCode-keyed locations) is flagged as inflated", async () => {
    // Rewrite the real lake the way the original job shaped it: locations without a surrogate key, facts joined by postal code.
    const legacyDir = path.join(tmp, 'legacy');
    const gold = path.join(legacyDir, 'gold');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      const src = (t: string) => `read_parquet('${path.join(lakeDir, 'gold', t, 'part-0.parquet')}')`;
      for (const t of ['dim_customers', 'dim_products']) {
        await fs.mkdir(path.join(gold, t), { recursive: true });
        await db.run(`copy (select * from ${src(t)}) to '${path.join(gold, t, 'part-0.parquet')}' (format parquet)`);
      }
      await fs.mkdir(path.join(gold, 'dim_locations'), { recursive: true });
      await db.run(`copy (select distinct postalCode, city, state, country from ${src('dim_locations')})
        to '${path.join(gold, 'dim_locations', 'part-0.parquet')}' (format parquet)`);
      await fs.mkdir(path.join(gold, 'fact_orders'), { recursive: true });
      await db.run(`copy (select f.* exclude (locationKey), l.postalCode from ${src('fact_orders')} f
          join ${src('dim_locations')} l on l.locationKey = f.locationKey
          join ${src('dim_locations')} fan on fan.postalCode = l.postalCode)
        to '${path.join(gold, 'fact_orders', 'part-0.parquet')}' (format parquet)`);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
    const legacyEngine = new DuckDbLakeEngine(legacyDir);
    try {
      const legacy = new DashboardData(legacyEngine, localManifestReader(legacyDir));
      const s = (await legacy.dataset({ id: 'lakeStatus' })).lakeStatus!;
      assert.equal(s.model, 'legacy');
      assert.ok(s.factRows! > 2996, `fact rows ${s.factRows}`);
      assert.equal(s.inflated, true);
      assert.ok(s.warnings.some((w) => /inflated/.test(w)));
      const byLine = await legacy.dataset({ id: 'salesByProductLine' });
      const total = column(byLine, 'totalSales').reduce((sum: number, v) => sum + cents(v), 0);
      assert.ok(total > cents(9604190.61), 'the legacy totals are indeed inflated');
    } finally {
      await legacyEngine.close();
    }
  });

  test('a fact file garbled without a change of size: the Lake status names fact_orders and the recorded cards ask the lake, which names it', async () => {
    const file = path.join(lakeDir, 'gold', 'fact_orders', 'part-0.parquet');
    const saved = await fs.readFile(file);
    const garbled = Buffer.from(saved);
    for (let i = Math.floor(garbled.length / 2); i < Math.floor(garbled.length / 2) + 32; i++) garbled[i] ^= 0xff;
    await fs.writeFile(file, garbled);
    try {
      const damaged = new DashboardData(engine, localManifestReader(lakeDir), localDamageReader(lakeDir));
      const s = (await damaged.dataset({ id: 'lakeStatus' })).lakeStatus!;
      assert.deepEqual([s.damaged, s.run?.ok, s.factRows], [['fact_orders'], true, undefined]);
      await assert.rejects(damaged.dataset({ id: 'salesByProductLine' }), (e: unknown) =>
        e instanceof LabError && e.code === 'lakeDamaged' && /fact_orders\/part-0\.parquet.*SHA-256/.test(e.message));
    } finally {
      await fs.writeFile(file, saved);
    }
    const intact = new DashboardData(engine, localManifestReader(lakeDir), localDamageReader(lakeDir));
    assert.deepEqual((await intact.dataset({ id: 'lakeStatus' })).lakeStatus!.damaged, []);
    assert.equal((await intact.dataset({ id: 'salesByProductLine' })).recorded, true, 'restored, the record answers again');
  });
});
