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

/** How a streamed query hands over its rows (QueryEngine.stream). */
export interface QueryStreamOptions {
  signal?: AbortSignal;
  /** Hand over at most this many rows; past it the engine reads only as far as it must to say whether there are more. */
  limit?: number;
  /**
   * Past `limit`, count the rest of the rows where the engine can without converting them (DuckDB counts its chunks);
   * Athena would have to page through every row for it, so there the count stays unknown.
   */
  countAll?: boolean;
  /** Called once with the columns, before any rows (also for a result with none). */
  onColumns?(columns: QueryColumn[]): void | Promise<void>;
  /** Called with each batch of rows as the engine reads it; awaited, so a slow writer holds the reading back. */
  onRows(rows: QueryValue[][]): void | Promise<void>;
}

/** What a streamed query says once its rows were handed over. */
export interface QueryStreamSummary {
  columns: QueryColumn[];
  /** Rows handed to onRows (at most the limit). */
  rowsRead: number;
  /** Rows the result has, when known: every row was read, or countAll counted the rest. */
  totalRows?: number;
  /** Whether the result has rows past the limit that were not handed over. */
  more: boolean;
  stats: QueryResult['stats'];
}

export interface QueryEngine {
  /** e.g. "duckdb" or "athena". */
  readonly kind: string;
  /** Human description of what is read, e.g. "DuckDB over /work/x/.lab/lake/gold". */
  readonly description: string;
  /** The whole result in memory: for results known to be small (the dashboard's, a schema, a preview page). */
  query(sql: string, params?: QueryParams, signal?: AbortSignal): Promise<QueryResult>;
  /**
   * The result batch by batch as the engine reads it (DuckDB chunks, Athena GetQueryResults pages), so memory does
   * not grow with the result: for user SQL whose result may be any size (notebook cells, exports, the CLI).
   */
  stream(sql: string, params: QueryParams | undefined, options: QueryStreamOptions): Promise<QueryStreamSummary>;
  /** Releases the engine; queries still running are interrupted and end cancelled. */
  close(): Promise<void>;
}
