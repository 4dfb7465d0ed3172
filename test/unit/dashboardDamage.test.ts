import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { lakeBadge } from '../../src/core/dashboard/model';
import { DashboardData, recordDashboard } from '../../src/core/dashboard/service';
import { localDamageReader, localManifestReader } from '../../src/core/lake/lakeReaders';
import { LabError } from '../../src/core/errors';
import type { LakeManifest } from '../../src/core/run/manifest';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { parseHostMessage } from '../../src/webview/protocol';
import { buildTestLake, ORDER_LINES, recordedTables } from './dashboardLakeFixture';
import { CheckedLakeEngine } from '../checkedLakeEngine';

/** A reconciled run's manifest with each file's size and SHA-256 and the dashboard's recorded answers. */
async function writeManifest(lakeDir: string): Promise<void> {
  const engine = new CheckedLakeEngine(lakeDir);
  let dashboard;
  try {
    dashboard = await recordDashboard(engine);
  } finally {
    await engine.close();
  }
  const tables = await recordedTables(lakeDir);
  const manifest: LakeManifest = {
    runId: 'run-1', startedAt: '2026-11-25T10:00:00.000Z', finishedAt: '2026-11-25T10:00:02.000Z', model: 'star-v1',
    engine: { name: 'duckdb', version: 'test' },
    source: { host: 'h', port: 1, database: 'classicmodels', counts: { orderdetails: ORDER_LINES.length }, orderAmountTotal: '0' },
    tables, ok: true, dashboard,
    checks: [{ name: 'fact_rows_match_source', ok: true, expected: String(ORDER_LINES.length), actual: String(ORDER_LINES.length), message: 'fact rows = source order lines' }],
  };
  await fs.writeFile(path.join(lakeDir, 'gold', '_manifest.json'), JSON.stringify(manifest));
}

async function truncateHalf(lakeDir: string, table: string): Promise<void> {
  const file = path.join(lakeDir, 'gold', table, 'part-0.parquet');
  await fs.truncate(file, Math.floor((await fs.stat(file)).size / 2));
}

const damagedError = (table: string) => (e: unknown) =>
  e instanceof LabError && e.code === 'lakeDamaged' && e.message.includes(table);

suite('dashboard on a damaged lake', function () {
  this.timeout(60_000);
  let lakeDir: string;
  let engine: DuckDbLakeEngine;
  let data: DashboardData;

  setup(async () => {
    lakeDir = await buildTestLake();
    await writeManifest(lakeDir);
    engine = new CheckedLakeEngine(lakeDir);
    data = new DashboardData(engine, localManifestReader(lakeDir), localDamageReader(lakeDir));
  });
  teardown(async () => {
    await engine?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('an intact reconciled lake: no damaged table, the badge says reconciled', async () => {
    const s = (await data.dataset({ id: 'lakeStatus' })).lakeStatus!;
    assert.deepEqual(s.damaged, []);
    assert.deepEqual([lakeBadge(s).tone, lakeBadge(s).text], ['ok', '✓ Reconciled']);
  });

  test('a damaged dimension: the Lake status names it, says so in the warnings with Verify Lake, and the badge is not "Reconciled"', async () => {
    await truncateHalf(lakeDir, 'dim_products');
    const result = await data.dataset({ id: 'lakeStatus' });
    const s = result.lakeStatus!;
    assert.deepEqual(s.damaged, ['dim_products']);
    assert.equal(s.run?.ok, true, 'the run itself reconciled');
    assert.ok(s.warnings.some((w) => /dim_products/.test(w) && /damaged/.test(w) && /Verify Lake/.test(w)), s.warnings.join(' | '));
    const badge = lakeBadge(s);
    assert.equal(badge.tone, 'failed');
    assert.match(badge.text, /Damaged: dim_products/);
    assert.doesNotMatch(badge.text, /Reconciled/);
    // The page accepts the status it is sent.
    const message = parseHostMessage({ type: 'result', requestId: 1, result });
    assert.deepEqual(message?.type === 'result' ? message.result.lakeStatus?.damaged : undefined, ['dim_products']);
  });

  test('a damaged fact table: the Lake status still answers, naming it, with no fact counts', async () => {
    await truncateHalf(lakeDir, 'fact_orders');
    const s = (await data.dataset({ id: 'lakeStatus' })).lakeStatus!;
    assert.deepEqual(s.damaged, ['fact_orders']);
    assert.equal(s.factRows, undefined);
    assert.equal(s.orderLines, undefined);
    assert.equal(s.inflated, false);
    assert.match(lakeBadge(s).text, /Damaged: fact_orders/);
  });

  test('a damaged dim_locations is reported as damaged, not as a lake without dim_locations', async () => {
    await truncateHalf(lakeDir, 'dim_locations');
    await assert.rejects(data.dataset({ id: 'salesByCountry' }), damagedError('dim_locations'));
    assert.deepEqual((await data.dataset({ id: 'lakeStatus' })).lakeStatus!.damaged, ['dim_locations']);
  });

  test('answers recorded in the manifest are not shown while a table is damaged: the card names the damage', async () => {
    assert.equal((await data.dataset({ id: 'kpis' })).recorded, true, 'an intact lake answers from the record');
    await truncateHalf(lakeDir, 'fact_orders');
    const fresh = new DashboardData(engine, localManifestReader(lakeDir), localDamageReader(lakeDir));
    await assert.rejects(fresh.dataset({ id: 'kpis' }), damagedError('fact_orders'));
    await assert.rejects(fresh.dataset({ id: 'salesByProductLine' }), damagedError('fact_orders'));
    // Filter options read the dimensions (intact) as well as fact_orders' dates: asked of the lake, not the record.
    await assert.rejects(fresh.dataset({ id: 'filterOptions' }), damagedError('fact_orders'));
  });
});
