/**
 * The loader: generated rows stream into MariaDB with LOAD DATA LOCAL INFILE, in batches over several connections
 * at once, into a staging database that is swapped in at the end. A cancel stops the running statements with
 * KILL QUERY. The rows do not depend on how they are loaded: every table is clustered by its primary key, so
 * which connection or batch carried a row changes nothing in the tables (test/integration/generatorDeterminism).
 */
import * as fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Connection } from 'mysql2/promise';
import type { MysqlTarget } from '../../config';
import { asError, LabError, throwIfCancelled } from '../../errors';
import type { LongWork } from '../../progress';
import { killQuery } from '../../source/kill';
import { quoteIdent } from '../../source/sql';
import { connectTarget, countMismatches, countTables, dropQuietly, swapDatabase, targetOptions, type TableCounts } from '../db';
import { findDumpFile } from '../seed';
import { checkScale, generatedCounts, generatedTables, type Row } from './rows';

export interface GenerateOptions extends LongWork {
  scale: number;
  /** Database to (re)create; default classicmodels. Benchmarks use e.g. classicmodels_x1000. */
  database?: string;
  /** PRNG seed; default 1. */
  seed?: number;
  /** The dump whose CREATE TABLE statements give the schema; default data/mysqlsampledatabase.sql found from here. */
  schemaFile?: string;
  /**
   * Build secondary keys and foreign keys after loading instead of during it. Default true: at scale 300 the server
   * spent 9.6–11.4 CPU-s with the keys built after the load against 14.6–16.8 with them kept during it
   * (bench/pipeline.md, 2026-11-30; bench/generate.ts compares both).
   */
  deferIndexes?: boolean;
  /** LOAD DATA statements running at once, each on its own connection (default LOAD_CONNECTIONS). */
  connections?: number;
  /** Rows per LOAD DATA statement (default ROWS_PER_LOAD); tests make it small to spread a table over connections. */
  rowsPerLoad?: number;
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

/**
 * Default for GenerateOptions.connections: the generator (one JS thread) keeps two server threads busy; with the
 * keys deferred the server's side is the larger one, so the second connection overlaps it with the generation.
 */
export const LOAD_CONNECTIONS = 2;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** One TSV field for LOAD DATA (… ESCAPED BY '\\'), with \N for NULL. */
function field(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  // Almost no generated text needs escaping; testing first skips four regex replaces per value.
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function tsvLine(row: Row): string {
  let line = field(row[0]);
  for (let i = 1; i < row.length; i++) line += `\t${field(row[i])}`;
  return `${line}\n`;
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
        chunk += tsvLine(r.value);
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
 * Loads into `<database>__seed` with LOAD DATA LOCAL INFILE over `connections` sessions at once, checks the counts,
 * then swaps it in atomically; a failure or cancel leaves `database` as it was and no staging database behind.
 */
export async function generateClassicmodels(target: MysqlTarget, opts: GenerateOptions): Promise<GenerateResult> {
  const { scale } = opts;
  checkScale(scale);
  const connections = opts.connections ?? LOAD_CONNECTIONS;
  if (!Number.isInteger(connections) || connections < 1) throw new LabError('config', `Connections must be a whole number of at least 1 (got ${connections}).`);
  const database = opts.database ?? 'classicmodels';
  const staging = `${database}__seed`;
  const seed = opts.seed ?? 1;
  const report = opts.onProgress ?? (() => {});
  const expected = generatedCounts(scale);
  const totalRows = Object.values(expected).reduce((a, b) => a + b, 0);
  const schema = await classicmodelsSchema(opts.schemaFile);
  const started = performance.now();
  let conn: Connection | undefined;
  const loaders: Connection[] = [];
  let onAbort: (() => void) | undefined;
  try {
    conn = await connectTarget({ ...target, database: '' });
    const sessions = [conn];
    // A cancel stops the statements running on the server too (LOAD DATA or index builds, on every connection).
    onAbort = () => {
      for (const session of sessions) {
        killQuery(targetOptions({ ...target, database: '' }), session.threadId).catch(() => {
          // the statement may have finished already
        });
      }
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(staging)}`);
    await conn.query(`CREATE DATABASE ${quoteIdent(staging)} CHARACTER SET latin1`);
    await conn.query(`USE ${quoteIdent(staging)}`);
    const plans = generatedTables(scale, seed);
    const addLater = new Map<string, string[]>();
    for (const plan of plans) {
      const ddl = schema.get(plan.table);
      if (!ddl) throw new LabError('internal', `The schema source has no CREATE TABLE for ${plan.table}.`);
      const split = opts.deferIndexes ?? true ? splitIndexes(ddl) : { create: ddl, addLater: [] };
      await conn.query(split.create);
      addLater.set(plan.table, split.addLater);
    }
    for (let i = 0; i < connections; i++) {
      const loader = i === 0 ? conn : await connectTarget({ ...target, database: staging });
      if (i > 0) {
        loaders.push(loader);
        sessions.push(loader);
      }
      // Checks the data cannot fail (generated keys are unique and resolve) are deferred for the session.
      await loader.query("SET SESSION foreign_key_checks = 0, unique_checks = 0, sql_mode = 'STRICT_ALL_TABLES'");
    }
    const pool = new LoadPool(sessions);
    let loaded = 0;
    const keysBuilt: Promise<void>[] = [];
    for (const plan of plans) {
      throwIfCancelled(opts.signal, 'Generating data');
      report({ message: `Generating ${plan.table} (${expected[plan.table].toLocaleString('en-US')} rows)`, fraction: loaded / totalRows });
      // One iterator per table, shared by its batches: rows are generated in order, in this one thread, whichever
      // connection sends them (later tables read arrays the earlier ones fill while they are generated).
      const iterator = plan.rows()[Symbol.iterator]();
      const state = { done: false };
      const loads: Promise<void>[] = [];
      while (!state.done) {
        const session = await pool.acquire();
        // A failed batch stops the generation at once instead of after the remaining rows.
        if (pool.error !== undefined) {
          pool.release(session);
          throw pool.error;
        }
        throwIfCancelled(opts.signal, 'Generating data');
        const stream = tsvBatch(iterator, opts.rowsPerLoad ?? ROWS_PER_LOAD, state, opts.signal, (n) => {
          loaded += n;
          if (plan.table === 'orderdetails' && loaded % 200_000 < n) {
            report({ message: `Generating orderdetails (${loaded.toLocaleString('en-US')} of ${totalRows.toLocaleString('en-US')} rows)`, fraction: loaded / totalRows });
          }
        });
        const load = pool.run(session, () => loadBatch(session, plan.table, plan.columns, stream));
        load.catch(() => undefined); // awaited below, with the table's other batches
        loads.push(load);
        // Let this batch's stream start before the next one shares the iterator.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const keys = addLater.get(plan.table) ?? [];
      // The table's keys are built once its last batch is in, on a free connection, while later tables load.
      const built = Promise.all(loads).then(async () => {
        if (keys.length === 0) return;
        const session = await pool.acquire();
        await pool.run(session, async () => {
          throwIfCancelled(opts.signal, 'Generating data');
          await session.query(`ALTER TABLE ${quoteIdent(plan.table)} ${keys.join(', ')}`);
        });
      });
      built.catch(() => undefined); // awaited below
      keysBuilt.push(built);
    }
    report({ message: 'Building keys', fraction: loaded / totalRows });
    await Promise.all(keysBuilt);
    throwIfCancelled(opts.signal, 'Generating data');
    const counts = await countTables(conn, staging);
    const wrong = countMismatches(counts, expected);
    if (wrong.length > 0) throw new LabError('internal', `Generated data has unexpected row counts (${wrong.join('; ')}).`);
    report({ message: `Swapping ${staging} into ${database}`, fraction: 0.99 });
    await swapDatabase(conn, staging, database, 'latin1');
    const seconds = (performance.now() - started) / 1000;
    return { database, counts: counts as TableCounts, rows: totalRows, seconds, rowsPerSecond: totalRows / seconds };
  } catch (err) {
    for (const session of [...loaders, conn]) session?.destroy();
    loaders.length = 0;
    conn = undefined;
    await dropQuietly(target, staging);
    if (opts.signal?.aborted) throw new LabError('cancelled', 'Generating data was cancelled.', { cause: err });
    throw err;
  } finally {
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    for (const session of [...loaders, conn]) await session?.end().catch(() => {});
  }
}

/** One LOAD DATA LOCAL INFILE of a batch; a warning (a value the table would change) fails it. */
async function loadBatch(session: Connection, table: string, columns: string[], stream: Readable): Promise<void> {
  const [result] = await session.query({
    sql: `LOAD DATA LOCAL INFILE ${session.escape(`${table}.tsv`)} INTO TABLE ${quoteIdent(table)} CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns.map(quoteIdent).join(', ')})`,
    infileStreamFactory: () => stream,
  });
  const warnings = (result as { warningStatus?: number }).warningStatus ?? 0;
  if (warnings > 0) {
    const [rows] = await session.query('SHOW WARNINGS LIMIT 3');
    throw new LabError('internal', `Loading generated ${table} gave ${warnings} warning(s): ${(rows as { Message: string }[]).map((r) => r.Message).join('; ')}`);
  }
}

/** Connections handed out one statement at a time; `error` keeps the first failure of a statement run through it. */
class LoadPool {
  private readonly free: Connection[];
  private readonly waiting: ((session: Connection) => void)[] = [];
  error?: Error;

  constructor(sessions: Connection[]) {
    this.free = [...sessions];
  }

  acquire(): Promise<Connection> {
    const session = this.free.pop();
    return session ? Promise.resolve(session) : new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Runs work on an acquired session and hands the session back, whatever the outcome. */
  async run(session: Connection, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.error ??= asError(err);
      throw err;
    } finally {
      this.release(session);
    }
  }

  release(session: Connection): void {
    const next = this.waiting.shift();
    if (next) next(session);
    else this.free.push(session);
  }
}
