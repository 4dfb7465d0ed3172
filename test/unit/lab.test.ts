import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../../src/core/errors';
import { countMismatches, DUMP_COUNTS } from '../../src/core/lab/db';
import { findMariadbBinaries, serverArgs } from '../../src/core/lab/mariadb';
import { dumpForStaging, findDumpFile } from '../../src/core/lab/seed';
import { labPaths } from '../../src/core/lab/state';

const repo = path.resolve(__dirname, '../../..');

suite('lab: dump rewriting', () => {
  const dump = fs.readFileSync(path.join(repo, 'data', 'mysqlsampledatabase.sql'), 'utf8');

  test('removes only the dump\'s CREATE DATABASE and USE, keeping data text and CRLF line ends', () => {
    const staged = dumpForStaging(dump);
    assert.doesNotMatch(staged, /CREATE\s+DATABASE/i);
    assert.doesNotMatch(staged, /USE\s+`classicmodels`/i);
    assert.ok(staged.includes("'Berguvsvägen  8',NULL,'Luleå'"));
    assert.match(staged, /SET NAMES utf8/);
    assert.equal(staged.split('\r\n').length, dump.split('\r\n').length);
    // Exactly the two statements went, nothing else.
    const removed = dump.length - staged.length;
    const expected = /CREATE DATABASE[^;]*;/.exec(dump)![0].length + 'USE `classicmodels`;'.length;
    assert.equal(removed, expected);
  });

  test('refuses text that is not the classicmodels dump', () => {
    assert.throws(() => dumpForStaging('CREATE TABLE t (a int);'), (e: unknown) => e instanceof LabError && e.code === 'seedFailed');
  });

  test('finds the dump walking up from a nested folder', () => {
    assert.equal(findDumpFile(path.join(repo, 'out', 'src', 'core', 'lab')), path.join(repo, 'data', 'mysqlsampledatabase.sql'));
    assert.equal(findDumpFile(os.tmpdir()), undefined);
  });
});

suite('lab: server setup', () => {
  test('mariadbd binds to loopback with the lab layout and no secrets', () => {
    const labDir = '/x/.lab';
    const p = labPaths(labDir);
    const args = serverArgs(labDir, 4321, { user: 'mysql', uid: 1, gid: 1 });
    assert.equal(args[0], '--no-defaults', 'must come first');
    for (const expected of [
      `--datadir=${p.dataDir}`, `--socket=${p.socket}`, `--pid-file=${p.pidFile}`, `--log-error=${p.errorLog}`, '--port=4321',
      '--bind-address=127.0.0.1', `--secure-file-priv=${p.filesDir}`, '--character-set-server=utf8mb4', '--skip-log-bin',
      '--local-infile=1', '--user=mysql',
    ]) assert.ok(args.includes(expected), `missing ${expected}`);
    assert.ok(!args.some((a) => /password/i.test(a)));
    assert.ok(!serverArgs(labDir, 1, {}).some((a) => a.startsWith('--user=')), 'no --user when not root');
  });

  test('a missing mariadb-server is a mariadbMissing error naming apt-get', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-mariadb-'));
    try {
      assert.throws(() => findMariadbBinaries([empty]), (e: unknown) =>
        e instanceof LabError && e.code === 'mariadbMissing' && /apt-get install mariadb-server/.test(e.nextStep?.label ?? ''));
    } finally {
      fs.rmSync(empty, { recursive: true });
    }
  });

  test('count mismatches name each table', () => {
    assert.deepEqual(countMismatches(DUMP_COUNTS, DUMP_COUNTS), []);
    assert.deepEqual(countMismatches({ ...DUMP_COUNTS, orders: 1, payments: undefined }, DUMP_COUNTS), [
      'payments: missing, expected 273', 'orders: got 1, expected 326',
    ]);
  });
});

suite('lab: error log excerpts', () => {
  test('shows the [ERROR] lines when there are any, else the tail', async () => {
    const { logExcerpt } = await import('../../src/core/lab/mariadb');
    const log = ['a [Note] x', 'b [ERROR] InnoDB: bad', 'c [Note] y', 'd [ERROR] Aborting', 'e [Warning] z'].join('\n');
    assert.equal(logExcerpt(log), 'b [ERROR] InnoDB: bad\nd [ERROR] Aborting');
    assert.equal(logExcerpt('1\n2\n3\n4', 2), '3\n4');
    assert.equal(logExcerpt(''), '(the error log is empty)');
  });
});
