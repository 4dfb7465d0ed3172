import type { Connection } from 'mysql2';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { MysqlTarget } from '../config';
import { CancelledError, LabError, throwIfCancelled } from '../errors';
import { sqlIdent } from '../query/sqlText';
import { targetLabel } from '../source/target';
import { cellText } from '../source/values';
import { mapSourceError, queryRows } from './source';
import type { SourceColumn, SourceTable } from './sourceSchema';

export interface SourceTotals {
  counts: Record<string, number>;
  /** Exact SUM(quantityOrdered * priceEach) as the server prints it. */
  orderAmountTotal: string;
}

/**
 * Fails with the first missing table or unexpected column type, naming it, before anything streams.
 * Extra source columns are fine: extraction selects only the ones the model reads.
 */
export async function checkSourceSchema(conn: Connection, target: MysqlTarget, database: string, tables: readonly SourceTable[]): Promise<void> {
  const rows = await queryRows(
    conn,
    `select table_name, column_name, data_type from information_schema.columns
      where table_schema = ? and table_name in (?)`,
    [database, tables.map((t) => t.name)],
  );
  const found = new Map<string, Map<string, string>>();
  for (const [table, column, type] of rows as [string, string, string][]) {
    const key = String(table).toLowerCase();
    if (!found.has(key)) found.set(key, new Map());
    found.get(key)!.set(String(column).toLowerCase(), String(type).toLowerCase());
  }
  const where = targetLabel(target);
  // The server answered, so starting the lab is no fix: the database does not hold what glue/sql reads.
  const mismatch = (what: string, code: 'missingTable' | 'unexpectedType' = 'missingTable') => new LabError(code,
    `${what}: the source does not match the model, whose SQL (glue/sql) reads it.`,
    { nextStep: { label: 'Choose a database that matches the model', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.mysql.database' } });
  for (const table of tables) {
    const columns = found.get(table.name);
    if (!columns) throw mismatch(`The source table ${database}.${table.name} is missing on ${where}`);
    for (const column of table.columns) {
      const type = columns.get(column.name.toLowerCase());
      if (type === undefined) throw mismatch(`The column ${table.name}.${column.name} is missing from ${database}.${table.name} on ${where}`);
      if (!column.mysqlTypes.includes(type)) {
        throw mismatch(`The column ${database}.${table.name}.${column.name} on ${where} has type ${type}, where the model expects ${column.mysqlTypes.join(' or ')}`, 'unexpectedType');
      }
    }
  }
}

/**
 * Counts rows and sums order amounts inside the caller's consistent snapshot, so the reconciliation compares
 * the lake with exactly the data that was extracted.
 */
export async function readSourceTotals(conn: Connection, tables: readonly SourceTable[]): Promise<SourceTotals> {
  // One statement, one round trip: the big table is scanned once for both its count and the money total, every other
  // table is counted in a subquery beside it.
  const others = tables.filter((t) => t.name !== 'orderdetails');
  const [[lines, total, ...otherCounts]] = await queryRows(conn,
    `select t.line_count, t.total${others.map((t) => `, (select count(*) from \`${t.name}\`)`).join('')} from ` +
    '(select count(*) as line_count, cast(coalesce(sum(quantityOrdered * priceEach), 0) as char) as total from orderdetails) t');
  const counts: Record<string, number> = {};
  for (const table of tables) {
    counts[table.name] = table.name === 'orderdetails' ? Number(lines) : Number(otherCounts[others.indexOf(table)]);
  }
  return { counts, orderAmountTotal: String(total) };
}

/** When each source table last changed, as the server tracks it (in memory: NULL until a change since its start). */
export type UpdateTimes = Record<string, string>;

/**
 * Reads information_schema's UPDATE_TIME of the source tables. It is not part of any snapshot, so reading it before
 * the snapshot and again after the last stream tells whether a commit touched a table meanwhile, which streams read
 * outside the snapshot would otherwise miss when it changes neither a count nor the order total.
 */
export async function readUpdateTimes(conn: Connection, database: string, tables: readonly SourceTable[]): Promise<UpdateTimes> {
  // MySQL 8 caches these statistics for a day unless told not to; MariaDB has no such cache (nor the variable).
  await queryRows(conn, 'set session information_schema_stats_expiry = 0').catch(() => undefined);
  const rows = await queryRows(conn,
    'select table_name, cast(update_time as char) from information_schema.tables where table_schema = ? and table_name in (?)',
    [database, tables.map((t) => t.name)]);
  const times: UpdateTimes = {};
  for (const [table, time] of rows) times[String(table).toLowerCase()] = cellText(time) ?? '';
  return times;
}

/**
 * The tables a run read outside its snapshot that changed while it ran: their row count differs from the snapshot's,
 * or the server saw a commit to them since `before`. Empty when the extracted rows are the snapshot's.
 */
export function changedDuringRun(tables: readonly string[], snapshotCounts: Record<string, number>, extractedCounts: Record<string, number>,
  before: UpdateTimes, after: UpdateTimes): string[] {
  const changed: string[] = [];
  for (const table of tables) {
    if (extractedCounts[table] !== snapshotCounts[table]) {
      changed.push(`${table}: ${snapshotCounts[table]} rows in the snapshot, ${extractedCounts[table]} read`);
    } else if ((after[table] ?? '') !== (before[table] ?? '')) {
      changed.push(`${table}: changed at ${after[table] || 'an unknown time'}`);
    }
  }
  return changed;
}

/** Starts a read-only transaction whose snapshot every later query on `conn` sees. */
export async function beginSnapshot(conn: Connection): Promise<void> {
  await queryRows(conn, 'set session transaction isolation level repeatable read');
  await queryRows(conn, 'start transaction with consistent snapshot, read only');
}

type Append = (appender: DuckDBAppender, value: unknown) => void;

/** How one source value goes into the appender. DECIMAL and DATE arrive as exact strings and DuckDB casts them. */
function appendFor(column: SourceColumn): Append {
  switch (column.type) {
    case 'INTEGER':
      return (a, v) => (v === null ? a.appendNull() : a.appendInteger(v as number));
    case 'SMALLINT':
      return (a, v) => (v === null ? a.appendNull() : a.appendSmallInt(v as number));
    default:
      return (a, v) => (v === null ? a.appendNull() : a.appendVarchar(v as string));
  }
}

export function stageTableDdl(table: SourceTable): string {
  const columns = table.columns.map((c) => `${sqlIdent(c.name)} ${c.type}`).join(', ');
  return `create or replace table ${sqlIdent(table.name)} (${columns})`;
}

/**
 * Streams one table from MySQL into a DuckDB table of the same name. Rows are appended as they arrive
 * (synchronously, inside the 'data' handler), so JS never holds more than the driver's read buffer.
 * Returns the number of rows appended.
 */
export async function extractTable(
  conn: Connection,
  duck: DuckDBConnection,
  table: SourceTable,
  options: { target: MysqlTarget; database: string; signal?: AbortSignal; onRows?: (rows: number) => void; onAlive?: () => void },
): Promise<number> {
  throwIfCancelled(options.signal, 'Pipeline run');
  await duck.run(stageTableDdl(table));
  const appender = await duck.createAppender(table.name);
  const appends = table.columns.map(appendFor);
  const width = appends.length;
  const select = `select ${table.columns.map((c) => `\`${c.name}\``).join(', ')} from \`${table.name}\``;
  let rows = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const query = conn.query({ sql: select, rowsAsArray: true });
      const stream = query.stream({ highWaterMark: 4096 });
      let settled = false;
      const finish = (err?: LabError) => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      // Destroying the connection is the only way to stop a streaming result mid-way; the run is over anyway.
      const onAbort = () => {
        conn.destroy();
        finish(new CancelledError('Pipeline run'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // A connection already lost fails the query synchronously (its error event aborts the run before the
      // listener above existed): without this check the stream would wait for rows that never come.
      if (options.signal?.aborted) onAbort();
      stream.on('data', (row: unknown) => {
        if (settled) return;
        const values = row as unknown[];
        try {
          for (let i = 0; i < width; i++) appends[i](appender, values[i]);
          appender.endRow();
        } catch (err) {
          conn.destroy();
          finish(new LabError('unexpectedType', `A value of ${table.name} could not be staged: ${(err as Error).message}`, { cause: err }));
          return;
        }
        rows++;
        if ((rows & 0xfff) === 0) options.onAlive?.();
        if ((rows & 0xffff) === 0) options.onRows?.(rows);
      });
      stream.on('error', (err: unknown) => finish(mapSourceError(err, options.target, options.database)));
      stream.on('end', () => finish());
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  options.onRows?.(rows);
  return rows;
}
