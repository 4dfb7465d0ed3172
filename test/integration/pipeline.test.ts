import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MysqlTarget } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { leftoverRunDirs } from '../../src/core/lake/lakeFiles';
import { goldDir, readLakeManifest, tableFile } from '../../src/core/lake/manifest';
import { MODEL_TABLES, type LakePart } from '../../src/core/run/manifest';
import { findModelDir } from '../../src/core/lake/model';
import { verifyLake } from '../../src/core/lake/verify';
import { ReconcileError, runPipeline, type PipelineOptions } from '../../src/core/lake/pipeline';
import type { PipelineEvent } from '../../src/core/run/events';
import { recordDashboard } from '../../src/core/dashboard/service';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { labTarget } from './fixture';

/** The lab's figures for its dump (issue 5). */
const EXPECTED_BY_LINE: Record<string, string> = {
  'Classic Cars': '3853922.49',
  'Vintage Cars': '1797559.63',
  Motorcycles: '1121426.12',
  'Trucks and Buses': '1024113.57',
  Planes: '954637.54',
  Ships: '663998.34',
  Trains: '188532.92',
};

/** The lab's original job: locations keyed by postalCode alone, which fans out shared postal codes. */
const FANNED_OUT_LOCATIONS = `
select distinct postalCode as locationKey, postalCode, city, state, country
from customers`;
const FANNED_OUT_FACT = `
select od.orderNumber, od.orderLineNumber, o.orderDate, o.requiredDate, o.shippedDate, o.status,
       o.customerNumber, od.productCode, l.locationKey, od.quantityOrdered, od.priceEach,
       cast(od.quantityOrdered * od.priceEach as decimal(18,2)) as orderAmount, p.buyPrice, p.MSRP
from orderdetails od
join orders o on o.orderNumber = od.orderNumber
join products p on p.productCode = od.productCode
join customers c on c.customerNumber = o.customerNumber
join dim_locations l on l.postalCode = c.postalCode`;

async function snapshotLake(lakeDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const table of MODEL_TABLES) {
    const stat = await fs.stat(tableFile(lakeDir, table));
    files[table] = `${stat.size}:${stat.mtimeMs}`;
  }
  files.manifest = await fs.readFile(path.join(goldDir(lakeDir), '_manifest.json'), 'utf8');
  return files;
}

suite('local pipeline on the lab dump', function () {
  this.timeout(120_000);
  let target: MysqlTarget;
  let lakeDir: string;
  let tmp: string;
  const modelDir = findModelDir(__dirname);

  suiteSetup(async () => {
    target = await labTarget();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-it-'));
    lakeDir = path.join(tmp, 'lake');
  });

  suiteTeardown(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('produces the lab figures: 2,996 fact rows, 9,604,190.61 total, per product line, reconciled', async () => {
    const events: PipelineEvent[] = [];
    const result = await runPipeline({ target, lakeDir, modelDir, onEvent: (e) => events.push(e) });
    assert.equal(result.manifest.ok, true);
    assert.equal(result.manifest.source.counts.orderdetails, 2996);
    assert.equal(result.manifest.tables.fact_orders.rows, 2996);
    assert.ok(result.manifest.checks.length >= 8);
    assert.deepEqual(result.manifest.checks.filter((c) => !c.ok), []);
    assert.deepEqual(result.steps.map((s) => [s.step, s.status]),
      [['source', 'ok'], ['extract', 'ok'], ['transform', 'ok'], ['load', 'ok'], ['reconcile', 'ok']]);
    assert.ok(events.some((e) => e.kind === 'runFinished' && e.ok));

    const onDisk = await readLakeManifest(lakeDir);
    assert.equal(onDisk?.runId, result.manifest.runId);
    for (const table of MODEL_TABLES) {
      const stat = await fs.stat(tableFile(lakeDir, table));
      assert.equal(onDisk!.tables[table].bytes, stat.size);
      // Each file's size and SHA-256, so opening the lake and Verify Lake can tell a damaged file.
      const parts: LakePart[] = onDisk!.tables[table].parts ?? [];
      assert.equal(parts.length, 1);
      const part = parts[0];
      assert.equal(part.file, 'part-0.parquet');
      assert.equal(part.bytes, stat.size);
      assert.equal(part.sha256, createHash('sha256').update(await fs.readFile(tableFile(lakeDir, table))).digest('hex'));
    }
    const verified = await verifyLake(lakeDir);
    assert.deepEqual([verified.ok, verified.checksums, verified.tables.map((t) => t.table).sort()], [true, true, [...MODEL_TABLES].sort()]);

    const engine = new DuckDbLakeEngine(lakeDir);
    try {
      const total = await engine.query('select cast(sum(orderAmount) as varchar) as total, count(*) as n from fact_orders');
      assert.deepEqual(total.rows[0], ['9604190.61', 2996]);
      const byLine = await engine.query(`
        select p.productLine, cast(sum(f.orderAmount) as varchar) as total
        from fact_orders f join dim_products p on p.productCode = f.productCode
        group by p.productLine`);
      assert.deepEqual(Object.fromEntries(byLine.rows.map((r) => [r[0], r[1]])), EXPECTED_BY_LINE);
      // One location per distinct trimmed natural key, and one fact row per order line (no fan-out).
      const keys = await engine.query(`
        select count(*) as n, count(distinct locationKey) as keys,
               count(distinct coalesce(postalCode, '') || '|' || coalesce(city, '') || '|' || coalesce(state, '') || '|' || coalesce(country, '')) as naturals
        from dim_locations`);
      assert.equal(keys.rows[0][0], keys.rows[0][1]);
      assert.equal(keys.rows[0][0], keys.rows[0][2]);
      const lines = await engine.query('select count(*) from (select distinct orderNumber, productCode from fact_orders)');
      assert.equal(lines.rows[0][0], 2996);
      const schema = await engine.query("select column_name, column_type from (describe fact_orders) where column_name in ('orderAmount', 'priceEach', 'orderDate', 'locationKey')");
      assert.deepEqual(Object.fromEntries(schema.rows.map((r) => [r[0], r[1]])),
        { orderDate: 'DATE', locationKey: 'INTEGER', priceEach: 'DECIMAL(10,2)', orderAmount: 'DECIMAL(18,2)' });
    } finally {
      await engine.close();
    }
    assert.deepEqual(await leftoverRunDirs(lakeDir), []);
  });

  test('a rerun overwrites the lake instead of appending', async () => {
    const before = await readLakeManifest(lakeDir);
    const result = await runPipeline({ target, lakeDir, modelDir });
    assert.notEqual(result.manifest.runId, before?.runId);
    assert.equal(result.manifest.tables.fact_orders.rows, 2996);
    const parts = await fs.readdir(path.join(goldDir(lakeDir), 'fact_orders'));
    assert.deepEqual(parts, ['part-0.parquet']);
  });

  test("the lab's postalCode-keyed join fails reconciliation, naming the check, and keeps the previous lake", async () => {
    const before = await snapshotLake(lakeDir);
    const fanned = path.join(tmp, 'fanned-model');
    await fs.mkdir(fanned);
    await fs.copyFile(path.join(modelDir, 'dim_customers.sql'), path.join(fanned, 'dim_customers.sql'));
    await fs.copyFile(path.join(modelDir, 'dim_products.sql'), path.join(fanned, 'dim_products.sql'));
    await fs.copyFile(path.join(modelDir, 'schema.yml'), path.join(fanned, 'schema.yml'));
    await fs.writeFile(path.join(fanned, 'dim_locations.sql'), FANNED_OUT_LOCATIONS);
    await fs.writeFile(path.join(fanned, 'fact_orders.sql'), FANNED_OUT_FACT);

    await assert.rejects(runPipeline({ target, lakeDir, modelDir: fanned }), (err: unknown) => {
      assert.ok(err instanceof ReconcileError, String(err));
      assert.equal(err.code, 'reconcileFailed');
      assert.match(err.message, /fact_rows_match_source/);
      const failed = err.checks.filter((c) => !c.ok).map((c) => c.name);
      assert.ok(failed.includes('fact_rows_match_source'));
      assert.ok(failed.includes('unique_dim_locations_locationKey'));
      assert.ok(Number(err.checks.find((c) => c.name === 'fact_rows_match_source')!.actual) > 2996);
      return true;
    });
    assert.deepEqual(await snapshotLake(lakeDir), before);
    assert.deepEqual(await leftoverRunDirs(lakeDir), []);
  });

  /** Cancels a run at the first event `abortAt` picks; the run must end cancelled after `steps`, the lake as it was. */
  async function assertCancelKeepsLake(abortAt: (e: PipelineEvent) => boolean, steps: string[], options: Partial<PipelineOptions> = {}): Promise<void> {
    const before = await snapshotLake(lakeDir);
    const controller = new AbortController();
    const seen: string[] = [];
    await assert.rejects(
      runPipeline({
        target, lakeDir, modelDir, signal: controller.signal, ...options,
        onEvent: (e) => {
          if (e.kind === 'stepFinished') seen.push(`${e.step}:${e.status}`);
          if (abortAt(e)) controller.abort();
        },
      }),
      (err: unknown) => err instanceof LabError && err.code === 'cancelled',
    );
    assert.deepEqual(seen, steps);
    assert.deepEqual(await snapshotLake(lakeDir), before);
    assert.deepEqual(await leftoverRunDirs(lakeDir), []);
  }

  test('cancel mid-extract leaves the previous lake and no temp folders', async () => {
    // Abort once a table is in: the run is inside the extract step with the source connection streaming.
    await assertCancelKeepsLake((e) => e.kind === 'table' && e.table === 'customers', ['source:ok', 'extract:cancelled']);
  });

  test('cancel while the Parquet files are written and the dashboard answers recorded leaves the previous lake', async () => {
    // The first file is written; the recording runs on its own connection beside the next writes.
    await assertCancelKeepsLake((e) => e.kind === 'table' && e.step === 'load', ['source:ok', 'extract:ok', 'transform:ok', 'load:cancelled'],
      { recordDashboard: 'always', recordAnswers: recordDashboard });
  });

  test('cancel while a transform statement runs interrupts it mid-statement and leaves the previous lake', async () => {
    // The real model plus one slow staging model (minutes of work) that runs right after the first one.
    const slowDir = await fs.mkdtemp(path.join(tmp, 'model-'));
    await fs.cp(modelDir, slowDir, { recursive: true }); // the model folder holds its singular tests in tests/
    await fs.writeFile(path.join(slowDir, 'stg_zz_slow.sql'), 'select count(*) as n from range(100000000000)\n');
    const before = await snapshotLake(lakeDir);
    const controller = new AbortController();
    const events: PipelineEvent[] = [];
    let abortedAt = 0;
    let slowStartedAt = 0;
    const run = runPipeline({
      target, lakeDir, modelDir: slowDir, signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        // The first staging model is done: the slow one is the next statement. Cancel once it has run for a while.
        if (e.kind === 'table' && e.step === 'transform' && e.table === 'stg_customer_locations') {
          slowStartedAt = performance.now();
          setTimeout(() => { abortedAt = performance.now(); controller.abort(); }, 500);
        }
      },
    });
    await assert.rejects(run, (err: unknown) => err instanceof LabError && err.code === 'cancelled');
    const stoppedAt = performance.now();
    assert.ok(abortedAt > 0, 'the cancel came while the run was in the transform');
    // Order, not timing (the machine is shared): the cancel came after the slow statement started, and the run ended
    // without that statement finishing (it would take minutes; its table event never came).
    assert.ok(abortedAt > slowStartedAt && stoppedAt >= abortedAt, 'the cancel came while the slow statement ran');
    const transformTables = events.filter((e) => e.kind === 'table' && e.step === 'transform').map((e) => (e as { table: string }).table);
    assert.deepEqual(transformTables, ['stg_customer_locations'], 'the slow model never finished');
    assert.ok(events.some((e) => e.kind === 'stepFinished' && e.step === 'transform' && e.status === 'cancelled'), JSON.stringify(events.filter((e) => e.kind === 'stepFinished')));
    assert.deepEqual(await snapshotLake(lakeDir), before);
    assert.deepEqual(await leftoverRunDirs(lakeDir), []);
  });

  test('a database without the model tables fails naming the missing table', async () => {
    await assert.rejects(runPipeline({ target, lakeDir, modelDir, database: 'information_schema' }), (err: unknown) => {
      assert.ok(err instanceof LabError);
      assert.equal(err.code, 'missingTable');
      assert.match(err.message, /information_schema\.productlines/);
      assert.ok(err.nextStep);
      return true;
    });
    assert.deepEqual(await leftoverRunDirs(lakeDir), []);
  });

  test('an unreachable source and an unwritable lake give clear errors with a next step', async () => {
    const closedPort = { ...target, port: 1 };
    await assert.rejects(runPipeline({ target: closedPort, lakeDir, modelDir }),
      (err: unknown) => err instanceof LabError && err.code === 'unreachable' && /not reachable/.test(err.message) && !!err.nextStep);
    const file = path.join(tmp, 'a-file');
    await fs.writeFile(file, 'not a folder');
    await assert.rejects(runPipeline({ target, lakeDir: path.join(file, 'lake'), modelDir }),
      (err: unknown) => err instanceof LabError && err.code === 'lakeNotWritable' && err.message.includes(file) && err.nextStep?.setting === 'lifecycleLab.local.lakeDir');
  });
});
