import type { DuckDBConnection } from '@duckdb/node-api';
import { CancelledError } from '../errors';
import { duckDbStatement, extractStatements, runPrepared, streamPrepared, type ReadPrepared } from './duckdbStatements';
import type { QueryEngine, QueryParams, QueryResult } from './engine';
import { isBlankSql, noStatementError } from './sqlText';

/**
 * A QueryEngine over one open DuckDB connection, such as the pipeline's staging database (which owns and closes it).
 * Queries run one after another: a connection runs one statement at a time. close() refuses new queries and resolves
 * once every query asked has settled: the owner closes the connection only then, since DuckDB deadlocks in a statement
 * whose connection was closed while it ran (a caller that stopped waiting at its first failure can leave one running).
 */
export function connectionEngine(connection: DuckDBConnection, description: string): QueryEngine {
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const run = <T>(sql: string, params: QueryParams | undefined, signal: AbortSignal | undefined,
    read: ReadPrepared<T>): Promise<T & { stats: QueryResult['stats'] }> => {
    const result = queue.then(async () => {
      if (signal?.aborted || closed) throw new CancelledError('Query');
      const started = performance.now();
      if (isBlankSql(sql)) throw noStatementError();
      const statement = duckDbStatement(sql, params);
      const statements = await extractStatements(connection, statement.sql);
      const prepared = await statements.prepare(0);
      try {
        return { ...await read(prepared, statement.values), stats: { elapsedMs: performance.now() - started } };
      } finally {
        prepared.destroySync();
      }
    });
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    kind: 'duckdb',
    description,
    query: (sql, params, signal) => run(sql, params, signal, runPrepared),
    stream: (sql, params, options) => run(sql, params, options.signal, (prepared, values) => streamPrepared(prepared, values, options)),
    async close() {
      closed = true;
      await queue;
    },
  };
}
