import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MysqlTarget } from '../config';
import { asError, CancelledError, LabError, throwIfCancelled } from '../errors';
import { sqlIdent, sqlLiteral } from '../query/sqlText';
import { stageTableDdl } from './extract';
import { sourceNextStep } from './source';
import type { SourceTable } from './sourceSchema';

/**
 * The fast extraction route: MariaDB's own client streams each table as text (`--batch --raw --quick`) through a
 * FIFO (or a temp file) into DuckDB's CSV reader. It is 1.3–2× faster than appending rows from JS because the
 * server, the client's formatting and DuckDB's parser run on separate threads (see extract-measurements.md).
 *
 * The escaping scheme: with --raw the client prints values byte for byte and SQL NULL as the bare word NULL.
 * String columns are wrapped server-side in single quotes with inner quotes doubled (standard CSV quoting, not
 * QUOTE(), whose \0 and \Z escapes DuckDB cannot undo), so tabs, newlines, CR, backslashes, NUL bytes, the
 * text 'NULL' and '' all survive, and a bare NULL is always SQL NULL. Numbers and dates print unambiguously.
 */

// The pipeline finds its client here too; the one look-up lives in source/mysqlClient.ts.

/**
 * The integer column that leads each big table's primary key: such a table is read in ranges of it over parallel
 * client streams (the server sends each stream on its own thread). Other tables are read whole.
 */
export const RANGE_KEYS: Readonly<Record<string, string>> = { orderdetails: 'orderNumber', orders: 'orderNumber', customers: 'customerNumber' };

/** One client stream: a whole table, or the rows of one key range (`where`, over the table's range key). */
export interface ExtractPart {
  /** 0-based; names the part's FIFO. */
  index: number;
  where?: string;
}

/**
 * Splits [min, max] of a table's range key into `parts` ranges of equal width. The first and last ranges are open
 * (`key < b1`, `key >= bn`), so together they cover every row the stream sees, however the table changed since
 * min and max were read: rows added meanwhile are read too, and the count check then notices the change.
 */
export function rangeParts(key: string, min: number, max: number, parts: number): ExtractPart[] {
  const n = Math.max(1, Math.min(parts, max - min + 1));
  if (n === 1 || !Number.isSafeInteger(min) || !Number.isSafeInteger(max)) return [{ index: 0 }];
  const id = `\`${key}\``;
  const bounds = Array.from({ length: n - 1 }, (_, i) => min + Math.round(((i + 1) * (max - min + 1)) / n));
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    where: i === 0 ? `${id} < ${bounds[0]}` : i === n - 1 ? `${id} >= ${bounds[i - 1]}` : `${id} >= ${bounds[i - 1]} and ${id} < ${bounds[i]}`,
  }));
}

/** The SELECT the client runs: string columns quoted CSV-style, the rest as the server prints them. */
export function clientSelect(table: SourceTable, part?: ExtractPart): string {
  const columns = table.columns.map((c) => {
    const id = `\`${c.name}\``;
    return c.type === 'VARCHAR' ? `concat('''', replace(${id}, '''', ''''''), '''')` : id;
  });
  return `select ${columns.join(', ')} from \`${table.name}\`${part?.where ? ` where ${part.where}` : ''}`;
}

/** DuckDB read_csv over the client's output, with the staging types and no guessing. */
export function readClientFileSql(table: SourceTable, file: string): string {
  const columns = table.columns.map((c) => `${sqlLiteral(c.name)}: ${sqlLiteral(c.type)}`).join(', ');
  return `select * from read_csv(${sqlLiteral(file)}, delim = '\t', quote = '''', escape = '''', header = false, ` +
    `allow_quoted_nulls = false, nullstr = 'NULL', new_line = '\\n', auto_detect = false, columns = {${columns}})`;
}

function clientError(stderr: string, target: MysqlTarget, table: string): LabError {
  const text = stderr.trim().split('\n').pop() ?? '';
  if (/ERROR 20(0[2356]|13)/.test(text)) {
    return new LabError('unreachable', `The source ${target.host}:${target.port} dropped the extraction of ${table}: ${text}`, { nextStep: sourceNextStep(target) });
  }
  if (/ERROR 1045/.test(text)) return new LabError('auth', `The source refused the extraction of ${table}: ${text}`, { nextStep: sourceNextStep(target) });
  return new LabError('queryFailed', `Extracting ${table} with the MariaDB client failed: ${text || 'no message'}`, { nextStep: sourceNextStep(target) });
}

/**
 * Streams one table through the client into DuckDB. On Linux and macOS the client writes into a FIFO that
 * DuckDB reads at the same time (server, client and parser overlap); elsewhere into a temp file loaded after.
 */
export async function extractTableViaClient(
  duck: DuckDBConnection,
  table: SourceTable,
  options: {
    client: string; target: MysqlTarget; database: string; dir: string; signal?: AbortSignal; fifo?: boolean;
    /** A key range of the table, appended to a staging table the caller made; default: the whole table, into a new one. */
    part?: ExtractPart;
  },
): Promise<number> {
  const { signal, part } = options;
  throwIfCancelled(signal, 'Pipeline run');
  await fs.mkdir(options.dir, { recursive: true });
  if (!part) await duck.run(stageTableDdl(table));
  const name = part ? `${table.name}.${part.index}` : table.name;
  const useFifo = (options.fifo ?? process.platform !== 'win32') && makeFifo(path.join(options.dir, `${name}.fifo`));
  const file = path.join(options.dir, `${name}.${useFifo ? 'fifo' : 'tsv'}`);
  const load = () => duck.run(`insert into ${sqlIdent(table.name)} ${readClientFileSql(table, file)}`);
  const onAbort = () => duck.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    throwIfCancelled(signal, 'Pipeline run'); // aborted during the awaits above, before the listener existed
    if (useFifo) {
      // DuckDB opens the FIFO first and the client gets the write end only once it is open: a writer that exits
      // before the reader opens would leave the reader's open() waiting for a writer forever (a source killed at
      // the wrong moment hung the run). This way the reader always sees EOF when the client ends, however it ends.
      const loaded = load();
      loaded.catch(() => undefined);
      const out = await openWriteEndWhenRead(file, loaded);
      let clientDone: Promise<void>;
      try {
        clientDone = runClient(table, options, out);
        clientDone.catch(() => undefined); // read below, after the close
      } finally {
        closeSync(out); // the child holds its own copy; this one would keep the reader from seeing EOF
      }
      const [client, rows] = await Promise.allSettled([clientDone, loaded]);
      // The client's failure explains a short or broken stream better than the parser's.
      if (client.status === 'rejected') throw client.reason;
      if (rows.status === 'rejected') throw rows.reason;
      return Number(rows.value.rowsChanged);
    }
    const out = await fs.open(file, 'w');
    try {
      await runClient(table, options, out.fd);
    } finally {
      await out.close();
    }
    return Number((await load()).rowsChanged);
  } catch (err) {
    if (signal?.aborted) throw new CancelledError('Pipeline run');
    if (err instanceof LabError) throw err;
    throw new LabError('unexpectedType', `The extracted ${table.name} could not be staged: ${(err as Error).message}`, { cause: err });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await fs.rm(file, { force: true });
  }
}

/**
 * Opens the FIFO for writing once a reader has it open; the descriptor. A non-blocking open for writing fails with
 * ENXIO until then, so it doubles as the probe; the descriptor handed on is a second, blocking one (the client's writes
 * must block, not fail, when DuckDB falls behind). Gives up when the reader fails before it ever opens the FIFO.
 *
 * The opens and closes are synchronous, on this thread: DuckDB runs each load on Node's small worker pool (4 threads),
 * where a load reading a FIFO holds its thread until the FIFO ends, and the FIFO ends only when this side closes its
 * write end. Asynchronous opens and closes queue on that same pool, so three lanes' loads could take every free thread
 * and wait for closes that never ran (parallel key-range lanes hung a run). Neither open can block here: the probe is
 * non-blocking, and the blocking open comes while the probe is still open, so the reader, which sees a writer, stays.
 */
async function openWriteEndWhenRead(file: string, reader: Promise<unknown>): Promise<number> {
  let readerFailed: Error | undefined;
  let settled = false;
  reader.then(() => { settled = true; }, (err: unknown) => { settled = true; readerFailed = err === undefined || err === null ? new Error('the reader failed') : asError(err); });
  for (;;) {
    let probe: number | undefined;
    try {
      probe = openSync(file, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
      return openSync(file, fsConstants.O_WRONLY);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
    } finally {
      if (probe !== undefined) closeSync(probe);
    }
    if (settled) throw readerFailed ?? new Error(`DuckDB finished without reading ${path.basename(file)}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function makeFifo(file: string): boolean {
  return spawnSync('mkfifo', ['-m', '600', file], { stdio: 'ignore' }).status === 0;
}

/** Runs the client with stdout on `fd`; resolves when it exits cleanly. */
function runClient(table: SourceTable, options: { client: string; target: MysqlTarget; database: string; signal?: AbortSignal; part?: ExtractPart }, fd: number): Promise<void> {
  const { target, signal } = options;
  return new Promise<void>((resolve, reject) => {
    const child = spawn(options.client, [
      '--batch', '--raw', '--quick', '--skip-column-names', '--default-character-set=utf8mb4', '--protocol=TCP',
      '-h', target.host, '-P', String(target.port), '-u', target.user, options.database, '-e', clientSelect(table, options.part),
    ], {
      // The password travels in the environment, never on the command line (visible in ps).
      env: { ...process.env, MYSQL_PWD: target.password },
      stdio: ['ignore', fd, 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    child.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new LabError('queryFailed', `The MariaDB client ${options.client} could not start: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(new CancelledError('Pipeline run'));
      else if (code !== 0) reject(clientError(stderr, target, table.name));
      else resolve();
    });
  });
}
