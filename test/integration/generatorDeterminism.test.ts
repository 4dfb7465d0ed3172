import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import type { MysqlTarget } from '../../src/core/config';
import { connectTarget, DUMP_COUNTS } from '../../src/core/lab/db';
import { generateClassicmodels, generatedTables, type Row } from '../../src/core/lab/generator';
import { qualifiedName, quoteIdent } from '../../src/core/source/sql';
import { labTarget } from './fixture';

/** Scratch databases this suite writes to; never classicmodels. */
const ONE_BY_ONE = 'lab_test_gen_serial';
const PARALLEL = 'lab_test_gen_parallel';

/**
 * SHA-256 of the row plan (every table's rows, as JSON lines) that the generator made before its loader went
 * parallel and its formatting got faster (commit 17d1620). Making rows faster must not make other rows: a change
 * here changes every scaled lab, bench figure and differential test, and must be deliberate.
 */
const RECORDED_PLAN_SHA256: Record<string, string> = {
  'scale 2, seed 1': '8856facfe4b79defd67f6a8b2ab3128030f58fd2d581547198684026f2e9f9c4',
  'scale 3, seed 7': '16cda571c2442966899baa252b6d5fd462507a5a23c0be0ef14b2edb35e6eaee',
};

function planDigest(scale: number, seed: number): string {
  const hash = createHash('sha256');
  for (const plan of generatedTables(scale, seed)) {
    hash.update(`${plan.table}\n`);
    for (const row of plan.rows()) hash.update(`${JSON.stringify(row)}\n`);
  }
  return hash.digest('hex');
}

/** A row as one line with NULL marked, the same for a plan row and for the row MariaDB returns. */
const NULL_MARK = '\\N';
const lineOf = (row: Row): string => row.map((v) => (v === null ? NULL_MARK : String(v))).join('\u001f');

/** Every table's rows as the server stores them, one sorted list of lines per table. */
async function storedLines(conn: Connection, database: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const plan of generatedTables(1, 1)) {
    const columns = plan.columns.map((c) => `COALESCE(${quoteIdent(c)}, '\\\\N')`).join(', ');
    const [rows] = await conn.query({ sql: `SELECT CONCAT_WS(0x1f, ${columns}) FROM ${qualifiedName(database, plan.table)}`, rowsAsArray: true });
    out.set(plan.table, (rows as string[][]).map((r) => String(r[0])).sort());
  }
  return out;
}

async function checksums(conn: Connection, database: string): Promise<Record<string, string>> {
  const [rows] = await conn.query(`CHECKSUM TABLE ${Object.keys(DUMP_COUNTS).map((t) => qualifiedName(database, t)).join(', ')}`);
  const out: Record<string, string> = {};
  for (const r of rows as { Table: string; Checksum: number | string }[]) out[r.Table.split('.')[1]] = String(r.Checksum);
  return out;
}

suite('lab: generator determinism', function () {
  this.timeout(120_000);
  let target: MysqlTarget;
  let conn: Connection;

  suiteSetup(async () => {
    target = await labTarget();
    conn = await connectTarget({ ...target, database: '' });
  });

  suiteTeardown(async () => {
    if (!conn) return;
    for (const db of [ONE_BY_ONE, PARALLEL]) await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`).catch(() => undefined);
    await conn.end();
  });

  test('the row plan is the one recorded before the loader changed, for two scales and seeds', () => {
    assert.equal(planDigest(2, 1), RECORDED_PLAN_SHA256['scale 2, seed 1']);
    assert.equal(planDigest(3, 7), RECORDED_PLAN_SHA256['scale 3, seed 7']);
  });

  test('one connection with keys kept and three with keys deferred and small batches store the same rows, bit for bit, as the plan', async () => {
    const serial = await generateClassicmodels(target, { scale: 2, seed: 1, database: ONE_BY_ONE, connections: 1, deferIndexes: false });
    // Batches of 500 rows spread every big table over all three connections, racing each other.
    const parallel = await generateClassicmodels(target, { scale: 2, seed: 1, database: PARALLEL, connections: 3, deferIndexes: true, rowsPerLoad: 500 });
    assert.deepEqual(parallel.counts, serial.counts);

    const expected = new Map<string, string[]>();
    for (const plan of generatedTables(2, 1)) expected.set(plan.table, [...plan.rows()].map(lineOf).sort());
    const [storedSerial, storedParallel] = [await storedLines(conn, ONE_BY_ONE), await storedLines(conn, PARALLEL)];
    for (const [table, lines] of expected) {
      assert.ok(lines.length > 0, `${table} has rows`);
      assert.deepEqual(storedSerial.get(table), lines, `${table}: one connection stored the plan's rows`);
      assert.deepEqual(storedParallel.get(table), lines, `${table}: three connections stored the plan's rows`);
    }
    // The server's own whole-table checksums agree too (they cover the stored bytes, types and NULLs included).
    assert.deepEqual(await checksums(conn, PARALLEL), await checksums(conn, ONE_BY_ONE));
    // Keys built after the load are the keys the schema declares, as when kept during it.
    for (const table of Object.keys(DUMP_COUNTS)) {
      const ddl = async (db: string) => ((await conn.query(`SHOW CREATE TABLE ${qualifiedName(db, table)}`))[0] as Record<string, string>[])[0]['Create Table'];
      assert.equal(await ddl(PARALLEL), await ddl(ONE_BY_ONE), table);
    }
  });
});
