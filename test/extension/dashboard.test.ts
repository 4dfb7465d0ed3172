import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import type { DatasetId } from '../../src/core/dashboard/model';
import type { DashboardRenderedState, ReceivedReport } from '../../src/webview/dashboardPanel';

import { EXTENSION_ID } from './activation';

/** The lab's product-line figures for its dump. */
const EXPECTED_BY_LINE: Array<[string, number]> = [
  ['Classic Cars', 3853922.49], ['Vintage Cars', 1797559.63], ['Motorcycles', 1121426.12], ['Trucks and Buses', 1024113.57],
  ['Planes', 954637.54], ['Ships', 663998.34], ['Trains', 188532.92],
];
const cents = (v: unknown) => Math.round(Number(v) * 100);

async function api(): Promise<LifecycleLabApi> {
  const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
  assert.ok(ext, 'the extension is installed');
  return ext.activate();
}

async function renderedState(): Promise<DashboardRenderedState> {
  return (await api()).dashboard.renderedState();
}

/** Waits until the page reports `dataset` newer than `afterSeq` and matching `accept`. */
async function waitForReport(dataset: DatasetId, afterSeq: number, accept: (r: ReceivedReport) => boolean = () => true, timeoutMs = 60_000): Promise<ReceivedReport> {
  const deadline = Date.now() + timeoutMs;
  let last: ReceivedReport | undefined;
  while (Date.now() < deadline) {
    last = (await renderedState()).reports[dataset];
    if (last && last.seq > afterSeq && accept(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no report for ${dataset} after seq ${afterSeq}; last: ${JSON.stringify(last)}`);
}

/** Independent answers: plain DuckDB over the lake's Parquet files, not the dashboard's queries or engine. */
async function independent(lakeDir: string, sql: (file: (table: string) => string) => string): Promise<unknown[][]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const file = (table: string) => `read_parquet('${path.join(lakeDir, 'gold', table, 'part-0.parquet')}')`;
    const reader = await db.runAndReadAll(sql(file));
    return reader.getRowsJS() as unknown[][];
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

suite('Dashboard', function () {
  this.timeout(240_000);
  let lakeDir: string;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    const { services } = await ext.activate();
    lakeDir = services.config().local.lakeDir;
    if (!fs.existsSync(path.join(lakeDir, 'gold', '_manifest.json'))) {
      // A fresh lab: start it and run the pipeline the way a user would.
      if (!(await services.sourceTarget())) await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
      const lakeChanged = new Promise<void>((resolve) => {
        const sub = services.onDidChangeLake(() => { sub.dispose(); resolve(); });
      });
      await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
      await lakeChanged;
    }
    assert.ok(fs.existsSync(path.join(lakeDir, 'gold', 'fact_orders', 'part-0.parquet')), 'the pipeline wrote the lake');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('renders the top-10 countries and the product-line totals of the lake', async () => {
    const before = (await renderedState()).lastSeq;
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
    const countries = await waitForReport('salesByCountry', before, (r) => r.state !== 'error');
    const lines = await waitForReport('salesByProductLine', before, (r) => r.state !== 'error');

    const expectedCountries = await independent(lakeDir, (f) => `
      select l.country, sum(o.orderAmount) as total from ${f('fact_orders')} o join ${f('dim_locations')} l on l.locationKey = o.locationKey
      group by l.country order by total desc, l.country limit 10`);
    assert.equal(countries.state, 'data');
    assert.deepEqual(countries.labels, expectedCountries.map((r) => r[0]));
    assert.deepEqual(countries.values.map(cents), expectedCountries.map((r) => cents(r[1])));

    assert.equal(lines.state, 'data');
    assert.deepEqual(lines.labels, EXPECTED_BY_LINE.map((e) => e[0]));
    assert.deepEqual(lines.values.map(cents), EXPECTED_BY_LINE.map((e) => cents(e[1])));
    const expectedLines = await independent(lakeDir, (f) => `
      select p.productLine, sum(o.orderAmount) as total from ${f('fact_orders')} o join ${f('dim_products')} p on p.productCode = o.productCode
      group by p.productLine order by total desc`);
    assert.deepEqual(lines.values.map(cents), expectedLines.map((r) => cents(r[1])));

    const lake = await waitForReport('lakeStatus', before);
    assert.equal(lake.state, 'data');
    assert.deepEqual(lake.labels, ['star-v1', 'ok', '✓ Reconciled']);
  });

  test('a damaged table: the header says "Damaged" with its name instead of "Reconciled"; its cards name it, the others render', async () => {
    const { services } = await api();
    const file = path.join(lakeDir, 'gold', 'dim_products', 'part-0.parquet');
    const saved = fs.readFileSync(file);
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
    try {
      // Same size, other bytes: only a checksum sees it.
      const garbled = Buffer.from(saved);
      for (let i = Math.floor(garbled.length / 2); i < Math.floor(garbled.length / 2) + 32; i++) garbled[i] ^= 0xff;
      fs.writeFileSync(file, garbled);
      const before = (await renderedState()).lastSeq;
      services.fireLakeChanged();
      const lake = await waitForReport('lakeStatus', before);
      assert.equal(lake.state, 'data');
      assert.equal(lake.labels[2], '✗ Damaged: dim_products');
      const lines = await waitForReport('salesByProductLine', before);
      assert.equal(lines.state, 'error');
      assert.match(lines.message ?? '', /dim_products\/part-0\.parquet/);
      const countries = await waitForReport('salesByCountry', before);
      assert.equal(countries.state, 'data');
      assert.equal(countries.rowCount, 10);
    } finally {
      fs.writeFileSync(file, saved);
      const before = (await renderedState()).lastSeq;
      services.fireLakeChanged();
      const intact = await waitForReport('lakeStatus', before);
      assert.equal(intact.labels[2], '✓ Reconciled', 'the restored file matches the manifest again');
    }
  });

  test('the Top-N chart follows its filters: France, Classic Cars, 2004, N=3', async () => {
    const filter = { startDate: '2004-01-01', endDate: '2004-12-31', country: 'France', productLine: 'Classic Cars', n: 3 };
    const before = (await renderedState()).lastSeq;
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open', { topProducts: filter });
    const top = await waitForReport('topProducts', before, (r) => JSON.stringify(r.filter) === JSON.stringify(filter));
    const expected = await independent(lakeDir, (f) => `
      select p.productName, sum(o.orderAmount) as total
      from ${f('fact_orders')} o join ${f('dim_products')} p on p.productCode = o.productCode join ${f('dim_locations')} l on l.locationKey = o.locationKey
      where o.orderDate between date '2004-01-01' and date '2004-12-31' and l.country = 'France' and p.productLine = 'Classic Cars'
      group by p.productCode, p.productName order by total desc, p.productName limit 3`);
    assert.equal(expected.length, 3);
    assert.equal(top.state, 'data');
    assert.deepEqual(top.labels, expected.map((r) => r[0]));
    assert.deepEqual(top.values.map(cents), expected.map((r) => cents(r[1])));
  });

  test('a reopened dashboard asks for the Top-N with its first questions and shows the whole date range of the lake', async () => {
    // The second open knows the filter options: the host hands the page the default filter up front.
    const expected = await independent(lakeDir, (f) => `
      select p.productName, sum(o.orderAmount) as total, (select min(orderDate)::varchar from ${f('fact_orders')}), (select max(orderDate)::varchar from ${f('fact_orders')})
      from ${f('fact_orders')} o join ${f('dim_products')} p on p.productCode = o.productCode
      group by p.productCode, p.productName order by total desc, p.productName limit 5`);
    const filter = { startDate: String(expected[0][2]), endDate: String(expected[0][3]), country: '', productLine: '', n: 5 };
    for (const open of ['first', 'reopened']) {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      while ((await renderedState()).open) await new Promise((r) => setTimeout(r, 50));
      await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
      const top = await waitForReport('topProducts', 0);
      assert.deepEqual(top.filter, filter, `${open}: the default filter`);
      assert.deepEqual(top.labels, expected.map((r) => r[0]), `${open}: the top products`);
      const options = await waitForReport('filterOptions', 0);
      assert.equal(options.state, 'data');
    }
  });

  test('a filter with no sales shows the empty state', async () => {
    const filter = { startDate: '2003-01-01', endDate: '2003-01-02', country: 'Japan', productLine: 'Trains', n: 5 };
    const check = await independent(lakeDir, (f) => `
      select count(*) from ${f('fact_orders')} o join ${f('dim_products')} p on p.productCode = o.productCode join ${f('dim_locations')} l on l.locationKey = o.locationKey
      where o.orderDate between date '2003-01-01' and date '2003-01-02' and l.country = 'Japan' and p.productLine = 'Trains'`);
    assert.equal(Number(check[0][0]), 0, 'the filter really matches nothing');
    const before = (await renderedState()).lastSeq;
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open', { topProducts: filter });
    const top = await waitForReport('topProducts', before, (r) => JSON.stringify(r.filter) === JSON.stringify(filter));
    assert.equal(top.state, 'empty');
    assert.equal(top.rowCount, 0);
  });

  test('a failing query shows an error card while the other cards still render', async () => {
    const before = (await renderedState()).lastSeq;
    await (await api()).dashboard.injectQueryFailure('salesByProductLine');
    const failed = await waitForReport('salesByProductLine', before);
    assert.equal(failed.state, 'error');
    assert.match(failed.message ?? '', /Injected failure/);
    const countries = await waitForReport('salesByCountry', before);
    assert.equal(countries.state, 'data');
    assert.equal(countries.rowCount, 10);
    const kpis = await waitForReport('kpis', before);
    assert.equal(kpis.state, 'data');
    assert.equal(cents(kpis.values[0]), cents(9604190.61));
  });
});
