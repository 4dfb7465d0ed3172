import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../../src/core/errors';
import { lockLake } from '../../src/core/lake/lakeFiles';
import { readLakeManifest } from '../../src/core/lake/manifest';
import type { LakeManifest } from '../../src/core/run/manifest';
import { checkLake, describePart, recoverLakeOnOpen, verifyLake } from '../../src/core/lake/verify';
import { localManifestReader } from '../../src/core/lake/lakeReaders';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { nonReadingKeyword } from '../../src/core/query/lakeSandbox';
import { buildTestLake, LAKE_TABLES as TABLES, ORDER_LINES, PRODUCTS, recordedTables } from './dashboardLakeFixture';
import { CheckedLakeEngine } from '../checkedLakeEngine';

/** Writes `_manifest.json` as a pipeline run does: per table rows, files, bytes and (unless `legacy`) parts. */
async function writeManifest(lakeDir: string, legacy = false): Promise<LakeManifest> {
  const tables = await recordedTables(lakeDir, legacy);
  const manifest: LakeManifest = {
    runId: 'test', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', model: 'star-v1',
    engine: { name: 'duckdb', version: 'test' },
    source: { host: 'h', port: 1, database: 'classicmodels', counts: {}, orderAmountTotal: '0' },
    tables, checks: [], ok: true,
  };
  await fs.writeFile(path.join(lakeDir, 'gold', '_manifest.json'), JSON.stringify(manifest));
  return manifest;
}

function factFile(lakeDir: string): string {
  return path.join(lakeDir, 'gold', 'fact_orders', 'part-0.parquet');
}

async function truncateHalf(file: string): Promise<void> {
  const size = (await fs.stat(file)).size;
  await fs.truncate(file, Math.floor(size / 2));
}

/** Flips bytes in the middle of the file: same size, other content. */
async function garbleMiddle(file: string): Promise<void> {
  const buf = await fs.readFile(file);
  const at = Math.floor(buf.length / 2);
  for (let i = at; i < Math.min(buf.length - 8, at + 32); i++) buf[i] ^= 0xff;
  await fs.writeFile(file, buf);
}

const isDamaged = (table: string, file: RegExp) => (e: unknown) =>
  e instanceof LabError && e.code === 'lakeDamaged' && e.message.includes(table) && file.test(e.message) &&
  e.nextStep?.command === 'lifecycleLab.pipeline.run' && !/LINE 1:|magic bytes/.test(e.message);

suite('lake damage: manifest parts, quick check and Verify Lake', function () {
  this.timeout(60_000);
  let lakeDir: string;
  setup(async () => {
    lakeDir = await buildTestLake();
  });
  teardown(async () => {
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('an intact lake passes the quick and the full check', async () => {
    await writeManifest(lakeDir);
    const quick = await checkLake(lakeDir);
    assert.deepEqual([quick.ok, quick.level, quick.tables.map((t) => t.table)], [true, 'quick', TABLES]);
    const full = await verifyLake(lakeDir);
    assert.deepEqual([full.ok, full.checksums, full.problems], [true, true, []]);
  });

  test('a truncated fact file: the quick check names table and file; other tables still query, fact_orders is a clear error', async () => {
    await writeManifest(lakeDir);
    await truncateHalf(factFile(lakeDir));
    const quick = await checkLake(lakeDir);
    assert.equal(quick.ok, false);
    assert.deepEqual(quick.problems.map((p) => [p.table, p.file, p.kind]), [['fact_orders', 'part-0.parquet', 'size']]);

    const engine = new CheckedLakeEngine(lakeDir);
    try {
      assert.equal((await engine.query('select count(*) from dim_products')).rows[0][0], PRODUCTS.length);
      await assert.rejects(engine.query('select count(*) from fact_orders'), isDamaged('fact_orders', /part-0\.parquet/));
      await assert.rejects(engine.query('select sum(orderAmount) from fact_orders f join dim_products p using (productCode)'),
        isDamaged('fact_orders', /part-0\.parquet/));
      assert.deepEqual([...engine.damagedTables().keys()], ['fact_orders']);
    } finally {
      await engine.close();
    }
  });

  test('a truncated file in a lake without a manifest: still only that table fails, by name', async () => {
    await truncateHalf(factFile(lakeDir));
    const engine = new CheckedLakeEngine(lakeDir);
    try {
      assert.equal((await engine.query('select count(*) from dim_customers')).rows.length, 1);
      await assert.rejects(engine.query('select * from fact_orders'), isDamaged('fact_orders', /part-0\.parquet/));
    } finally {
      await engine.close();
    }
  });

  test('a footer garbled in a lake without a manifest: only that table fails, by name (the others still open)', async () => {
    await garbleMiddle(factFile(lakeDir));
    const engine = new CheckedLakeEngine(lakeDir);
    try {
      assert.equal((await engine.query('select count(*) from dim_products')).rows[0][0], PRODUCTS.length);
      await assert.rejects(engine.query('select * from fact_orders'), isDamaged('fact_orders', /part-0\.parquet/));
    } finally {
      await engine.close();
    }
  });

  test('an older manifest without parts is read and its table sizes are checked', async () => {
    await writeManifest(lakeDir, true);
    assert.equal((await readLakeManifest(lakeDir))?.tables.fact_orders.parts, undefined);
    assert.equal((await checkLake(lakeDir)).ok, true);
    await truncateHalf(factFile(lakeDir));
    const quick = await checkLake(lakeDir);
    assert.deepEqual(quick.problems.map((p) => [p.table, p.file, p.kind]), [['fact_orders', 'part-0.parquet', 'size']]);
  });

  test('bytes garbled in the middle: sizes match, Verify Lake names the file with a checksum mismatch', async () => {
    await writeManifest(lakeDir);
    await garbleMiddle(factFile(lakeDir));
    assert.equal((await checkLake(lakeDir)).ok, true, 'the quick check only compares sizes');
    const full = await verifyLake(lakeDir);
    assert.equal(full.ok, false);
    assert.deepEqual(full.problems.map((p) => [p.table, p.file, p.kind]), [['fact_orders', 'part-0.parquet', 'checksum']]);
    assert.match(full.problems[0].message, /fact_orders\/part-0\.parquet.*SHA-256/);
  });

  test('bytes garbled in the middle without a change of size are noticed when the lake is opened: the table is damaged by name, the others answer', async () => {
    await writeManifest(lakeDir);
    await garbleMiddle(factFile(lakeDir));
    const engine = new CheckedLakeEngine(lakeDir);
    try {
      assert.equal((await engine.query('select count(*) from dim_products')).rows[0][0], PRODUCTS.length);
      await assert.rejects(engine.query('select sum(orderAmount) from fact_orders'), isDamaged('fact_orders', /part-0\.parquet.*SHA-256/));
      assert.deepEqual([...engine.damagedTables()].map(([t, ps]) => [t, ps.map((p) => [p.file, p.kind])]), [['fact_orders', [['part-0.parquet', 'checksum']]]]);
    } finally {
      await engine.close();
    }
  });

  test('a file garbled after the lake was opened, its modification time put back, is still a new version and is noticed', async () => {
    await writeManifest(lakeDir);
    const file = factFile(lakeDir);
    const when = new Date('2026-01-01T00:00:00Z');
    await fs.utimes(file, when, when);
    const engine = new CheckedLakeEngine(lakeDir, { materializeMaxBytes: 0 });
    try {
      assert.equal((await engine.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
      const before = await fs.stat(file);
      await garbleMiddle(file);
      await fs.utimes(file, when, when);
      const after = await fs.stat(file);
      assert.deepEqual([after.size, after.mtimeMs, after.ino], [before.size, before.mtimeMs, before.ino]);
      await assert.rejects(engine.query('select sum(orderAmount) from fact_orders'), isDamaged('fact_orders', /SHA-256/));
    } finally {
      await engine.close();
    }
  });

  test('a lake above the open hashing budget: each file\'s Parquet framing is still checked on open (a broken tail of a second part is named)', async () => {
    // A second part of dim_products, recorded in the manifest: DuckDB reads only the first file when it creates the view.
    const dir = path.join(lakeDir, 'gold', 'dim_products');
    await fs.copyFile(path.join(dir, 'part-0.parquet'), path.join(dir, 'part-1.parquet'));
    const manifest = await writeManifest(lakeDir);
    const second = await describePart(dir, 'part-1.parquet');
    manifest.tables.dim_products = { ...manifest.tables.dim_products, files: 2, bytes: manifest.tables.dim_products.bytes + second.bytes,
      parts: [...manifest.tables.dim_products.parts!, second] };
    await fs.writeFile(path.join(lakeDir, 'gold', '_manifest.json'), JSON.stringify(manifest));
    const buf = await fs.readFile(path.join(dir, 'part-1.parquet'));
    buf.fill(0x41, buf.length - 4);
    await fs.writeFile(path.join(dir, 'part-1.parquet'), buf);

    const open = await checkLake(lakeDir, { onOpen: { hashMaxBytes: 0 } });
    assert.deepEqual([open.level, open.problems.map((p) => [p.table, p.file, p.kind])], ['open', [['dim_products', 'part-1.parquet', 'unreadable']]]);
    assert.match(open.problems[0].message, /dim_products\/part-1\.parquet.*Parquet/);
    const engine = new CheckedLakeEngine(lakeDir, { hashMaxBytes: 0 });
    try {
      assert.equal((await engine.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
      assert.deepEqual([...engine.damagedTables().keys()], ['dim_products']);
    } finally {
      await engine.close();
    }
  });

  test('above the open hashing budget a garble inside the pages is not seen on open (Verify Lake sees it); within it, it is', async () => {
    await writeManifest(lakeDir);
    await garbleMiddle(factFile(lakeDir));
    assert.equal((await checkLake(lakeDir, { onOpen: { hashMaxBytes: 0 } })).ok, true);
    const within = await checkLake(lakeDir, { onOpen: { hashMaxBytes: 1 << 30 } });
    assert.deepEqual(within.problems.map((p) => [p.table, p.kind]), [['fact_orders', 'checksum']]);
    assert.equal(within.checksums, true);
  });

  test('a zstd file garbled inside its pages: the read error names the table and file instead of DuckDB\'s raw text', async () => {
    // A bigger zstd table than the fixture's, garbled at growing offsets until a full read fails to decode.
    const dir = path.join(lakeDir, 'gold', 'big_facts');
    await fs.mkdir(dir);
    const file = path.join(dir, 'part-0.parquet');
    const writer = new CheckedLakeEngine(lakeDir, { access: 'full' });
    try {
      await writer.query(`copy (select range as id, 'name ' || range as s, range * 1.5 as amt from range(20000)) to '${file}' (format parquet, compression zstd)`);
    } finally {
      await writer.close();
    }
    const original = await fs.readFile(file);
    let failure: unknown;
    for (let at = Math.floor(original.length * 0.1); at < original.length * 0.9 && !failure; at += Math.floor(original.length * 0.1)) {
      const buf = Buffer.from(original);
      for (let i = at; i < at + 2000; i++) buf[i] = (i * 7) & 0xff;
      await fs.writeFile(file, buf);
      const engine = new CheckedLakeEngine(lakeDir, { materializeMaxBytes: 0 });
      try {
        await engine.query('select * from big_facts');
      } catch (err) {
        failure = err;
        // The other tables keep answering.
        assert.equal((await engine.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
      } finally {
        await engine.close();
      }
    }
    assert.ok(failure, 'some garbling makes the read fail');
    assert.ok(isDamaged('big_facts', /big_facts/)(failure), String(failure));
  });

  test('a missing file and a stray file are named', async () => {
    await writeManifest(lakeDir);
    await fs.rm(path.join(lakeDir, 'gold', 'dim_locations', 'part-0.parquet'));
    await fs.copyFile(path.join(lakeDir, 'gold', 'dim_products', 'part-0.parquet'), path.join(lakeDir, 'gold', 'dim_products', 'part-1.parquet'));
    const quick = await checkLake(lakeDir);
    assert.deepEqual(quick.problems.map((p) => [p.table, p.file, p.kind]),
      [['dim_locations', 'part-0.parquet', 'missing'], ['dim_products', 'part-1.parquet', 'unexpected']]);
  });

  test('Verify Lake stops when its signal is aborted', async () => {
    await writeManifest(lakeDir);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(verifyLake(lakeDir, { signal: controller.signal }), (e: unknown) => e instanceof LabError && e.code === 'cancelled');
  });

  test('lifecycle-lab lake verify: exit 0 and --json when intact, exit 1 naming table and file when damaged, 2 on bad usage', async () => {
    await writeManifest(lakeDir);
    const intact = await cli(['lake', 'verify', '--lake', lakeDir, '--json']);
    assert.equal(intact.code, 0, intact.stderr);
    const ok = JSON.parse(intact.stdout) as { ok: boolean; tables: Array<{ table: string; ok: boolean }>; problems: unknown[] };
    assert.deepEqual([ok.ok, ok.tables.map((t) => t.table), ok.problems], [true, TABLES, []]);

    await garbleMiddle(factFile(lakeDir));
    const damaged = await cli(['lake', 'verify', '--lake', lakeDir, '--json']);
    assert.equal(damaged.code, 1, damaged.stderr);
    const bad = JSON.parse(damaged.stdout) as { ok: boolean; problems: Array<{ table: string; file: string; kind: string }> };
    assert.equal(bad.ok, false);
    assert.deepEqual(bad.problems.map((p) => [p.table, p.file, p.kind]), [['fact_orders', 'part-0.parquet', 'checksum']]);

    const text = await cli(['lake', 'verify', '--lake', lakeDir]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /DAMAGED\s+fact_orders/);
    assert.match(text.stdout, /fact_orders\/part-0\.parquet/);

    assert.equal((await cli(['lake', 'bogus'])).code, 2);
  });
});

suite('lake engine: reads the lake, nothing else', function () {
  this.timeout(60_000);
  let lakeDir: string;
  let outside: string;
  let engine: DuckDbLakeEngine;
  suiteSetup(async () => {
    lakeDir = await buildTestLake();
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'lifecycle-lab-outside-'));
    engine = new CheckedLakeEngine(lakeDir);
  });
  suiteTeardown(async () => {
    await engine?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  test('COPY ... TO a file outside the lake is refused and writes nothing', async () => {
    const target = path.join(outside, 'leak.csv');
    await assert.rejects(engine.query(`copy (select * from dim_customers) to '${target}'`),
      (e: unknown) => e instanceof LabError && e.code === 'queryFailed' && /reads only the lake/.test(e.message));
    await assert.rejects(fs.stat(target), /ENOENT/);
  });

  test('no writes inside the lake either: COPY into gold/ and EXPORT DATABASE are refused', async () => {
    const target = path.join(lakeDir, 'gold', 'fact_orders', 'part-9.parquet');
    await assert.rejects(engine.query(`copy (select 1 as x) to '${target}' (format parquet)`), (e: unknown) => e instanceof LabError && /COPY/.test(e.message));
    await assert.rejects(engine.query(`export database '${path.join(lakeDir, 'gold', 'x')}'`), (e: unknown) => e instanceof LabError);
    await assert.rejects(fs.stat(target), /ENOENT/);
    await assert.rejects(fs.stat(path.join(lakeDir, 'gold', 'x')), /ENOENT/);
  });

  test("read_text('/etc/hostname') and other files outside the lake are refused", async () => {
    await assert.rejects(engine.query("select * from read_text('/etc/hostname')"),
      (e: unknown) => e instanceof LabError && /reads only the lake/.test(e.message) && /\/etc\/hostname/.test(e.message));
    await assert.rejects(engine.query(`select * from read_text('${path.join(lakeDir, 'gold', '..', '..')}/*')`), (e: unknown) => e instanceof LabError);
    await assert.rejects(engine.query("select * from glob('/etc/*')"), (e: unknown) => e instanceof LabError);
  });

  test('the sandbox can not be switched off from a query', async () => {
    for (const sql of ['set enable_external_access = true', "set allowed_directories = ['/']", 'set lock_configuration = false',
      "attach '/tmp/lifecycle-lab-attach.db' as x", 'install httpfs', 'load httpfs']) {
      await assert.rejects(engine.query(sql), (e: unknown) => e instanceof LabError, sql);
    }
    await assert.rejects(engine.query("select * from read_text('/etc/hostname')"), (e: unknown) => e instanceof LabError);
  });

  test('several statements are refused, naming how many, and none of them runs', async () => {
    const target = path.join(outside, 'second.csv');
    await assert.rejects(engine.query(`select 1; copy (select 1) to '${target}'`),
      (e: unknown) => e instanceof LabError && /only one statement per query/i.test(e.message) && /found 2/.test(e.message));
    await assert.rejects(fs.stat(target), /ENOENT/);
    const full = new CheckedLakeEngine(lakeDir, { access: 'full' });
    try {
      await assert.rejects(full.query('select 1; select 2; select 3'), (e: unknown) => e instanceof LabError && /found 3/.test(e.message));
    } finally {
      await full.close();
    }
  });

  test('a statement is judged before DuckDB prepares it (preparing EXPORT already creates its folder)', () => {
    for (const sql of ['select 1', ' -- c\n (select 1)', 'with a as (select 1) select * from a', 'from fact_orders', 'describe t', 'explain select 1', 'explain analyze select 1']) {
      assert.equal(nonReadingKeyword(sql), undefined, sql);
    }
    assert.equal(nonReadingKeyword("export database '/x'"), 'EXPORT');
    assert.equal(nonReadingKeyword("explain analyze copy (select 1) to '/x'"), 'COPY');
    assert.equal(nonReadingKeyword("/* x */ copy t to '/x'"), 'COPY');
    assert.equal(nonReadingKeyword("pragma enable_profiling"), 'PRAGMA');
  });

  test('reading queries keep working: lake views, DESCRIBE, EXPLAIN, parameters, the in-memory copy', async () => {
    assert.equal((await engine.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
    assert.ok((await engine.query('describe fact_orders')).rows.length > 5);
    assert.ok((await engine.query('explain select * from dim_products')).rows.length > 0);
    assert.equal((await engine.query('select count(*) from dim_products where productLine = :l', { l: 'Ships' })).rows[0][0], 1);
    assert.equal(await engine.settled(), true);
    assert.equal((await engine.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
  });

  test('the full session (CLI --full) may write outside the lake', async () => {
    const full = new CheckedLakeEngine(lakeDir, { access: 'full' });
    const target = path.join(outside, 'full.csv');
    try {
      await full.query(`copy (select count(*) as n from fact_orders) to '${target}'`);
      assert.match(await fs.readFile(target, 'utf8'), new RegExp(`^n\\n${ORDER_LINES.length}\\n`));
    } finally {
      await full.close();
    }
  });

  test('lifecycle-lab query refuses COPY TO by default and runs it with --full', async () => {
    const target = path.join(outside, 'cli.csv');
    const refused = await cli(['query', `copy (select 1 as x) to '${target}'`, '--lake', lakeDir, '--json']);
    assert.equal(refused.code, 1);
    await assert.rejects(fs.stat(target), /ENOENT/);
    const full = await cli(['query', `copy (select 1 as x) to '${target}'`, '--lake', lakeDir, '--full', '--json']);
    assert.equal(full.code, 0, full.stderr);
    await fs.stat(target);
  });
});

suite('lake: recovery on open', function () {
  this.timeout(60_000);
  let lakeDir: string;
  setup(async () => {
    lakeDir = await buildTestLake();
    // A crash between the two renames of the swap: the old gold moved aside, the new one not yet in place.
    await fs.rename(path.join(lakeDir, 'gold'), path.join(lakeDir, '.old-20260101T000000Z-abcdef'));
    await fs.mkdir(path.join(lakeDir, '.tmp-20260101T000000Z-abcdef', 'gold'), { recursive: true });
  });
  teardown(async () => {
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('the engine restores gold/ from .old-* when it opens the lake, and answers', async () => {
    const engine = new CheckedLakeEngine(lakeDir);
    try {
      assert.equal((await engine.query('select count(*) from fact_orders')).rows[0][0], ORDER_LINES.length);
    } finally {
      await engine.close();
    }
    assert.deepEqual((await fs.readdir(lakeDir)).sort(), ['gold']);
  });

  test('recoverLakeOnOpen restores gold/ (the Lake view and Verify Lake call it) and does nothing when gold/ is there', async () => {
    assert.equal(await recoverLakeOnOpen(lakeDir), true);
    assert.deepEqual((await fs.readdir(path.join(lakeDir, 'gold'))).sort(), TABLES);
    assert.equal(await recoverLakeOnOpen(lakeDir), false);
  });

  test('the dashboard\'s manifest reader restores gold/ too', async () => {
    await fs.writeFile(path.join(lakeDir, '.old-20260101T000000Z-abcdef', '_manifest.json'), JSON.stringify({
      runId: 'r', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', model: 'star-v1', engine: { name: 'duckdb', version: 'test' },
      source: { host: 'h', port: 1, database: 'classicmodels', counts: {}, orderAmountTotal: '0' }, tables: {}, checks: [], ok: true,
    }));
    assert.equal((await localManifestReader(lakeDir)())?.runId, 'r');
  });

  test('while a live run holds the lock, opening leaves the lake to that run', async () => {
    const release = await lockLake(lakeDir);
    try {
      assert.equal(await recoverLakeOnOpen(lakeDir), false);
      assert.ok((await fs.readdir(lakeDir)).some((e) => e.startsWith('.old-')));
    } finally {
      await release();
    }
  });
});

/** Runs `lifecycle-lab <args>` from the compiled sources (the same main() as bin/lifecycle-lab.js). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = path.join(__dirname, '..', '..', 'src', 'cli.js');
  const script = `require(${JSON.stringify(main)}).main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
