import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LabError } from '../../src/core/errors';
import type { DatasetResult } from '../../src/core/dashboard/model';
import { QUERIES, type LakeModel } from '../../src/core/dashboard/queries';
import { PRODUCTS_PAGE_SIZE, SALES_DETAIL_PAGE_SIZE, type TopProductsFilter } from '../../src/core/dashboard/parameters';
import { DashboardData, recordDashboard } from '../../src/core/dashboard/service';
import { localManifestReader } from '../../src/core/lake/lakeReaders';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { RecordingEngine } from '../recordingEngine';
import { buildTestLake, LOCATIONS, ORDER_LINES, orderAmount, PRODUCTS, RUN_MANIFEST, type FixtureOrderLine } from './dashboardLakeFixture';

/** Expectations computed from the fixture rows in plain TypeScript, independently of the SQL under test. */
const cents = (n: number) => Math.round(n * 100);
const countryOf = (l: FixtureOrderLine) => LOCATIONS.find((x) => x.locationKey === l.locationKey)!.country;
const productOf = (l: FixtureOrderLine) => PRODUCTS.find((p) => p.productCode === l.productCode)!;

function sumBy<K>(lines: FixtureOrderLine[], key: (l: FixtureOrderLine) => K): Map<K, number> {
  const m = new Map<K, number>();
  for (const l of lines) m.set(key(l), (m.get(key(l)) ?? 0) + orderAmount(l));
  return m;
}

function column(result: DatasetResult, name: string): unknown[] {
  const i = result.columns.findIndex((c) => c.name === name);
  assert.ok(i >= 0, `column ${name} in ${result.columns.map((c) => c.name).join(', ')}`);
  return result.rows.map((r) => r[i]);
}

/**
 * The detailed aggregate written the plain way (group everything, sort, offset, limit): the reference the paged
 * query must equal row for row, total included.
 */
function plainSalesDetail(model: LakeModel): string {
  const join = model === 'legacy' ? 'f.postalCode = l.postalCode' : 'f.locationKey = l.locationKey';
  return `select f.orderDate as orderDate, p.productLine as productLine, p.productName as productName, l.country as country,
  sum(f.orderAmount) as totalSales, sum(f.quantityOrdered) as quantity, count(*) over () as totalRows
from fact_orders f
join dim_products p on f.productCode = p.productCode
join dim_locations l on ${join}
group by f.orderDate, p.productLine, p.productName, l.country
order by orderDate, productLine, productName, country
offset :offset
limit :limit`;
}

/** Every window (offsets across date boundaries, past the end, several page sizes) equals the plain query's. */
async function assertSalesDetailMatchesPlain(engine: DuckDbLakeEngine, model: LakeModel): Promise<void> {
  const total = Number((await engine.query(plainSalesDetail(model), { offset: 0, limit: 1_000_000 })).rows.length);
  assert.ok(total > 3, `fixture has ${total} groups`);
  for (const limit of [1, 2, 3, 7, 50]) {
    for (let offset = 0; offset <= total + 1; offset++) {
      const params = { offset, limit };
      const expected = await engine.query(plainSalesDetail(model), params);
      const actual = await engine.query(QUERIES.salesDetail.sql(model), params);
      assert.deepEqual(actual.columns.map((c) => c.name), expected.columns.map((c) => c.name));
      assert.deepEqual(actual.rows, expected.rows, `offset ${offset}, limit ${limit}`);
    }
  }
}

suite('dashboard queries on DuckDB', function () {
  this.timeout(30_000);
  let lakeDir: string;
  let engine: DuckDbLakeEngine;
  let data: DashboardData;

  suiteSetup(async () => {
    lakeDir = await buildTestLake({ manifest: RUN_MANIFEST as unknown as Record<string, unknown> });
    engine = new DuckDbLakeEngine(lakeDir);
    data = new DashboardData(engine, localManifestReader(lakeDir));
  });
  suiteTeardown(async () => {
    await engine?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('kpis: total sales, orders, customers, average order value', async () => {
    const r = await data.dataset({ id: 'kpis' });
    const total = ORDER_LINES.reduce((s, l) => s + orderAmount(l), 0);
    const orders = new Set(ORDER_LINES.map((l) => l.orderNumber)).size;
    assert.equal(cents(column(r, 'totalSales')[0] as number), cents(total));
    assert.equal(column(r, 'orders')[0], orders);
    assert.equal(column(r, 'customers')[0], new Set(ORDER_LINES.map((l) => l.customerNumber)).size);
    assert.equal(cents(column(r, 'averageOrderValue')[0] as number), cents(total / orders));
    assert.equal(column(r, 'orderLines')[0], ORDER_LINES.length);
  });

  test('salesByCountry: countries by total sales, highest first', async () => {
    const r = await data.dataset({ id: 'salesByCountry' });
    const expected = [...sumBy(ORDER_LINES, countryOf)].sort((a, b) => b[1] - a[1]).slice(0, 10);
    assert.deepEqual(column(r, 'country'), expected.map((e) => e[0]));
    assert.deepEqual(column(r, 'totalSales').map((v) => cents(v as number)), expected.map((e) => cents(e[1])));
  });

  test('salesByProductLine: every line with its total', async () => {
    const r = await data.dataset({ id: 'salesByProductLine' });
    const expected = [...sumBy(ORDER_LINES, (l) => productOf(l).productLine)].sort((a, b) => b[1] - a[1]);
    assert.deepEqual(column(r, 'productLine'), expected.map((e) => e[0]));
    assert.deepEqual(column(r, 'totalSales').map((v) => cents(v as number)), expected.map((e) => cents(e[1])));
  });

  test('monthlySales: one row per month with orders, as YYYY-MM-01 dates', async () => {
    const r = await data.dataset({ id: 'monthlySales' });
    const expected = [...sumBy(ORDER_LINES, (l) => `${l.orderDate.slice(0, 7)}-01`)].sort((a, b) => a[0].localeCompare(b[0]));
    assert.deepEqual(column(r, 'month'), expected.map((e) => e[0]));
    assert.deepEqual(column(r, 'totalSales').map((v) => cents(v as number)), expected.map((e) => cents(e[1])));
  });

  test('products: one page of the dim_products grid, values untouched (quotes and angle brackets included)', async () => {
    const r = await data.dataset({ id: 'products', query: { page: 0, search: '', sortColumn: 'productCode', descending: false } });
    assert.deepEqual(column(r, 'productCode'), PRODUCTS.map((p) => p.productCode).sort());
    assert.ok(column(r, 'productName').includes('The Schooner <Bluenose>'));
    assert.ok(column(r, 'productDescription').includes("Hood opens; it's red"));
    assert.deepEqual(r.page, { index: 0, size: PRODUCTS_PAGE_SIZE, totalRows: PRODUCTS.length });
    assert.ok(!r.columns.some((c) => c.name === 'totalRows'));
  });

  test('products: sorted by any column, either way, from a fixed list', async () => {
    const r = await data.dataset({ id: 'products', query: { page: 0, search: '', sortColumn: 'productName', descending: true } });
    assert.deepEqual(column(r, 'productName'), PRODUCTS.map((p) => p.productName).sort().reverse());
    await assert.rejects(data.dataset({ id: 'products', query: { page: 0, search: '', sortColumn: 'productName; drop' as 'productName', descending: false } }),
      (e: unknown) => e instanceof LabError && e.code === 'queryFailed');
  });

  test('products: search matches code, name, line or vendor as plain text (LIKE wildcards literal)', async () => {
    const search = async (text: string) => column(await data.dataset({ id: 'products', query: { page: 0, search: text, sortColumn: 'productCode', descending: false } }), 'productCode');
    const expected = (text: string) => PRODUCTS.filter((p) => [p.productCode, p.productName, p.productLine, p.productVendor]
      .some((v) => v.toLowerCase().includes(text.toLowerCase()))).map((p) => p.productCode).sort();
    for (const text of ['ford', 'CLASSIC', 'autoart', '<bluenose>', 'S12_']) assert.deepEqual(await search(text), expected(text), text);
    assert.deepEqual(await search('%'), []);
    assert.deepEqual(await search('_'), expected('_'));
    assert.deepEqual(await search("' or 1=1 --"), []);
  });

  test('filterOptions: countries, product lines and the order date range', async () => {
    const r = await data.dataset({ id: 'filterOptions' });
    assert.deepEqual(r.filterOptions!.countries, [...new Set(LOCATIONS.map((l) => l.country))].sort());
    assert.deepEqual(r.filterOptions!.productLines, [...new Set(PRODUCTS.map((p) => p.productLine))].sort());
    const dates = ORDER_LINES.map((l) => l.orderDate).sort();
    assert.equal(r.filterOptions!.firstOrderDate, dates[0]);
    assert.equal(r.filterOptions!.lastOrderDate, dates[dates.length - 1]);
  });

  function expectedTop(filter: TopProductsFilter): Array<[string, number]> {
    const lines = ORDER_LINES.filter((l) => l.orderDate >= filter.startDate && l.orderDate <= filter.endDate &&
      (!filter.country || countryOf(l) === filter.country) && (!filter.productLine || productOf(l).productLine === filter.productLine));
    return [...sumBy(lines, (l) => productOf(l).productName)].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, filter.n);
  }

  for (const filter of [
    { startDate: '2003-01-01', endDate: '2005-12-31', country: '', productLine: '', n: 5 },
    { startDate: '2004-01-01', endDate: '2004-12-31', country: 'France', productLine: 'Classic Cars', n: 3 },
    { startDate: '2004-01-01', endDate: '2004-12-31', country: 'France', productLine: '', n: 1 },
    { startDate: '2003-01-01', endDate: '2004-12-31', country: '', productLine: 'Classic Cars', n: 10 },
  ]) {
    test(`topProducts: ${JSON.stringify(filter)}`, async () => {
      const r = await data.dataset({ id: 'topProducts', filter });
      const expected = expectedTop(filter);
      assert.ok(expected.length > 0);
      assert.deepEqual(column(r, 'productName'), expected.map((e) => e[0]));
      assert.deepEqual(column(r, 'totalSales').map((v) => cents(v as number)), expected.map((e) => cents(e[1])));
    });
  }

  test('topProducts: a filter nothing matches returns no rows', async () => {
    const r = await data.dataset({ id: 'topProducts', filter: { startDate: '2004-01-01', endDate: '2004-12-31', country: 'New Zealand', productLine: '', n: 5 } });
    assert.equal(expectedTop({ startDate: '2004-01-01', endDate: '2004-12-31', country: 'New Zealand', productLine: '', n: 5 }).length, 0);
    assert.equal(r.rows.length, 0);
  });

  test('topProducts: a hostile country value is just a value', async () => {
    const r = await data.dataset({ id: 'topProducts', filter: { startDate: '2003-01-01', endDate: '2005-12-31', country: "France' or ''='", productLine: '', n: 5 } });
    assert.equal(r.rows.length, 0);
  });

  test('topProducts: an invalid filter is refused before it reaches the engine', async () => {
    for (const bad of [
      { startDate: '2004-13-45', endDate: '2004-12-31', country: '', productLine: '', n: 5 },
      { startDate: '2005-01-01', endDate: '2004-12-31', country: '', productLine: '', n: 5 },
      { startDate: '2004-01-01', endDate: '2004-12-31', country: '', productLine: '', n: 11 },
      { startDate: '2004-01-01', endDate: '2004-12-31', country: '', productLine: '', n: 0 },
    ]) {
      await assert.rejects(data.dataset({ id: 'topProducts', filter: bad }), (e: unknown) => e instanceof LabError && e.code === 'queryFailed');
    }
  });

  test('salesDetail: grouped rows, paged, with the total row count', async () => {
    const groups = new Map<string, number>();
    for (const l of ORDER_LINES) {
      const key = [l.orderDate, productOf(l).productLine, productOf(l).productName, countryOf(l)].join('|');
      groups.set(key, (groups.get(key) ?? 0) + orderAmount(l));
    }
    const expected = [...groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const r = await data.dataset({ id: 'salesDetail', page: 0 });
    assert.equal(r.page!.totalRows, expected.length);
    assert.equal(r.page!.size, SALES_DETAIL_PAGE_SIZE);
    assert.ok(!r.columns.some((c) => c.name === 'totalRows'));
    assert.deepEqual(r.rows.map((row) => row.slice(0, 4).join('|')), expected.map((e) => e[0]));
    assert.deepEqual(column(r, 'totalSales').map((v) => cents(v as number)), expected.map((e) => cents(e[1])));
    const beyond = await data.dataset({ id: 'salesDetail', page: 1 });
    assert.equal(beyond.rows.length, Math.max(0, expected.length - SALES_DETAIL_PAGE_SIZE));
  });

  test('salesDetail: every page equals the plain group/order/offset/limit query, total included', async () => {
    await assertSalesDetailMatchesPlain(engine, 'star-v1');
  });

  test('salesDetail pages from per-date counts cached per run equal the plain query, total included', async () => {
    const fresh = new DashboardData(engine, localManifestReader(lakeDir));
    const total = (await engine.query(plainSalesDetail('star-v1'), { offset: 0, limit: 1_000_000 })).rows.length;
    for (const limit of [1, 3, 50]) {
      for (let offset = 0; offset <= total + 1; offset++) {
        const expected = await engine.query(plainSalesDetail('star-v1'), { offset, limit });
        const actual = await fresh.salesDetail(offset, limit);
        assert.deepEqual(actual.rows, expected.rows, `offset ${offset}, limit ${limit}`);
        if (expected.rows.length) {
          assert.deepEqual(actual.columns.map((c) => c.name), expected.columns.map((c) => c.name));
          assert.ok(actual.sql.includes('query "salesDetailPage"'), 'answered from the per-date counts');
        }
      }
    }
  });

  test('salesDetail pages from the per-date counts recorded in the run manifest: nothing counted, the plain query\'s rows', async () => {
    const manifest = await localManifestReader(lakeDir)();
    assert.ok(manifest);
    const recorded = await recordDashboard(engine);
    assert.ok(recorded.answers.salesDetailDates?.rows.length, 'the pipeline records the groups per date');
    const recording = new RecordingEngine(engine);
    const fresh = new DashboardData(recording, () => Promise.resolve({ ...manifest, dashboard: recorded }));
    const total = (await engine.query(plainSalesDetail('star-v1'), { offset: 0, limit: 1_000_000 })).rows.length;
    for (const [offset, limit] of [[0, 3], [2, 3], [total - 1, 50]]) {
      const partials: DatasetResult[] = [];
      const actual = await fresh.salesDetail(offset, limit, undefined, (p) => partials.push(p));
      assert.deepEqual(actual.rows, (await engine.query(plainSalesDetail('star-v1'), { offset, limit })).rows, `offset ${offset}, limit ${limit}`);
      assert.equal(partials.length, 0, 'no first page ahead of a count: there is none to wait for');
      assert.match(actual.sql, /^-- Answered from the run manifest/, 'Copy SQL says where the counts came from');
    }
    const datesSql = QUERIES.salesDetailDates.sql('star-v1');
    assert.deepEqual(recording.answers.filter((a) => a.sql === datesSql), [], 'the groups per date were not counted again');
    assert.ok(recording.answers.some((a) => a.sql === QUERIES.salesDetailPage.sql('star-v1')), 'each page grouped its own dates');
  });

  test('salesDetail first page before the groups are counted equals the plain query; the total follows', async () => {
    const total = (await engine.query(plainSalesDetail('star-v1'), { offset: 0, limit: 1_000_000 })).rows.length;
    let partialsSeen = 0;
    for (const limit of [1, 2, 3, total, total + 1]) {
      const fresh = new DashboardData(engine, localManifestReader(lakeDir));
      const expected = await engine.query(plainSalesDetail('star-v1'), { offset: 0, limit });
      const partials: DatasetResult[] = [];
      const actual = await fresh.salesDetail(0, limit, undefined, (p) => partials.push(p));
      assert.deepEqual(actual.rows, expected.rows, `limit ${limit}`);
      assert.ok(partials.length <= 1);
      for (const partial of partials) {
        partialsSeen++;
        assert.equal(partial.rows.length, limit, 'only a full first page is served early');
        assert.deepEqual(partial.rows, expected.rows.map((r) => r.slice(0, -1)), `partial, limit ${limit}`);
        assert.deepEqual(partial.page, { index: 0, size: limit, totalRows: limit, totalPending: true });
      }
      if (limit > total) assert.equal(partials.length, 0, 'a short aggregate waits for its total');
      // Once the run's groups are counted, no partial answer any more.
      const again: DatasetResult[] = [];
      assert.deepEqual((await fresh.salesDetail(0, limit, undefined, (p) => again.push(p))).rows, expected.rows);
      assert.equal(again.length, 0);
    }
    assert.ok(partialsSeen >= 1, 'the first page was served before the count at least once');
    // Through dataset(): the whole answer has the total and no pending flag.
    const fresh = new DashboardData(engine, localManifestReader(lakeDir));
    const whole = await fresh.dataset({ id: 'salesDetail', page: 0 }, undefined, () => undefined);
    assert.equal(whole.page?.totalRows, total);
    assert.equal(whole.page?.totalPending, undefined);
  });

  test('lakeStatus: star-v1 lake with its last run and checks, not inflated', async () => {
    const r = await data.dataset({ id: 'lakeStatus' });
    const s = r.lakeStatus!;
    assert.equal(s.engine, 'duckdb');
    assert.equal(s.model, 'star-v1');
    assert.equal(s.factRows, ORDER_LINES.length);
    assert.equal(s.orderLines, ORDER_LINES.length);
    assert.equal(s.inflated, false);
    assert.deepEqual(s.warnings, []);
    assert.equal(s.run?.runId, 'run-1');
    assert.deepEqual(s.run?.checks.map((c) => [c.name, c.ok]), [['fact_rows_match_source', true]]);
  });

  test('Copy SQL carries the named query and the parameter values', async () => {
    const filter = { startDate: '2004-01-01', endDate: '2004-12-31', country: 'France', productLine: 'Classic Cars', n: 3 };
    const r = await data.dataset({ id: 'topProducts', filter });
    assert.ok(r.sql.includes(QUERIES.topProducts.sql('star-v1')));
    assert.ok(r.sql.includes(':country = "France"'));
  });
});

suite('dashboard on a lake written by the original lab job', function () {
  this.timeout(30_000);
  let lakeDir: string;
  let engine: DuckDbLakeEngine;

  suiteSetup(async () => {
    lakeDir = await buildTestLake({ legacy: true });
    engine = new DuckDbLakeEngine(lakeDir);
  });
  suiteTeardown(async () => {
    await engine?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('is detected as legacy, with the inflated totals called out', async () => {
    const data = new DashboardData(engine, localManifestReader(lakeDir));
    const s = (await data.dataset({ id: 'lakeStatus' })).lakeStatus!;
    assert.equal(s.model, 'legacy');
    assert.equal(s.orderLines, ORDER_LINES.length);
    assert.ok(s.factRows! > s.orderLines!, `${s.factRows} > ${s.orderLines}`);
    assert.equal(s.inflated, true);
    assert.ok(s.warnings.some((w) => /inflated/.test(w)));
    assert.ok(s.warnings.some((w) => /postalCode/.test(w)));
    assert.equal(s.run, undefined);
  });

  test('a stale manifest that claims a clean run does not hide the duplicated rows', async () => {
    const stale = await buildTestLake({ legacy: true });
    // The manifest's file sizes match (the lake is intact); only its claims about the rows are stale.
    const bytes = (await fs.stat(path.join(stale, 'gold', 'fact_orders', 'part-0.parquet'))).size;
    await fs.writeFile(path.join(stale, 'gold', '_manifest.json'),
      JSON.stringify({ ...RUN_MANIFEST, tables: { fact_orders: { rows: ORDER_LINES.length, files: 1, bytes } } }));
    const staleEngine = new DuckDbLakeEngine(stale);
    try {
      const s = (await new DashboardData(staleEngine, localManifestReader(stale)).dataset({ id: 'lakeStatus' })).lakeStatus!;
      assert.ok(s.factRows! > ORDER_LINES.length);
      assert.equal(s.orderLines, ORDER_LINES.length, 'counted from the facts, not taken from the manifest');
      assert.equal(s.inflated, true);
    } finally {
      await staleEngine.close();
      await fs.rm(stale, { recursive: true, force: true });
    }
  });

  test('salesDetail: every page equals the plain query on the postal-code join (rows repeated as the job did)', async () => {
    await assertSalesDetailMatchesPlain(engine, 'legacy');
  });

  test('country queries still run (joined by postal code) instead of failing', async () => {
    const data = new DashboardData(engine);
    const r = await data.dataset({ id: 'salesByCountry' });
    assert.ok(r.rows.length > 0);
    assert.ok(r.sql.includes('f.postalCode = l.postalCode'));
  });
});
