import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from '../../src/core/clock';
import { CancelledError, LabError } from '../../src/core/errors';
import { readLockFile, tryLockFile, waitForLockFile } from '../../src/core/lock';
import { sqlIdent, sqlLiteral } from '../../src/core/query/sqlText';
import { findMysqlClient, mysqlClientFlavour } from '../../src/core/source/mysqlClient';
import { mysqlClientInvocation } from '../../src/core/source/terminal';
import { FakeClock } from '../fakeClock';

suite('core helpers: SQL text quoting (DuckDB/Trino)', () => {
  test('a hostile literal and identifier survive a real DuckDB round trip as data, not SQL', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      const text = `it's "x"; drop table t; -- \\ \n tab\t`;
      const name = `we"ird col; --`;
      const result = await db.runAndReadAll(`select ${sqlLiteral(text)} as ${sqlIdent(name)}`);
      assert.deepEqual(result.getRows(), [[text]]);
      assert.deepEqual(result.columnNames(), [name]);
    } finally {
      db.closeSync();
    }
    assert.equal(sqlLiteral("a'b"), "'a''b'");
    assert.equal(sqlIdent('a"b'), '"a""b"');
    assert.throws(() => sqlIdent(''));
    assert.throws(() => sqlLiteral('a\0b'));
  });
});

suite('core helpers: sleep on the clock', () => {
  test('an abort ends the wait with an Error: the signal\'s own reason when it is one, else CancelledError', async () => {
    const clock = new FakeClock();
    const reason = new LabError('internal', 'stopped');
    const own = new AbortController();
    const waiting = sleep(clock, 1000, own.signal);
    own.abort(reason);
    await assert.rejects(waiting, (err) => err === reason);
    const byDefault = new AbortController();
    byDefault.abort();
    await assert.rejects(sleep(clock, 1000, byDefault.signal), { name: 'AbortError' });
    const asText = new AbortController();
    const waitingText = sleep(clock, 1000, asText.signal);
    asText.abort('interrupted');
    await assert.rejects(waitingText, (err) => err instanceof CancelledError);
  });
});

suite('core helpers: the MySQL command-line client', () => {
  let dir: string;
  setup(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mysql-client-'));
  });
  teardown(() => fs.rm(dir, { recursive: true, force: true }));

  async function exe(sub: string, name: string, mode = 0o755): Promise<string> {
    await fs.mkdir(path.join(dir, sub), { recursive: true });
    const file = path.join(dir, sub, name);
    await fs.writeFile(file, '#!/bin/sh\n', { mode });
    return file;
  }

  test('the first executable mariadb, else mysql, on the search path, as an absolute path; undefined when none', async () => {
    assert.equal(findMysqlClient(''), undefined);
    await exe('a', 'mariadb', 0o644); // not executable: skipped
    const mysql = await exe('b', 'mysql');
    const search = [path.join(dir, 'a'), path.join(dir, 'b')].join(path.delimiter);
    assert.equal(findMysqlClient(search), mysql);
    const mariadb = await exe('c', 'mariadb');
    assert.equal(findMysqlClient([search, path.join(dir, 'c')].join(path.delimiter)), mariadb, 'mariadb wins over mysql');
    assert.equal(mysqlClientFlavour(mariadb), 'mariadb');
    assert.equal(mysqlClientFlavour(mysql), 'mysql');
  });

  test('the terminal runs the path found, and no client is an error that says how to install one', () => {
    const target = { host: 'db.example.com', port: 3306, user: 'admin', password: 'pw', database: 'classicmodels', tls: 'auto' as const, origin: 'settings' as const };
    const inv = mysqlClientInvocation(target, '/opt/bin/mariadb', undefined);
    assert.equal(inv.command, '/opt/bin/mariadb');
    assert.ok(inv.args.includes('--ssl'), 'the mariadb spelling of TLS, from the path');
    assert.throws(() => mysqlClientInvocation(target, undefined, undefined),
      (e: unknown) => e instanceof LabError && e.code === 'mariadbMissing' && /apt-get install mariadb-client/.test(e.message));
  });
});

suite('core helpers: the pid lock file', () => {
  let dir: string;
  let file: string;
  setup(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-'));
    file = path.join(dir, 'x.lock');
  });
  teardown(() => fs.rm(dir, { recursive: true, force: true }));

  test('a waiter polls on the clock while the holder heartbeats, and gets the lock when it is released', async () => {
    const clock = new FakeClock(Date.now());
    const first = await tryLockFile(file, { clock });
    assert.ok('release' in first);
    const waits: (number | undefined)[] = [];
    let got = false;
    const waiting = waitForLockFile(file, { clock, onWait: (h) => waits.push(h?.pid) }).then((release) => {
      got = true;
      return release;
    });
    // Two stale times, a poll at a time: each step waits until the waiter is asleep again (its file reads are real
    // I/O), so the fake clock never runs ahead of a check that is still reading the lock.
    for (let t = 0; t < 60_000; t += 250) {
      await clock.advance(250);
      for (let i = 0; i < 1000 && clock.pending < 2; i++) await new Promise((r) => setTimeout(r, 1));
    }
    assert.equal(got, false, 'a live, heartbeating holder keeps the lock');
    assert.deepEqual(waits, [process.pid], 'onWait once, naming the holder');
    await first.release();
    await clock.advance(250);
    const release = await waiting;
    assert.equal(got, true);
    assert.equal((await readLockFile(file))?.pid, process.pid);
    await release();
    assert.equal(await readLockFile(file), undefined);
    assert.equal(clock.pending, 0, 'no heartbeat or poll left running');
  });

  test('a live holder that stopped heartbeating is taken over once the stale time has passed on the clock', async () => {
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await fs.writeFile(file, JSON.stringify({ pid: holder.pid, hostname: os.hostname(), startedAt: '' }));
      const clock = new FakeClock(Date.now());
      const warnings: string[] = [];
      const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
      const waiting = waitForLockFile(file, { clock, log, label: 'test lock', staleMs: 30_000 });
      await clock.advance(29_000);
      assert.equal((await readLockFile(file))?.pid, holder.pid, 'still the holder before the stale time');
      await clock.advance(2_000);
      const release = await waiting;
      assert.match(warnings.join('\n'), new RegExp(`Took over the test lock of process ${holder.pid}: no heartbeat for 3\\d s`));
      await release();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('a lock file still being written (empty) is not taken over as if its holder were dead', async () => {
    await fs.writeFile(file, '');
    const attempt = await tryLockFile(file);
    assert.ok('busy' in attempt && attempt.busy?.pid === 0);
  });

  test('the wait is cancelled by its signal', async () => {
    const clock = new FakeClock(Date.now());
    const first = await tryLockFile(file, { clock });
    assert.ok('release' in first);
    const controller = new AbortController();
    const waiting = waitForLockFile(file, { clock, signal: controller.signal });
    await clock.advance(1_000);
    controller.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof CancelledError);
    await first.release();
  });
});
