import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';
import { CancelledError } from '../errors';
import type { QueryColumn, QueryParams, QueryResult, QueryStreamOptions, QueryStreamSummary, QueryValue } from './engine';
import { compileParams } from './params';
import { noStatementError } from './sqlText';

/** How a prepared statement is run and read: whole (runPrepared) or streamed (streamPrepared). */
export type ReadPrepared<T> = (prepared: DuckDBPreparedStatement, values?: Record<string, DuckDBValue>) => Promise<T>;

/**
 * The statements in the SQL. DuckDB's extract fails with only "Error in native callback" when it finds none (text
 * isBlankSql does not see as blank, such as an unclosed comment): that is said as what it is.
 */
export async function extractStatements(connection: DuckDBConnection, sql: string) {
  let statements: Awaited<ReturnType<DuckDBConnection['extractStatements']>>;
  try {
    statements = await connection.extractStatements(sql);
  } catch (err) {
    if (/native callback/i.test(String((err as Error)?.message))) throw noStatementError();
    throw err;
  }
  if (statements.count === 0) throw noStatementError();
  return statements;
}

/**
 * The SQL DuckDB prepares and the values it binds: `:name` placeholders become `$name`. Without parameters the SQL
 * goes verbatim (the `query` CLI passes user SQL, which may contain ':' text).
 */
export function duckDbStatement(sql: string, params?: QueryParams): { sql: string; values?: Record<string, DuckDBValue> } {
  if (params === undefined || Object.keys(params).length === 0) return { sql };
  const values: Record<string, DuckDBValue> = {};
  for (const [name, value] of Object.entries(params)) values[name] = value;
  return { sql: compileParams(sql, params, 'dollar').sql, values };
}

/** Binds the values (if any), runs the prepared statement and reads its rows JSON-safe; the caller destroys it. */
export async function runPrepared(prepared: DuckDBPreparedStatement, values?: Record<string, DuckDBValue>): Promise<Omit<QueryResult, 'stats'>> {
  if (values) prepared.bind(values);
  return readResult(await prepared.runAndReadAll());
}

/**
 * Binds the values (if any) and runs the prepared statement as a stream: each DuckDB chunk is converted and handed
 * over, then let go. Past the limit, chunks are only counted (countAll) or the reading stops once one more row shows
 * there are more. The caller destroys the statement and closes the connection (which ends a stream left unread).
 */
export async function streamPrepared(prepared: DuckDBPreparedStatement, values: Record<string, DuckDBValue> | undefined,
  options: QueryStreamOptions): Promise<Omit<QueryStreamSummary, 'stats'>> {
  if (values) prepared.bind(values);
  const result = await prepared.stream();
  const columns: QueryColumn[] = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
  await options.onColumns?.(columns);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let rowsRead = 0;
  let seen = 0;
  for (;;) {
    if (options.signal?.aborted) throw new CancelledError('Query');
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const count = chunk.rowCount;
    if (rowsRead < limit) {
      const take = Math.min(count, limit - rowsRead);
      const rows = chunk.getRows();
      rowsRead += take;
      await options.onRows((take < count ? rows.slice(0, take) : rows).map((row) => row.map(toQueryValue)));
    }
    seen += count;
    if (seen > limit && !options.countAll) break;
  }
  const more = seen > limit;
  return { columns, rowsRead, totalRows: more && !options.countAll ? undefined : seen, more };
}

function readResult(reader: DuckDBResultReader): Omit<QueryResult, 'stats'> {
  const names = reader.columnNames();
  const columns: QueryColumn[] = names.map((name, i) => ({ name, type: reader.columnType(i).toString() }));
  const rows = reader.getRows().map((row) => row.map(toQueryValue));
  return { columns, rows };
}

/** JSON-safe value: DECIMAL, BIGINT and HUGEINT become numbers; DATE and TIMESTAMP their ISO-like text. */
export function toQueryValue(value: DuckDBValue): QueryValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return Number(value);
    case 'string':
    case 'boolean':
      return value;
    default: {
      const v = value as { toDouble?: () => number; toString(): string };
      if (typeof v.toDouble === 'function') return v.toDouble();
      return v.toString();
    }
  }
}
