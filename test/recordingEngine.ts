import type { QueryEngine, QueryParams, QueryResult, QueryStreamOptions, QueryStreamSummary } from '../src/core/query/engine';

/** One answer a RecordingEngine passed on: the result as its caller got it, and the SQL and parameters it answered. */
export type RecordedAnswer = QueryResult & { sql: string; params?: QueryParams };

export interface RecordingEngineOptions {
  /** The engine kind it reports (default: the inner engine's), e.g. "athena" for an engine billed as Athena bills. */
  kind?: string;
  description?: string;
  /**
   * The stats the n-th answer (from 1) reports instead of the inner engine's: an engine billed as Athena bills, a
   * different amount per query, so an answer that reports one of its queries instead of all of them shows.
   */
  bill?: (n: number) => QueryResult['stats'];
}

/**
 * Passes queries to another engine (DuckDB over a fixture lake) and keeps each answer, in the order they come. Streams
 * are passed on unrecorded; closing it closes the inner engine.
 */
export class RecordingEngine implements QueryEngine {
  readonly kind: string;
  readonly description: string;
  readonly answers: RecordedAnswer[] = [];

  constructor(private readonly inner: QueryEngine, private readonly options: RecordingEngineOptions = {}) {
    this.kind = options.kind ?? inner.kind;
    this.description = options.description ?? `recording ${inner.description}`;
  }

  async query(sql: string, params?: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    const result = await this.inner.query(sql, params, signal);
    const answer = { ...result, ...(this.options.bill ? { stats: this.options.bill(this.answers.length + 1) } : {}) };
    this.answers.push({ ...answer, sql, params });
    return answer;
  }

  stream(sql: string, params: QueryParams | undefined, options: QueryStreamOptions): Promise<QueryStreamSummary> {
    return this.inner.stream(sql, params, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
