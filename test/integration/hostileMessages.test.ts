/**
 * Issue 9, items 9-11, against the real local lab: CLI failures under --json are one JSON error object, an
 * unknown database names the ones that exist (never "Start Local Lab" while the lab runs), and a cut preview
 * value can be read whole by its row's key.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection } from 'mysql2/promise';
import type { CliContext } from '../../src/cli/context';
import { describeCliError } from '../../src/cli/errors';
import { tables as sourceTables } from '../../src/cli/source';
import { resolveLabConfig, type MysqlTarget } from '../../src/core/config';
import { connectSource } from '../../src/core/lake/source';
import { silentLogger } from '../../src/core/log';
import { SourceExplorer } from '../../src/core/source/explorer';
import { expectLabError } from '../helpers';
import { labTarget, repoLabDir, repoRoot, runCli } from './fixture';

const cli = runCli;

interface JsonError { ok: boolean; error: { code: string; message: string; nextStep?: { text: string; env?: string; run?: string } } }

/** stdout must be exactly one JSON object. */
function oneJson(stdout: string): JsonError {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON line expected, got: ${stdout}`);
  return JSON.parse(lines[0]) as JsonError;
}

const HOSTILE = 'h9_hostile';
const VALUES = 'h9_values';
const BIG = 'é'.repeat(100 * 1024 - 3) + 'end';

suite('hostile user: CLI errors, unknown databases, whole values', function () {
  this.timeout(120_000);
  let target: MysqlTarget;
  let admin: Connection;

  suiteSetup(async () => {
    target = await labTarget();
    const mysql = await import('mysql2/promise');
    admin = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, charset: 'UTF8MB4_UNICODE_CI' });
    // As the hostile user did: the database existed, then it was dropped.
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${HOSTILE}`);
    await admin.query(`DROP DATABASE ${HOSTILE}`);
    await admin.query(`DROP DATABASE IF EXISTS ${VALUES}`);
    await admin.query(`CREATE DATABASE ${VALUES} CHARACTER SET utf8mb4`);
    await admin.query(`CREATE TABLE ${VALUES}.keyed (id INT NOT NULL, part VARCHAR(10) NOT NULL, body MEDIUMTEXT, PRIMARY KEY (id, part))`);
    await admin.query(`INSERT INTO ${VALUES}.keyed VALUES (1, 'a', 'small'), (2, 'b', ?), (3, 'c', NULL)`, [BIG]);
    await admin.query(`CREATE TABLE ${VALUES}.unkeyed (body MEDIUMTEXT)`);
    await admin.query(`INSERT INTO ${VALUES}.unkeyed VALUES ('first'), (?)`, [BIG]);
  });

  suiteTeardown(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${VALUES}`);
    await admin?.end();
  });

  function context(json: boolean): CliContext {
    const config = resolveLabConfig({ 'local.labDir': repoLabDir() }, repoRoot());
    return { config, log: silentLogger, json, out: () => undefined };
  }

  test('source tables --database <dropped>: names the databases there; the next step is the database, not starting the lab', async () => {
    const err = await expectLabError(sourceTables({ values: { database: HOSTILE }, positionals: [] }, context(false)), 'unknownDatabase');
    assert.match(err.message, new RegExp(`^Database '${HOSTILE}' does not exist on local lab\\. Databases there: .*\\bclassicmodels\\b`));
    assert.doesNotMatch(err.message, /information_schema|performance_schema|\bmysql\b/, 'system schemas are left out');
    assert.notEqual(err.nextStep?.command, 'lifecycleLab.startLocalLab');
    const line = describeCliError(err);
    assert.doesNotMatch(line, /Start Local Lab|lab up/i);
    assert.match(line, /Next step: Pass --database NAME or set LIFECYCLE_LAB_MYSQL_DATABASE\.$/);
  });

  test('the pipeline source connection says the same (one mapper)', async () => {
    const err = await expectLabError(connectSource(target, HOSTILE), 'unknownDatabase');
    assert.match(err.message, new RegExp(`^Database '${HOSTILE}' does not exist on local lab\\. Databases there: .*\\bclassicmodels\\b`));
    assert.equal(err.nextStep?.setting, 'lifecycleLab.mysql.database');
  });

  test('pipeline run --database <dropped> --json: one JSON error naming the databases, exit non-zero', async () => {
    const lake = await fs.mkdtemp(path.join(os.tmpdir(), 'h9-lake-'));
    try {
      const r = await cli(['pipeline', 'run', '--database', HOSTILE, '--lake', lake, '--json'], { LIFECYCLE_LAB_LOCAL_LABDIR: repoLabDir() });
      assert.notEqual(r.code, 0);
      const out = oneJson(r.stdout);
      assert.equal(out.ok, false);
      assert.equal(out.error.code, 'unknownDatabase');
      assert.match(out.error.message, /Databases there: .*\bclassicmodels\b/);
      assert.equal(out.error.nextStep?.env, 'LIFECYCLE_LAB_MYSQL_DATABASE');
      assert.doesNotMatch(r.stdout, /Start Local Lab|lab up|lifecycleLab\./);
    } finally {
      await fs.rm(lake, { recursive: true, force: true });
    }
  });

  test('LIFECYCLE_LAB_MYSQL_PORT=99999 with --json: one JSON error object on stdout, exit non-zero (child process)', async () => {
    const r = await cli(['lab', 'status', '--json'], { LIFECYCLE_LAB_MYSQL_PORT: '99999' });
    assert.notEqual(r.code, 0);
    const out = oneJson(r.stdout);
    assert.equal(out.ok, false);
    assert.equal(out.error.code, 'config');
    assert.equal(out.error.nextStep?.env, 'LIFECYCLE_LAB_MYSQL_PORT');
    const plain = await cli(['lab', 'status'], { LIFECYCLE_LAB_MYSQL_PORT: '99999' });
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /LIFECYCLE_LAB_MYSQL_PORT/);
    assert.doesNotMatch(plain.stderr, /lifecycleLab\.|Open Settings/);
  });

  test('a cut value is read whole again by its primary key, or by position without one', async () => {
    const explorer = new SourceExplorer(target);
    try {
      const page = await explorer.previewRows(VALUES, 'keyed');
      assert.deepEqual(page.orderBy, ['id', 'part']);
      assert.equal(await explorer.cellValue(VALUES, 'keyed', 'body', { key: { id: '2', part: 'b' }, offset: 1 }), BIG);
      assert.equal(await explorer.cellValue(VALUES, 'keyed', 'body', { key: { id: '3', part: 'c' }, offset: 2 }), null);
      assert.equal(await explorer.cellValue(VALUES, 'unkeyed', 'body', { offset: 1 }), BIG);
      await expectLabError(explorer.cellValue(VALUES, 'keyed', 'body', { key: { id: '9', part: 'z' }, offset: 0 }), 'queryFailed');
    } finally {
      await explorer.close();
    }
  });
});
