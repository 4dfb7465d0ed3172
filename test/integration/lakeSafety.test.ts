/**
 * Issue 19, items 1, 2, 7 and 8, against the real local lab: a run refuses a folder that is not a lake and leaves it
 * as it was; a source with no rows does not silently replace a full lake; LIFECYCLE_LAB_MYSQL_DATABASE selects the
 * local lab's database too; a source missing a column the model needs says so, naming table and column.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection } from 'mysql2';
import type { MysqlTarget } from '../../src/core/config';
import { isCancelled } from '../../src/core/errors';
import { leftoverRunDirs } from '../../src/core/lake/lakeFiles';
import { readLakeManifest } from '../../src/core/lake/manifest';
import { findModelDir } from '../../src/core/lake/model';
import { runPipeline } from '../../src/core/lake/pipeline';
import type { LakeShrink } from '../../src/core/run/shrink';
import { connectSource, queryRows } from '../../src/core/lake/source';
import { SOURCE_TABLES } from '../../src/core/lake/sourceSchema';
import { expectLabError } from '../helpers';
import { labTarget, repoLabDir, runCli } from './fixture';

/** The source tables with no rows (a wiped or freshly created source). */
const EMPTY = 'h19_empty';
/** The source tables with orderdetails.priceEach dropped. */
const NO_COLUMN = 'h19_nocolumn';

suite('hostile user: lake safety and source mismatches', function () {
  this.timeout(120_000);
  const modelDir = findModelDir(__dirname);
  let target: MysqlTarget;
  let conn: Connection;
  let tmp: string;

  suiteSetup(async () => {
    target = await labTarget();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'h19-'));
    conn = await connectSource(target, target.database);
    // Scratch databases only: classicmodels is never modified.
    for (const db of [EMPTY, NO_COLUMN]) {
      await queryRows(conn, `drop database if exists ${db}`);
      await queryRows(conn, `create database ${db}`);
      for (const table of SOURCE_TABLES) await queryRows(conn, `create table ${db}.${table.name} like ${target.database}.${table.name}`);
    }
    await queryRows(conn, `alter table ${NO_COLUMN}.orderdetails drop column priceEach`);
  });

  suiteTeardown(async () => {
    if (conn) {
      for (const db of [EMPTY, NO_COLUMN]) await queryRows(conn, `drop database if exists ${db}`).catch(() => undefined);
      conn.destroy();
    }
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('a run into a folder whose gold/ is not a lake refuses it and deletes nothing (item 1)', async () => {
    const p = path.join(tmp, 'P');
    await fs.mkdir(path.join(p, 'gold', 'reports'), { recursive: true });
    await fs.writeFile(path.join(p, 'gold', 'reports', 'q3.txt'), 'x');
    const err = await expectLabError(runPipeline({ target, lakeDir: p, modelDir }), 'notALake');
    assert.match(err.message, /is not a lake/);
    assert.equal(await fs.readFile(path.join(p, 'gold', 'reports', 'q3.txt'), 'utf8'), 'x', 'q3.txt is still there');
    assert.deepEqual(await fs.readdir(p), ['gold'], 'no run log, lock or run folder written into it');
  });

  test('a source with no rows does not replace a full lake unless confirmed, and says what it would replace (item 2)', async () => {
    const lakeDir = path.join(tmp, 'lake-shrink');
    const full = await runPipeline({ target, lakeDir, modelDir });
    assert.equal(full.manifest.tables.fact_orders.rows, 2996);

    // No confirmation offered (the CLI without its flag): refused, the lake kept.
    const refused = await expectLabError(runPipeline({ target, lakeDir, modelDir, database: EMPTY }), 'lakeWouldShrink');
    for (const part of ['2,996 fact rows', full.manifest.source.orderAmountTotal, full.manifest.runId, full.manifest.finishedAt, '0 fact rows', EMPTY]) {
      assert.ok(refused.message.includes(part), `${part} in: ${refused.message}`);
    }
    assert.equal((await readLakeManifest(lakeDir))?.runId, full.manifest.runId, 'the full lake is kept');

    // Asked and declined (the editor's modal answered No): cancelled, the lake kept.
    const asked: LakeShrink[] = [];
    const declined = await runPipeline({ target, lakeDir, modelDir, database: EMPTY, confirmShrink: (s) => { asked.push(s); return Promise.resolve(false); } })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(isCancelled(declined), String(declined));
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0].previous, { runId: full.manifest.runId, finishedAt: full.manifest.finishedAt, factRows: 2996, orderAmountTotal: full.manifest.source.orderAmountTotal });
    assert.equal(asked[0].next.factRows, 0);
    assert.equal((await readLakeManifest(lakeDir))?.runId, full.manifest.runId, 'the full lake is kept');
    assert.deepEqual(await leftoverRunDirs(lakeDir), []);

    // Confirmed: the empty lake replaces it.
    const confirmed = await runPipeline({ target, lakeDir, modelDir, database: EMPTY, confirmShrink: () => Promise.resolve(true) });
    assert.equal(confirmed.manifest.tables.fact_orders.rows, 0);
    assert.equal((await readLakeManifest(lakeDir))?.runId, confirmed.manifest.runId);
    // An empty lake has nothing to lose: the full one replaces it without a question.
    const refilled = await runPipeline({ target, lakeDir, modelDir });
    assert.equal(refilled.manifest.tables.fact_orders.rows, 2996);
  });

  test('the CLI replaces a full lake with an empty one only with --allow-shrink, and says so without it (item 2)', async () => {
    const lakeDir = path.join(tmp, 'lake-shrink-cli');
    const env = { LIFECYCLE_LAB_LOCAL_LABDIR: repoLabDir() };
    const full = await runPipeline({ target, lakeDir, modelDir });
    const refused = await runCli(['pipeline', 'run', '--lake', lakeDir, '--database', EMPTY], env);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /2,996 fact rows/);
    assert.match(refused.stderr, /Next step: Pass --allow-shrink to replace it\.$/m);
    assert.equal((await readLakeManifest(lakeDir))?.runId, full.manifest.runId, 'the full lake is kept');
    const help = await runCli(['pipeline', 'run', '--help'], env);
    assert.match(help.stdout + help.stderr, /--allow-shrink/);
    const allowed = await runCli(['pipeline', 'run', '--lake', lakeDir, '--database', EMPTY, '--allow-shrink', '--json'], env);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.equal((await readLakeManifest(lakeDir))?.tables.fact_orders.rows, 0);
  });

  test('LIFECYCLE_LAB_MYSQL_DATABASE selects the local lab database: an unknown one fails naming the ones there (item 7)', async () => {
    const lakeDir = path.join(tmp, 'lake-env-db');
    const r = await runCli(['pipeline', 'run', '--lake', lakeDir, '--json'], { LIFECYCLE_LAB_LOCAL_LABDIR: repoLabDir(), LIFECYCLE_LAB_MYSQL_DATABASE: 'h19_nosuchdb' });
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout.trim()) as { ok: boolean; error: { code: string; message: string; nextStep?: { env?: string } } };
    assert.equal(out.error.code, 'unknownDatabase');
    assert.match(out.error.message, /^Database 'h19_nosuchdb' does not exist on local lab\. Databases there: .*\bclassicmodels\b/);
    assert.equal(out.error.nextStep?.env, 'LIFECYCLE_LAB_MYSQL_DATABASE');
    assert.equal(await readLakeManifest(lakeDir), undefined, 'no lake written from classicmodels');
  });

  test('a source missing a column the model needs names table and column and says the source does not match (item 8)', async () => {
    const err = await expectLabError(runPipeline({ target, lakeDir: path.join(tmp, 'lake-nocolumn'), modelDir, database: NO_COLUMN }), 'missingTable');
    assert.match(err.message, /orderdetails\.priceEach/);
    assert.match(err.message, /does not match the model/);
    assert.notEqual(err.nextStep?.command, 'lifecycleLab.startLocalLab', 'the lab runs: starting it is no fix');
    assert.doesNotMatch(err.message, /Start (the )?Local Lab/i);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.mysql.database');
  });
});
