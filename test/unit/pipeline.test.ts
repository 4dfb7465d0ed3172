import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LabError } from '../../src/core/errors';
import { leftoverRunDirs, lockLake, recoverLake, swapInGold, tempRunDir } from '../../src/core/lake/lakeFiles';
import { readLakeManifest } from '../../src/core/lake/manifest';
import { formatCents, reconcile, toCents } from '../../src/core/lake/reconcile';
import { formatTable } from '../../src/core/lake/report';
import { describeEvent, formatRate } from '../../src/core/run/describe';
import { applyPipelineEvent, emptyPipelineState } from '../../src/core/run/viewState';

suite('pipeline: exact money', () => {
  test('decimal strings become cents and back without floating point', () => {
    assert.equal(toCents('9604190.61'), 960419061n);
    assert.equal(toCents('12'), 1200n);
    assert.equal(toCents('-3.5'), -350n);
    assert.equal(toCents('27682304549.33'), 2768230454933n);
    assert.equal(toCents('1.234'), undefined);
    assert.equal(toCents('abc'), undefined);
    assert.equal(formatCents(960419061n), '9604190.61');
    assert.equal(formatCents(-5n), '-0.05');
  });
});

suite('pipeline: event lines and view state', () => {
  test('lines carry rows, throughput, check outcome and a final status', () => {
    const table = describeEvent({ kind: 'table', step: 'extract', table: 'orderdetails', rows: 3_000_000, durationMs: 2000 });
    assert.match(table!.text, /orderdetails\s+3000000 rows .*1\.50M rows\/s/);
    const failed = describeEvent({ kind: 'check', check: { name: 'fact_rows_match_source', ok: false, expected: '2996', actual: '3020', message: 'expected 2996, got 3020' } });
    assert.deepEqual(failed, { text: '  FAIL fact_rows_match_source: expected 2996, got 3020', tone: 'fail' });
    assert.equal(describeEvent({ kind: 'runFinished', ok: true, durationMs: 1500, message: 'done' })!.text, 'SUCCESS: done (1.5 s)');
    assert.equal(formatRate(500, 1000), '500 rows/s');
  });

  test('the view state follows a run and keeps the failed step', () => {
    let s = emptyPipelineState();
    s = applyPipelineEvent(s, { kind: 'runStarted', runId: 'r1', source: 'db', lake: '/l' });
    assert.equal(s.running, true);
    s = applyPipelineEvent(s, { kind: 'stepStarted', step: 'source' });
    s = applyPipelineEvent(s, { kind: 'stepFinished', step: 'source', status: 'ok', durationMs: 5, rows: 10, summary: 'ok' });
    s = applyPipelineEvent(s, { kind: 'stepStarted', step: 'extract' });
    assert.equal(s.steps[1].state, 'running');
    s = applyPipelineEvent(s, { kind: 'stepFinished', step: 'extract', status: 'failed', durationMs: 7, summary: 'boom' });
    s = applyPipelineEvent(s, { kind: 'runFinished', ok: false, durationMs: 12, message: 'Pipeline failed: boom' });
    assert.deepEqual(s.steps.map((x) => x.state), ['ok', 'failed', 'pending', 'pending', 'pending']);
    assert.equal(s.running, false);
    assert.deepEqual([s.lastRun?.runId, s.lastRun?.ok], ['r1', false]);
    // A new run resets the steps.
    s = applyPipelineEvent(s, { kind: 'runStarted', runId: 'r2', source: 'db', lake: '/l' });
    assert.deepEqual(s.steps.map((x) => x.state), ['pending', 'pending', 'pending', 'pending', 'pending']);
  });

  test('text tables align numbers right and print NULL', () => {
    assert.equal(formatTable(['a', 'n'], [['x', 1], [null, 100]]), 'a       n\n----  ---\nx       1\nNULL  100');
  });
});

suite('pipeline: lake folder discipline', () => {
  let lake: string;
  setup(async () => {
    lake = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-unit-'));
  });
  teardown(async () => {
    await fs.rm(lake, { recursive: true, force: true });
  });

  async function stage(runId: string, marker: string): Promise<string> {
    const gold = path.join(tempRunDir(lake, runId), 'gold');
    await fs.mkdir(path.join(gold, 't'), { recursive: true });
    await fs.writeFile(path.join(gold, 't', 'part-0.parquet'), marker);
    return gold;
  }

  test('swapping replaces gold/ whole and leaves no run folders', async () => {
    await swapInGold(lake, await stage('a', 'first'), 'a');
    await fs.rm(tempRunDir(lake, 'a'), { recursive: true });
    await swapInGold(lake, await stage('b', 'second'), 'b');
    await fs.rm(tempRunDir(lake, 'b'), { recursive: true });
    assert.equal(await fs.readFile(path.join(lake, 'gold', 't', 'part-0.parquet'), 'utf8'), 'second');
    assert.deepEqual(await leftoverRunDirs(lake), []);
  });

  test('recovery restores gold/ after a crash between the renames and removes temp folders', async () => {
    await swapInGold(lake, await stage('a', 'first'), 'a');
    await fs.rename(path.join(lake, 'gold'), path.join(lake, '.old-b'));
    await stage('b', 'half');
    await recoverLake(lake);
    assert.equal(await fs.readFile(path.join(lake, 'gold', 't', 'part-0.parquet'), 'utf8'), 'first');
    assert.deepEqual(await leftoverRunDirs(lake), []);
  });

  test('one run per lake: a second lock is refused, a dead holder is replaced', async () => {
    const release = await lockLake(lake);
    await assert.rejects(lockLake(lake), (e: unknown) => e instanceof LabError && e.code === 'lakeBusy' && /Another run \(this process, started \d{4}-/.test(e.message));
    await release();
    await fs.writeFile(path.join(lake, '.pipeline.lock'), '999999999'); // a pid that is not alive
    const again = await lockLake(lake);
    await again();
  });

  test('a lake without a manifest reads as undefined', async () => {
    assert.equal(await readLakeManifest(lake), undefined);
  });
});

suite('pipeline: reconciliation checks', function () {
  this.timeout(30_000);
  let instance: DuckDBInstance;
  let duck: DuckDBConnection;

  suiteSetup(async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    instance = await DuckDBInstance.create(':memory:');
    duck = await instance.connect();
  });
  suiteTeardown(() => {
    duck.closeSync();
    instance.closeSync();
  });

  async function build(factRows: string, dims: { customers: string; products: string; locations: string }): Promise<void> {
    await duck.run('create or replace table dim_customers (customerNumber int)');
    await duck.run('create or replace table dim_products (productCode varchar)');
    await duck.run('create or replace table dim_locations (locationKey int)');
    await duck.run('create or replace table fact_orders (customerNumber int, productCode varchar, locationKey int, orderAmount decimal(18,2))');
    await duck.run(`insert into dim_customers values ${dims.customers}`);
    await duck.run(`insert into dim_products values ${dims.products}`);
    await duck.run(`insert into dim_locations values ${dims.locations}`);
    await duck.run(`insert into fact_orders values ${factRows}`);
  }
  const source = { counts: { orderdetails: 2 }, orderAmountTotal: '30.10' };
  const failing = async () => (await reconcile(duck, (t) => t, source)).filter((c) => !c.ok).map((c) => c.name);

  test('a consistent star passes every check', async () => {
    await build("(1, 'A', 1, 10.05), (2, 'B', 2, 20.05)", { customers: '(1), (2)', products: "('A'), ('B')", locations: '(1), (2)' });
    assert.deepEqual(await failing(), []);
  });

  test('a wrong total and a wrong row count each fail by name; orphan and duplicate keys are left to the declared tests', async () => {
    await build("(1, 'A', 1, 10.05), (3, 'Z', null, 20.06), (2, 'B', 2, 0)", { customers: '(1), (2), (2)', products: "('A'), ('B')", locations: '(1), (2)' });
    // unique and relationships in glue/sql/schema.yml report the keys (dataTests.test.ts); these are the source checks.
    assert.deepEqual((await failing()).sort(), ['fact_rows_match_source', 'order_amount_matches_source']);
  });

  test('a duplicated dimension key does not multiply the fact count and total', async () => {
    await build("(1, 'A', 1, 10.05), (2, 'B', 2, 20.05)", { customers: '(1), (2), (2)', products: "('A'), ('A'), ('B')", locations: '(1), (2), (2)' });
    const checks = await reconcile(duck, (t) => t, source);
    assert.deepEqual(checks.map((c) => [c.name, c.ok, c.actual]), [['fact_rows_match_source', true, '2'], ['order_amount_matches_source', true, '30.10']]);
  });
});
