/**
 * The query engine the dashboard, Lake view and CLI talk to: DuckDB over the local lake, or Athena.
 * Values come back JSON-safe: numbers (DECIMAL and BIGINT become JS numbers), strings (DATE as YYYY-MM-DD), booleans, null.
 */
export type QueryValue = string | number | boolean | null;

export interface QueryColumn {
  name: string;
  /** Engine type name, e.g. DECIMAL(10,2), VARCHAR, DATE. */
  type: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: QueryValue[][];
  /** elapsedMs: the engine's own time; bytesScanned and costUsd (estimated) where the engine bills by scan (Athena). */
  stats: { elapsedMs: number; bytesScanned?: number; costUsd?: number };
}

/** Named parameters; the engine binds them (DuckDB $name, Athena execution parameters). Never spliced as text. */
export type QueryParams = Record<string, string | number | null>;

export interface QueryEngine {
  /** e.g. "duckdb" or "athena". */
  readonly kind: string;
  /** Human description of what is read, e.g. "DuckDB over /work/x/.lab/lake/gold". */
  readonly description: string;
  query(sql: string, params?: QueryParams, signal?: AbortSignal): Promise<QueryResult>;
  close(): Promise<void>;
}
