/**
 * The loader: generated rows stream into MariaDB with LOAD DATA LOCAL INFILE, in batches, into a staging
 * database that is swapped in at the end. A cancel stops the running statement with KILL QUERY.
 */
import * as fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Connection } from 'mysql2/promise';
import type { MysqlTarget } from '../../config';
import { LabError, throwIfCancelled } from '../../errors';
import type { LongWork } from '../../progress';
import { killQuery } from '../../source/kill';
import { quoteIdent } from '../../source/sql';
import { connectTarget, countMismatches, countTables, dropQuietly, swapDatabase, targetOptions, type TableCounts } from '../db';
import { findDumpFile } from '../seed';
import { generatedCounts, generatedTables, type Row } from './rows';

export interface GenerateOptions extends LongWork {
  scale: number;
  /** Database to (re)create; default classicmodels. Benchmarks use e.g. classicmodels_x1000. */
  database?: string;
  /** PRNG seed; default 1. */
  seed?: number;
  /** The dump whose CREATE TABLE statements give the schema; default data/mysqlsampledatabase.sql found from here. */
  schemaFile?: string;
  /**
   * Build secondary keys and foreign keys after loading instead of during it. Default false: measured on the
   * lab's 2-core machine at scale 100, keeping the keys during the load was about 1.8x faster (bench/generate.ts).
   */
  deferIndexes?: boolean;
}

export interface GenerateResult {
  database: string;
  counts: TableCounts;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/** Rows per LOAD DATA statement: bounds memory (mysql2 reads an infile stream without backpressure) and gives cancel points. */
const ROWS_PER_LOAD = 250_000;

/** One TSV field for LOAD DATA (… ESCAPED BY '\\'), with \N for NULL. */
function field(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * The next batch of rows (at most `limit`) from a shared iterator as TSV text, for one LOAD DATA LOCAL INFILE.
 * `state.done` turns true once the iterator is exhausted.
 */
function tsvBatch(iterator: Iterator<Row>, limit: number, state: { done: boolean }, signal: AbortSignal | undefined, onRows: (n: number) => void): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (signal?.aborted) {
        this.destroy(new LabError('cancelled', 'Generating data was cancelled.'));
        return;
      }
      let chunk = '';
      let n = 0;
      while (n < 4000 && sent < limit) {
        const r = iterator.next();
        if (r.done) {
          state.done = true;
          break;
        }
        chunk += `${r.value.map(field).join('\t')}\n`;
        n++;
        sent++;
      }
      if (n > 0) onRows(n);
      if (chunk) this.push(chunk);
      if (state.done || sent >= limit) this.push(null);
    },
  });
}

/** A CREATE TABLE split into the table with its primary key only and the secondary keys and foreign keys to add after loading. */
export function splitIndexes(ddl: string): { create: string; addLater: string[] } {
  const lines = ddl.split(/\r?\n/);
  const later = lines.filter((l) => /^\s*(KEY|UNIQUE KEY|CONSTRAINT)\s/.test(l)).map((l) => l.trim().replace(/,$/, ''));
  const kept = lines.filter((l) => !/^\s*(KEY|UNIQUE KEY|CONSTRAINT)\s/.test(l));
  // The column or primary-key line before the closing parenthesis must lose its trailing comma.
  const close = kept.findIndex((l) => /^\)\s*ENGINE=/.test(l));
  if (close > 0) kept[close - 1] = kept[close - 1].replace(/,\s*$/, '');
  return { create: kept.join('\n'), addLater: later.map((l) => `ADD ${l}`) };
}

/** CREATE TABLE statements of the eight tables, from the dump (the one home of the schema). */
export async function classicmodelsSchema(schemaFile?: string): Promise<Map<string, string>> {
  const file = schemaFile ?? findDumpFile(__dirname);
  if (!file) throw new LabError('internal', 'data/mysqlsampledatabase.sql (the schema source) was not found.');
  const text = await fs.readFile(file, 'utf8');
  const tables = new Map<string, string>();
  for (const m of text.matchAll(/CREATE TABLE `(\w+)` \([\s\S]*?\)\s*ENGINE=[^;]*;/g)) tables.set(m[1], m[0]);
  return tables;
}

/**
 * Fills `database` (default classicmodels) with generated classicmodels data at `scale` times the dump's size.
 * Loads into `<database>__seed` with LOAD DATA LOCAL INFILE, checks the counts, then swaps it in atomically;
 * a failure or cancel leaves `database` as it was and no staging database behind.
 */
export async function generateClassicmodels(target: MysqlTarget, opts: GenerateOptions): Promise<GenerateResult> {
  const { scale } = opts;
  if (!Number.isInteger(scale) || scale < 1) throw new LabError('config', `Scale must be a whole number of at least 1 (got ${scale}).`);
  const database = opts.database ?? 'classicmodels';
  const staging = `${database}__seed`;
  const seed = opts.seed ?? 1;
  const report = opts.onProgress ?? (() => {});
  const expected = generatedCounts(scale);
  const totalRows = Object.values(expected).reduce((a, b) => a + b, 0);
  const schema = await classicmodelsSchema(opts.schemaFile);
  const started = performance.now();
  let conn: Connection | undefined;
  let onAbort: (() => void) | undefined;
  try {
    conn = await connectTarget({ ...target, database: '' });
    const threadId = conn.threadId;
    // A cancel stops the statement running on the server too (a LOAD DATA or an index build).
    onAbort = () => {
      killQuery(targetOptions({ ...target, database: '' }), threadId).catch(() => {
        // the statement may have finished already
      });
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(staging)}`);
    await conn.query(`CREATE DATABASE ${quoteIdent(staging)} CHARACTER SET latin1`);
    await conn.query(`USE ${quoteIdent(staging)}`);
    await conn.query("SET SESSION foreign_key_checks = 0, unique_checks = 0, sql_mode = 'STRICT_ALL_TABLES'");
    let loaded = 0;
    for (const plan of generatedTables(scale, seed)) {
      throwIfCancelled(opts.signal, 'Generating data');
      const ddl = schema.get(plan.table);
      if (!ddl) throw new LabError('internal', `The schema source has no CREATE TABLE for ${plan.table}.`);
      const { create, addLater } = opts.deferIndexes ? splitIndexes(ddl) : { create: ddl, addLater: [] };
      await conn.query(create);
      report({ message: `Generating ${plan.table} (${expected[plan.table].toLocaleString('en-US')} rows)`, fraction: loaded / totalRows });
      const iterator = plan.rows()[Symbol.iterator]();
      const state = { done: false };
      while (!state.done) {
        throwIfCancelled(opts.signal, 'Generating data');
        const stream = tsvBatch(iterator, ROWS_PER_LOAD, state, opts.signal, (n) => {
          loaded += n;
          if (plan.table === 'orderdetails' && loaded % 200_000 < n) {
            report({ message: `Generating orderdetails (${loaded.toLocaleString('en-US')} of ${totalRows.toLocaleString('en-US')} rows)`, fraction: loaded / totalRows });
          }
        });
        const [result] = await conn.query({
          sql: `LOAD DATA LOCAL INFILE ${conn.escape(`${plan.table}.tsv`)} INTO TABLE ${quoteIdent(plan.table)} CHARACTER SET utf8mb4 ` +
            `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${plan.columns.map(quoteIdent).join(', ')})`,
          infileStreamFactory: () => stream,
        });
        const warnings = (result as { warningStatus?: number }).warningStatus ?? 0;
        if (warnings > 0) {
          const [rows] = await conn.query('SHOW WARNINGS LIMIT 3');
          throw new LabError('internal', `Loading generated ${plan.table} gave ${warnings} warning(s): ${(rows as { Message: string }[]).map((r) => r.Message).join('; ')}`);
        }
      }
      if (addLater.length > 0) {
        report({ message: `Indexing ${plan.table}`, fraction: loaded / totalRows });
        await conn.query(`ALTER TABLE ${quoteIdent(plan.table)} ${addLater.join(', ')}`);
      }
      throwIfCancelled(opts.signal, 'Generating data');
    }
    const counts = await countTables(conn, staging);
    const wrong = countMismatches(counts, expected);
    if (wrong.length > 0) throw new LabError('internal', `Generated data has unexpected row counts (${wrong.join('; ')}).`);
    report({ message: `Swapping ${staging} into ${database}`, fraction: 0.99 });
    await swapDatabase(conn, staging, database, 'latin1');
    const seconds = (performance.now() - started) / 1000;
    return { database, counts: counts as TableCounts, rows: totalRows, seconds, rowsPerSecond: totalRows / seconds };
  } catch (err) {
    conn?.destroy();
    conn = undefined;
    await dropQuietly(target, staging);
    if (opts.signal?.aborted) throw new LabError('cancelled', 'Generating data was cancelled.', { cause: err });
    throw err;
  } finally {
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    await conn?.end().catch(() => {});
  }
}
