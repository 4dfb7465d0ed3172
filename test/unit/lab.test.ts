import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../../src/core/errors';
import { countMismatches, DUMP_COUNTS } from '../../src/core/lab/db';
import { serverArgs } from '../../src/core/lab/mariadb';
import { findMariadbBinaries } from '../../src/core/lab/mariadbBinaries';
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
  test('mariadbd, given the lab\'s arguments, listens on loopback only, in the lab layout, with the lab\'s settings and no secrets', function () {
    // Not a copy of the argument list: the installed server parses the arguments (`--help --verbose` prints the
    // effective settings and exits without starting), so a misspelt or ignored option fails here.
    let bins: ReturnType<typeof findMariadbBinaries>;
    try {
      bins = findMariadbBinaries();
    } catch {
      this.skip();
    }
    const labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-args-'));
    try {
      const p = labPaths(labDir);
      fs.mkdirSync(p.filesDir, { recursive: true });
      const args = serverArgs(labDir, 4321, {});
      const run = spawnSync(bins.mariadbd, [...args, '--help', '--verbose'], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const lines = run.stdout.split('\n');
      const settings = new Map(lines.slice(lines.findIndex((l) => l.startsWith('-----')) + 1)
        .map((l) => /^(\S+)\s+(.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m).map((m) => [m[1], m[2].trim()]));
      const expected: Record<string, string> = {
        'bind-address': '127.0.0.1', port: '4321', datadir: `${p.dataDir}/`, socket: p.socket, 'pid-file': p.pidFile,
        'log-error': p.errorLog, 'secure-file-priv': `${p.filesDir}/`, 'character-set-server': 'utf8mb4',
        'collation-server': 'utf8mb4_general_ci', 'local-infile': 'TRUE', 'skip-name-resolve': 'TRUE', 'log-bin': '0',
      };
      for (const [name, value] of Object.entries(expected)) assert.equal(settings.get(name), value, name);
      // Only the server's own defaults files: a my.cnf on the machine must not change the lab.
      assert.equal(args[0], '--no-defaults');
      assert.ok(!args.some((a) => /password/i.test(a)), 'arguments are visible to every local user');
      assert.ok(!args.some((a) => a.startsWith('--user=')), 'no --user when not root');
      assert.ok(serverArgs(labDir, 1, { user: 'mysql', uid: 1, gid: 1 }).includes('--user=mysql'), 'as root the server drops to mysql');
    } finally {
      fs.rmSync(labDir, { recursive: true, force: true });
    }
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
