import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Connection } from 'mysql2/promise';
import type { MysqlTarget } from '../config';
import { LabError, throwIfCancelled } from '../errors';
import type { LongWork } from '../progress';
import { quoteIdent } from '../source/sql';
import { connectTarget, countMismatches, countTables, DUMP_COUNTS, dropQuietly, swapDatabase, type TableCounts } from './db';

/** Finds data/mysqlsampledatabase.sql walking up from `from` (dist/, out/src/…, or the repo root). */
export function findDumpFile(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, 'data', 'mysqlsampledatabase.sql');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const CREATE_DATABASE = /CREATE\s+DATABASE\b[^;]*?`classicmodels`[^;]*;/i;
const USE_DATABASE = /\bUSE\s+`classicmodels`\s*;/i;

/**
 * The dump with its own `CREATE DATABASE`/`USE classicmodels` removed, so it runs in whatever database the
 * connection is on (the staging database). Everything else, `SET NAMES utf8` and the CRLF line ends
 * included, goes to the server unchanged: the server parses them fine, and rewriting data text risks changing it.
 */
export function dumpForStaging(dumpText: string): string {
  if (!CREATE_DATABASE.test(dumpText) || !USE_DATABASE.test(dumpText)) {
    throw new LabError('seedFailed', 'The dump does not look like the classicmodels sample (no CREATE DATABASE / USE `classicmodels`).');
  }
  return dumpText.replace(CREATE_DATABASE, '').replace(USE_DATABASE, '');
}

export interface SeedOptions extends LongWork {
  dumpFile: string;
  /** Database to (re)create; default classicmodels. */
  database?: string;
  /** Counts the load must produce; default the lab dump's. */
  expectedCounts?: TableCounts;
}

/**
 * Loads the dump into `<database>__seed`, checks the row counts, then swaps it into `<database>` atomically.
 * A dump failing halfway leaves the existing database untouched and no staging database behind.
 */
export async function seedFromDump(target: MysqlTarget, opts: SeedOptions): Promise<TableCounts> {
  const database = opts.database ?? 'classicmodels';
  const staging = `${database}__seed`;
  const expected = opts.expectedCounts ?? DUMP_COUNTS;
  const report = opts.onProgress ?? (() => {});
  let sql: string;
  try {
    sql = dumpForStaging(await fsp.readFile(opts.dumpFile, 'utf8'));
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('seedFailed', `Cannot read the lab dump ${opts.dumpFile}: ${(err as Error).message}`, {
      nextStep: { label: 'Restore data/mysqlsampledatabase.sql (git checkout data/)' }, cause: err,
    });
  }
  let conn: Connection | undefined;
  try {
    conn = await connectTarget({ ...target, database: '' }, { multipleStatements: true });
    throwIfCancelled(opts.signal, 'Seeding classicmodels');
    report({ message: `Loading the dump into ${staging}`, fraction: 0.1 });
    await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(staging)}`);
    await conn.query(`CREATE DATABASE ${quoteIdent(staging)} CHARACTER SET latin1`);
    await conn.query(`USE ${quoteIdent(staging)}`);
    try {
      await conn.query(sql);
    } catch (err) {
      throw new LabError('seedFailed', `Loading the dump ${path.basename(opts.dumpFile)} failed halfway: ${(err as Error).message}. ${database} was left as it was.`, {
        nextStep: { label: 'Restore data/mysqlsampledatabase.sql (git checkout data/) and run lab up again' }, cause: err,
      });
    }
    // The dump changes session settings (SQL_MODE, NAMES); start clean for the checks.
    await conn.end();
    conn = await connectTarget({ ...target, database: '' }, { multipleStatements: false });
    throwIfCancelled(opts.signal, 'Seeding classicmodels');
    report({ message: 'Checking row counts', fraction: 0.8 });
    const counts = await countTables(conn, staging);
    const wrong = countMismatches(counts, expected);
    if (wrong.length > 0) {
      throw new LabError('seedFailed', `The dump loaded with unexpected row counts (${wrong.join('; ')}). ${database} was left as it was.`, {
        nextStep: { label: 'Restore data/mysqlsampledatabase.sql (git checkout data/) and run lab up again' },
      });
    }
    report({ message: `Swapping ${staging} into ${database}`, fraction: 0.9 });
    await swapDatabase(conn, staging, database, 'latin1');
    return counts as TableCounts;
  } catch (err) {
    await conn?.end().catch(() => {});
    conn = undefined;
    await dropQuietly(target, staging);
    throw err;
  } finally {
    await conn?.end().catch(() => {});
  }
}
