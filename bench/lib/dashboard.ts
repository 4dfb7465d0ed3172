/**
 * The dashboard's questions asked two ways, shared by bench/dashboard.ts and bench/run.ts: on the lake through
 * DashboardData (the code the panel runs) and in MySQL SQL on the normalized source, with the answers compared.
 */
import * as path from 'node:path';
import type { MysqlTarget } from '../../src/core/config';
import { DATASET_IDS, type DatasetRequest, type DatasetResult, type FilterOptions } from '../../src/core/dashboard/model';
import { DashboardData, recordDashboard } from '../../src/core/dashboard/service';
import { localManifestReader } from '../../src/core/lake/lakeReaders';
import { generateClassicmodels, generatedCounts } from '../../src/core/lab/generator';
import { readLakeManifest } from '../../src/core/lake/manifest';
import { findModelDir } from '../../src/core/lake/model';
import { runPipeline } from '../../src/core/lake/pipeline';
import { RECORD_MIN_FACT_ROWS } from '../../src/core/lake/writeSteps';
import { localLakeIntegrity } from '../../src/core/lake/verify';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';

export type Pool = import('mysql2/promise').Pool;

export interface Question {
  name: string;
  lake: DatasetRequest;
  /** The same question for the normalized source (MySQL dialect); several statements run side by side, like the lake's. */
  source: Array<{ sql: string; values?: unknown[] }>;
  /**
   * Columns compared between the answers: the lake result's column and the first source result's column index.
   * filterOptions and lakeStatus compare their structured answers instead (see sameAnswer).
   */
  compare?: Array<[string, number]>;
}

const SALES = 'od.quantityOrdered * od.priceEach';
const FROM = `from orderdetails od
  join orders o on o.orderNumber = od.orderNumber
  join customers c on c.customerNumber = o.customerNumber
  join products p on p.productCode = od.productCode`;

export function questions(first: string, last: string): Question[] {
  const all = { startDate: first, endDate: last, country: '', productLine: '', n: 5 };
  const france = { startDate: '2004-01-01', endDate: '2004-12-31', country: 'France', productLine: 'Classic Cars', n: 3 };
  const top = (f: typeof all) => ({
    sql: `select p.productName, sum(${SALES}) as totalSales, sum(od.quantityOrdered) as quantity ${FROM}
      where o.orderDate between ? and ? and (? = '' or trim(c.country) = ?) and (? = '' or p.productLine = ?)
      group by p.productCode, p.productName, p.productLine order by totalSales desc, p.productName limit ?`,
    values: [f.startDate, f.endDate, f.country, f.country, f.productLine, f.productLine, f.n],
  });
  const topCompare: Array<[string, number]> = [['productName', 0], ['totalSales', 1], ['quantity', 2]];
  return [
    { name: 'kpis', lake: { id: 'kpis' }, compare: [['totalSales', 0], ['orders', 1], ['customers', 2], ['orderLines', 4]],
      source: [{ sql: `select sum(${SALES}), count(distinct od.orderNumber), count(distinct o.customerNumber),
        sum(${SALES}) / count(distinct od.orderNumber), count(*) from orderdetails od join orders o on o.orderNumber = od.orderNumber` }] },
    { name: 'salesByCountry (top 10)', lake: { id: 'salesByCountry' }, compare: [['country', 0], ['totalSales', 1]],
      source: [{ sql: `select trim(c.country) as country, sum(${SALES}) as totalSales from orderdetails od join orders o on o.orderNumber = od.orderNumber
        join customers c on c.customerNumber = o.customerNumber group by trim(c.country) order by totalSales desc, country limit 10` }] },
    { name: 'salesByProductLine', lake: { id: 'salesByProductLine' }, compare: [['productLine', 0], ['totalSales', 1], ['quantity', 2]],
      source: [{ sql: `select p.productLine, sum(${SALES}) as totalSales, sum(od.quantityOrdered) from orderdetails od
        join products p on p.productCode = od.productCode group by p.productLine order by totalSales desc, p.productLine` }] },
    { name: 'monthlySales', lake: { id: 'monthlySales' }, compare: [['month', 0], ['totalSales', 1], ['orders', 2]],
      source: [{ sql: `select date_format(o.orderDate, '%Y-%m-01') as month, sum(${SALES}), count(distinct od.orderNumber)
        from orderdetails od join orders o on o.orderNumber = od.orderNumber group by month order by month` }] },
    { name: 'topProducts (all, N=5)', lake: { id: 'topProducts', filter: all }, source: [top(all)], compare: topCompare },
    { name: 'topProducts (France, Classic Cars, 2004, N=3)', lake: { id: 'topProducts', filter: france }, source: [top(france)], compare: topCompare },
    { name: 'products (first page of the grid)', lake: { id: 'products', query: { page: 0, search: '', sortColumn: 'productCode', descending: false } },
      compare: [['productCode', 0], ['productName', 1], ['productLine', 2]],
      source: [{ sql: `select productCode, productName, productLine, productScale, productVendor, productDescription, count(*) over ()
        from products order by productCode limit 100 offset 0` }] },
    { name: 'salesDetail (page 1 of the aggregate)', lake: { id: 'salesDetail', page: 0 },
      compare: [['orderDate', 0], ['productLine', 1], ['productName', 2], ['country', 3], ['totalSales', 4], ['quantity', 5]],
      source: [{ sql: `select o.orderDate, p.productLine, p.productName, trim(c.country) as country, sum(${SALES}), sum(od.quantityOrdered), count(*) over ()
        ${FROM} group by o.orderDate, p.productLine, p.productName, trim(c.country) order by 1, 2, 3, 4 limit 50 offset 0` }] },
    { name: 'filterOptions', lake: { id: 'filterOptions' }, source: [
      { sql: "select distinct trim(country) as country from customers where country is not null order by country" },
      { sql: 'select distinct productLine from products where productLine is not null order by productLine' },
      { sql: 'select min(orderDate), max(orderDate) from orders' }] },
    { name: 'lakeStatus', lake: { id: 'lakeStatus' }, source: [
      { sql: 'select count(*), (select count(*) from (select orderNumber, orderLineNumber from orderdetails group by orderNumber, orderLineNumber) d) from orderdetails' }] },
  ];
}

/** A value as comparable text: numbers to 2 decimals (sums of DECIMAL(10,2)), dates as YYYY-MM-DD, text trimmed. */
export function comparable(v: unknown): string {
  if (v === null || v === undefined) return '<null>';
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v).toFixed(2);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  const s = String(v).trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s).toFixed(2);
  if (/^\d{4}-\d{2}-\d{2}([ T]|$)/.test(s)) return s.slice(0, 10);
  return s;
}

/**
 * Whether the lake and the source gave the same answer: the compared columns of every row (in order), or for
 * filterOptions and lakeStatus their structured answers. Undefined when the question has nothing to compare.
 */
export function sameAnswer(q: Question, lake: DatasetResult, source: unknown[][][]): boolean | undefined {
  const text = (values: unknown[]) => JSON.stringify(values.map(comparable));
  if (q.lake.id === 'filterOptions' && lake.filterOptions) {
    const f = lake.filterOptions;
    return text(f.countries) === text(source[0].map((r) => r[0])) && text(f.productLines) === text(source[1].map((r) => r[0]))
      && text([f.firstOrderDate, f.lastOrderDate]) === text(source[2][0]);
  }
  if (q.lake.id === 'lakeStatus' && lake.lakeStatus) {
    return text([lake.lakeStatus.factRows, lake.lakeStatus.orderLines]) === text(source[0][0]);
  }
  if (!q.compare) return undefined;
  if (lake.rows.length !== source[0].length) return false;
  for (const [column, sourceIndex] of q.compare) {
    const i = lake.columns.findIndex((c) => c.name === column);
    if (i < 0) return false;
    if (text(lake.rows.map((r) => r[i])) !== text(source[0].map((r) => r[sourceIndex]))) return false;
  }
  return true;
}

/** A pool on the scaled source; questions MariaDB cannot answer within `capSeconds` are stopped there. */
export async function sourcePool(target: MysqlTarget, database: string, capSeconds: number): Promise<Pool> {
  const mysql = await import('mysql2/promise');
  const pool = mysql.createPool({ host: target.host, port: target.port, user: target.user, password: target.password, database, connectionLimit: 4, dateStrings: true });
  // Give MariaDB in-memory temporary tables big enough for these GROUP BYs (the lab's 16 MB default spills to disk).
  pool.pool.on('connection', (conn) => {
    conn.query(`SET SESSION tmp_table_size = 268435456, max_heap_table_size = 268435456, max_statement_time = ${capSeconds}`);
  });
  return pool;
}

/** The source tables' exact row counts, or undefined when a table is missing. */
export async function sourceCounts(pool: Pool, database: string): Promise<Record<string, number> | undefined> {
  const counts: Record<string, number> = {};
  for (const table of Object.keys(generatedCounts(1))) {
    try {
      const [rows] = await pool.query({ sql: `select count(*) from \`${database}\`.\`${table}\``, rowsAsArray: true });
      counts[table] = Number((rows as unknown[][])[0][0]);
    } catch {
      return undefined;
    }
  }
  return counts;
}

/** classicmodels_xN as the generator makes it (seed 1), generated when missing or of other counts. */
export async function ensureSource(target: MysqlTarget, scale: number, database: string, pool: Pool, log: (line: string) => void = console.log): Promise<void> {
  const expected = generatedCounts(scale);
  const counts = await sourceCounts(pool, database);
  if (counts && Object.entries(expected).every(([table, n]) => counts[table] === n)) return;
  log(`generating ${database} (scale ${scale}) ...`);
  await generateClassicmodels(target, { scale, database, seed: 1 });
}

/**
 * A lake written by the pipeline from `database`, reused while its manifest matches the source's order lines and
 * records the dashboard's answers where the pipeline does (a lake from before they were recorded would time the older path).
 */
export async function ensureLake(target: MysqlTarget, scale: number, database: string, lakeDir: string, repoRoot: string, log: (line: string) => void = console.log): Promise<void> {
  const manifest = await readLakeManifest(lakeDir).catch(() => undefined);
  const orderLines = generatedCounts(scale).orderdetails;
  if (manifest?.ok && manifest.source.database === database && manifest.source.counts.orderdetails === orderLines &&
    (manifest.dashboard !== undefined || orderLines < RECORD_MIN_FACT_ROWS)) return;
  log(`writing the lake from ${database} into ${path.relative(repoRoot, lakeDir)} ...`);
  const started = performance.now();
  await runPipeline({ target, database, lakeDir, modelDir: findModelDir(__dirname), recordAnswers: recordDashboard });
  log(`  pipeline run: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

export async function timeLake(data: DashboardData, request: DatasetRequest): Promise<{ ms: number; result: DatasetResult }> {
  const started = performance.now();
  const result = await data.dataset(request);
  return { ms: performance.now() - started, result };
}

/** Every statement of a question at once; the answer is each statement's rows. */
export async function timeSource(pool: Pool, statements: Question['source']): Promise<{ ms: number; rows: unknown[][][] }> {
  const started = performance.now();
  const results = await Promise.all(statements.map((s) => pool.query({ sql: s.sql, values: s.values, rowsAsArray: true })));
  return { ms: performance.now() - started, rows: results.map((r) => r[0] as unknown[][]) };
}

/** MariaDB stopped the statement at max_statement_time: the time is a lower bound, not a failure. */
export const stoppedAtCap = (err: unknown) => /max_statement_time|interrupted/i.test((err as Error).message);

/** Every card's dataset as the page first asks for it. */
export function everyCard(range: FilterOptions): DatasetRequest[] {
  return DATASET_IDS.map((id) =>
    id === 'topProducts' ? { id, filter: { startDate: range.firstOrderDate, endDate: range.lastOrderDate, country: '', productLine: '', n: 5 } }
      : id === 'salesDetail' ? { id, page: 0 }
        : id === 'products' ? { id, query: { page: 0, search: '', sortColumn: 'productCode', descending: false } } : { id } as DatasetRequest);
}

/**
 * The whole dashboard on a new engine (cold), every card's dataset asked at once as the page does. Shown: every card
 * has its data, the detailed aggregate's first page possibly before its total (the page shows that answer at once);
 * complete: the total counted too; copied: the lake copied into memory and serving the views.
 */
export async function coldDashboard(lakeDir: string, range: FilterOptions, engineOptions: ConstructorParameters<typeof DuckDbLakeEngine>[1] = {}): Promise<{ shownMs: number; completeMs: number; copiedMs: number }> {
  const cold = new DuckDbLakeEngine(lakeDir, { integrity: localLakeIntegrity(lakeDir), ...engineOptions });
  try {
    // One DashboardData for the whole page, as the panel holds.
    const data = new DashboardData(cold, localManifestReader(lakeDir));
    const started = performance.now();
    const shown: Array<Promise<unknown>> = [];
    const finals = everyCard(range).map((r) => {
      let markShown!: () => void;
      shown.push(new Promise<void>((resolve) => { markShown = resolve; }));
      const final = data.dataset(r, undefined, () => markShown());
      final.then(() => markShown(), () => markShown());
      return final;
    });
    await Promise.all(shown);
    const shownMs = performance.now() - started;
    await Promise.all(finals);
    const completeMs = performance.now() - started;
    await cold.settled();
    return { shownMs, completeMs, copiedMs: performance.now() - started };
  } finally {
    await cold.close();
  }
}
