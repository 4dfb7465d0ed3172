import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection } from 'mysql2/promise';
import type { MysqlTarget } from '../../src/core/config';
import { connectTarget, countTables, databaseExists, DUMP_COUNTS } from '../../src/core/lab/db';
import { generateClassicmodels, generatedCounts } from '../../src/core/lab/generator';
import { LocalLab } from '../../src/core/lab/localLab';
import { seedFromDump } from '../../src/core/lab/seed';
import { labPaths, processAlive, readLabState, readLabTarget } from '../../src/core/lab/state';
import { qualifiedName, quoteIdent } from '../../src/core/source/sql';
import { dumpFile, labTarget, repoLabDir } from './fixture';
import { expectLabError } from '../helpers';

/** Scratch databases these tests write to; never classicmodels. */
const SEED_SCRATCH = 'lab_test_seed';
const GEN_A = 'lab_test_gen_a';
const GEN_B = 'lab_test_gen_b';
const GEN_C = 'lab_test_gen_c';

async function withConnection<T>(target: MysqlTarget, work: (c: Connection) => Promise<T>): Promise<T> {
  const conn = await connectTarget({ ...target, database: '' });
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}

async function checksums(conn: Connection, database: string): Promise<Record<string, string>> {
  const tables = Object.keys(DUMP_COUNTS).map((t) => qualifiedName(database, t)).join(', ');
  const [rows] = await conn.query(`CHECKSUM TABLE ${tables}`);
  const out: Record<string, string> = {};
  for (const r of rows as { Table: string; Checksum: number | string }[]) out[r.Table.split('.')[1]] = String(r.Checksum);
  return out;
}

suite('local lab (shared .lab)', function () {
  this.timeout(180_000);
  let target: MysqlTarget;

  suiteSetup(async () => {
    target = await labTarget();
  });

  suiteTeardown(async () => {
    if (!target) return;
    await withConnection(target, async (c) => {
      for (const db of [SEED_SCRATCH, `${SEED_SCRATCH}__seed`, GEN_A, GEN_B, GEN_C]) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
    });
  });

  test('up gives classicmodels with the dump row counts and non-ASCII text intact', async () => {
    assert.equal(target.host, '127.0.0.1');
    assert.equal(target.database, 'classicmodels');
    await withConnection(target, async (c) => {
      assert.deepEqual(await countTables(c, 'classicmodels'), {
        customers: 122, employees: 23, offices: 7, orderdetails: 2996, orders: 326, payments: 273, productlines: 7, products: 110,
      });
      const [rows] = await c.query('SELECT addressLine1, city FROM classicmodels.customers WHERE customerNumber = 144');
      assert.deepEqual(rows, [{ addressLine1: 'Berguvsvägen  8', city: 'Luleå' }]);
      const cities = ['Århus', 'Genève', 'München', 'Köln', 'Montréal'];
      const [names] = await c.query('SELECT city FROM classicmodels.customers WHERE city IN (?)', [cities]);
      assert.deepEqual((names as { city: string }[]).map((r) => r.city).sort(), [...cities].sort());
    });
  });

  test('up twice is idempotent: same server, same data', async () => {
    const before = await readLabState(repoLabDir());
    assert.ok(before, 'lab.json exists after up');
    const lab = new LocalLab({ labDir: repoLabDir(), dumpFile: dumpFile() });
    const status = await lab.up({ scale: 1 });
    assert.equal(status.pid, before.pid);
    assert.equal(status.port, before.port);
    assert.deepEqual(status.counts, DUMP_COUNTS);
    assert.equal((await readLabState(repoLabDir()))?.startedAt, before.startedAt);
  });

  test('status says what runs where', async () => {
    const status = await new LocalLab({ labDir: repoLabDir(), dumpFile: dumpFile() }).status();
    assert.equal(status.running, true);
    assert.equal(status.host, '127.0.0.1');
    assert.equal(status.port, target.port);
    assert.ok(status.pid && processAlive(status.pid));
    assert.match(status.serverVersion ?? '', /MariaDB/);
    assert.deepEqual(status.counts, DUMP_COUNTS);
    assert.equal(status.seededFrom, 'dump');
  });

  test('a dump failing halfway leaves the previous data intact and no seed database behind', async () => {
    // Twice: the second run swaps over existing tables, which must keep the foreign keys pointing inside the database.
    await seedFromDump(target, { dumpFile: dumpFile(), database: SEED_SCRATCH });
    await seedFromDump(target, { dumpFile: dumpFile(), database: SEED_SCRATCH });
    await withConnection(target, async (c) => {
      const [fks] = await c.query(
        'SELECT UNIQUE_CONSTRAINT_SCHEMA AS ref FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?', [SEED_SCRATCH]);
      assert.deepEqual((fks as { ref: string }[]).map((r) => r.ref), Array(8).fill(SEED_SCRATCH));
      assert.equal(await databaseExists(c, `${SEED_SCRATCH}__old`), false);
    });
    const before = await withConnection(target, (c) => checksums(c, SEED_SCRATCH));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-dump-'));
    try {
      const text = await fs.readFile(dumpFile(), 'utf8');
      // Cut in the middle of the orderdetails INSERT: a syntax error after several tables have loaded.
      const broken = path.join(dir, 'broken.sql');
      const cut = text.indexOf('insert  into `orderdetails`');
      assert.ok(cut > 0, 'the dump has an orderdetails insert');
      await fs.writeFile(broken, `${text.slice(0, cut + 5000)}'unterminated`);
      const syntax = await expectLabError(seedFromDump(target, { dumpFile: broken, database: SEED_SCRATCH }), 'seedFailed');
      assert.match(syntax.message, /failed halfway/);
      assert.match(syntax.message, new RegExp(`${SEED_SCRATCH} was left as it was`));
      // Valid SQL that just stops early: every statement succeeds, the count check catches it.
      const truncated = path.join(dir, 'truncated.sql');
      await fs.writeFile(truncated, text.slice(0, text.indexOf('/*Table structure for table `payments` */')));
      const short = await expectLabError(seedFromDump(target, { dumpFile: truncated, database: SEED_SCRATCH }), 'seedFailed');
      assert.match(short.message, /payments: missing/);
      await withConnection(target, async (c) => {
        assert.deepEqual(await checksums(c, SEED_SCRATCH), before);
        assert.deepEqual(await countTables(c, SEED_SCRATCH), DUMP_COUNTS);
        assert.equal(await databaseExists(c, `${SEED_SCRATCH}__seed`), false);
      });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('generator at scale 2 has 2x counts and is deterministic per seed', async () => {
    const a = await generateClassicmodels(target, { scale: 2, database: GEN_A, seed: 7 });
    const b = await generateClassicmodels(target, { scale: 2, database: GEN_B, seed: 7 });
    const c = await generateClassicmodels(target, { scale: 2, database: GEN_C, seed: 8 });
    const expected = { customers: 244, employees: 46, offices: 14, orderdetails: 5992, orders: 652, payments: 546, productlines: 7, products: 220 };
    assert.deepEqual(generatedCounts(2), expected);
    assert.deepEqual(a.counts, expected);
    await withConnection(target, async (conn) => {
      assert.deepEqual(await countTables(conn, GEN_A), expected);
      const [sumA, sumB, sumC] = [await checksums(conn, GEN_A), await checksums(conn, GEN_B), await checksums(conn, GEN_C)];
      assert.deepEqual(sumA, sumB, 'same seed, same rows');
      assert.notEqual(sumA.orderdetails, sumC.orderdetails, 'another seed, other rows');
      for (const db of [GEN_A, GEN_B, GEN_C]) assert.equal(await databaseExists(conn, `${db}__seed`), false);
      // Referential integrity of the generated data.
      const [orphans] = await conn.query(
        `SELECT (SELECT COUNT(*) FROM ${GEN_A}.orderdetails d LEFT JOIN ${GEN_A}.products p USING (productCode) WHERE p.productCode IS NULL)
              + (SELECT COUNT(*) FROM ${GEN_A}.orders o LEFT JOIN ${GEN_A}.customers c USING (customerNumber) WHERE c.customerNumber IS NULL)
              + (SELECT COUNT(*) FROM ${GEN_A}.payments y LEFT JOIN ${GEN_A}.customers c USING (customerNumber) WHERE c.customerNumber IS NULL) AS n`,
      );
      assert.equal(Number((orphans as { n: number }[])[0].n), 0);
      // classicmodels untouched.
      assert.deepEqual(await countTables(conn, 'classicmodels'), DUMP_COUNTS);
    });
    assert.equal(b.rows, c.rows);
  });

  test('building keys after the load gives the same tables and rows as keeping them during the load', async () => {
    // Keys are deferred by default, so the comparison's other side keeps them explicitly.
    await generateClassicmodels(target, { scale: 1, database: GEN_B, seed: 9, deferIndexes: false });
    await generateClassicmodels(target, { scale: 1, database: GEN_C, seed: 9, deferIndexes: true });
    await withConnection(target, async (c) => {
      assert.deepEqual(await checksums(c, GEN_C), await checksums(c, GEN_B));
      for (const table of Object.keys(DUMP_COUNTS)) {
        const [[b], [d]] = [
          (await c.query(`SHOW CREATE TABLE ${GEN_B}.${table}`))[0] as Record<string, string>[],
          (await c.query(`SHOW CREATE TABLE ${GEN_C}.${table}`))[0] as Record<string, string>[],
        ];
        assert.equal(d['Create Table'], b['Create Table'], table);
      }
    });
  });

  test('cancelling the generator leaves the target database as it was and no staging database', async () => {
    await generateClassicmodels(target, { scale: 2, database: GEN_A, seed: 3 });
    const before = await withConnection(target, (c) => checksums(c, GEN_A));
    const controller = new AbortController();
    const run = generateClassicmodels(target, {
      scale: 20, database: GEN_A, seed: 4, signal: controller.signal,
      onProgress: (u) => { if (u.message.startsWith('Generating orderdetails')) controller.abort(); },
    });
    await expectLabError(run, 'cancelled');
    await withConnection(target, async (c) => {
      assert.deepEqual(await checksums(c, GEN_A), before);
      assert.equal(await databaseExists(c, `${GEN_A}__seed`), false);
    });
  });

  test('a configured port that is taken gives portInUse naming the port and the setting', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-port-'));
    try {
      const err = await expectLabError(new LocalLab({ labDir, port, dumpFile: dumpFile() }).up(), 'portInUse');
      assert.match(err.message, new RegExp(`Port ${port}`));
      assert.equal(err.nextStep?.setting, 'lifecycleLab.local.port');
      assert.equal(await readLabTarget(labDir), undefined);
    } finally {
      blocker.close();
      await fs.rm(labDir, { recursive: true, force: true });
    }
  });

  test('mariadb-server missing gives mariadbMissing naming apt-get', async () => {
    const labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-missing-'));
    try {
      const err = await expectLabError(new LocalLab({ labDir, dumpFile: dumpFile(), searchDirs: [labDir] }).up(), 'mariadbMissing');
      assert.match(err.nextStep?.label ?? '', /apt-get install mariadb-server/);
    } finally {
      await fs.rm(labDir, { recursive: true, force: true });
    }
  });
});

suite('local lab lifecycle (own lab folder)', function () {
  this.timeout(240_000);
  let labDir: string;
  let lab: LocalLab;

  suiteSetup(async () => {
    labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-lifecycle-'));
    lab = new LocalLab({ labDir, dumpFile: dumpFile() });
  });

  suiteTeardown(async () => {
    await lab.down().catch(() => {});
    await fs.rm(labDir, { recursive: true, force: true });
  });

  test('up, down, up again keeps the data; down stops the process and removes lab.json', async () => {
    const first = await lab.up();
    assert.equal(first.running, true);
    assert.deepEqual(first.counts, DUMP_COUNTS);
    const creds = JSON.parse(await fs.readFile(labPaths(labDir).credentialsFile, 'utf8')) as { password: string };
    assert.equal((await fs.stat(labPaths(labDir).credentialsFile)).mode & 0o777, 0o600);
    assert.ok(creds.password.length >= 20);
    const cmdline = await fs.readFile(`/proc/${first.pid}/cmdline`, 'utf8');
    assert.ok(!cmdline.includes(creds.password), 'the password is not on the server command line');
    assert.ok(cmdline.includes('--bind-address=127.0.0.1'));

    assert.equal(await lab.down(), true);
    assert.equal(processAlive(first.pid!), false);
    assert.equal(await readLabState(labDir), undefined);
    assert.equal(await readLabTarget(labDir), undefined);
    const stopped = await lab.status();
    assert.equal(stopped.running, false);
    assert.equal(stopped.initialised, true);
    assert.equal(await lab.down(), false, 'down when stopped is fine');

    const second = await lab.up();
    assert.notEqual(second.pid, first.pid);
    assert.equal(second.seededAt, first.seededAt, 'the restart kept the data instead of seeding again');
    const target = await readLabTarget(labDir);
    assert.ok(target);
    await withConnection(target, async (c) => assert.deepEqual(await countTables(c, 'classicmodels'), DUMP_COUNTS));
  });

  test('up --scale N generates classicmodels; a plain up keeps it; up at scale 1 restores the dump', async () => {
    const scaled = await lab.up({ scale: 2 });
    assert.deepEqual(scaled.counts, generatedCounts(2));
    assert.equal(scaled.seededFrom, 'generated x2');
    const kept = await lab.up();
    assert.equal(kept.seededAt, scaled.seededAt, 'no reseed without --scale');
    assert.deepEqual(kept.counts, generatedCounts(2));
    const back = await lab.up({ scale: 1 });
    assert.equal(back.seededFrom, 'dump');
    assert.deepEqual(back.counts, DUMP_COUNTS);
  });

  test('a hung server: status says so, down kills it after the timeout, up recovers the data', async () => {
    const running = await lab.up();
    process.kill(running.pid!, 'SIGSTOP');
    try {
      const status = await lab.status();
      assert.equal(status.running, false);
      assert.match(status.note ?? '', new RegExp(`pid ${running.pid} is alive but does not answer`));
    } finally {
      // SIGTERM waits until a stopped process continues; down must fall back to SIGKILL.
      assert.equal(await lab.down({ timeoutMs: 2000 }), true);
    }
    assert.equal(processAlive(running.pid!), false);
    const again = await lab.up();
    assert.deepEqual(again.counts, DUMP_COUNTS);
  });

  test('a corrupt datadir fails with the error log tail and the reset step; reset recovers', async () => {
    await lab.up();
    await lab.down();
    const ibdata = path.join(labPaths(labDir).dataDir, 'ibdata1');
    const handle = await fs.open(ibdata, 'r+');
    await handle.write(Buffer.alloc(64 * 1024, 0xab), 0, 64 * 1024, 0);
    await handle.close();
    const err = await expectLabError(lab.up(), 'corruptDatadir');
    assert.match(err.message, /Error log:/);
    assert.match(err.message, /\[ERROR\]/);
    assert.match(err.nextStep?.label ?? '', /lab reset/);
    assert.equal(await readLabTarget(labDir), undefined);

    await lab.reset();
    const fresh = await lab.up();
    assert.equal(fresh.running, true);
    assert.deepEqual(fresh.counts, DUMP_COUNTS);
  });
});
