import type { Clock } from '../clock';
import type { MysqlTarget } from '../config';
import type { Logger } from '../log';
import type { LongWork } from '../progress';
import type { QueryEngine } from '../query/engine';
import type { PipelineEvent } from '../run/events';
import type { LakeManifest } from '../run/manifest';
import type { LakeShrink } from '../run/shrink';

/** What the local engine's runPipeline takes (pipeline.ts runs it, steps.ts carries it out). */
export interface PipelineOptions extends LongWork {
  target: MysqlTarget;
  lakeDir: string;
  /** Folder with the model's `<table>.sql` files (glue/sql). */
  modelDir: string;
  /** Source database; the target's database when absent (the benchmark points it at a scaled copy). */
  database?: string;
  log?: Logger;
  onEvent?: (event: PipelineEvent) => void;
  /**
   * How rows leave MySQL: 'client' streams through the MariaDB command-line client and DuckDB's CSV reader
   * (fastest), 'driver' streams through mysql2 into a DuckDB appender (works everywhere, keeps one snapshot).
   * 'auto' (default) picks the client when one is installed and the connection needs no TLS.
   */
  extractWith?: 'auto' | 'client' | 'driver';
  /**
   * Asks the run's new tables for the answers its manifest publishes beside them (the dashboard's, handed in by the
   * local backend: the engine knows no dashboard). Without it the run records none.
   */
  recordAnswers?: AnswerRecorder;
  /**
   * Whether the run asks recordAnswers. 'auto' (default): when the facts have at least RECORD_MIN_FACT_ROWS rows;
   * below that the dashboard asks the lake as fast as it reads it.
   */
  recordDashboard?: 'auto' | 'always' | 'never';
  /** A source that sends nothing and answers no ping for this long fails the run (default 60 s). */
  stallTimeoutMs?: number;
  /** Timers for the lock heartbeat and the source watch (tests pass a fake one). */
  clock?: Clock;
  /** Recorded in the lake's run log, e.g. "cli" or "editor". */
  origin?: string;
  /**
   * Asked before extracting when the run would replace a lake with one keeping less than half of its fact rows
   * (shrink.ts); true goes on, false cancels and keeps the lake. Absent, such a run fails with lakeWouldShrink and keeps
   * the lake: the editor asks in a modal, the CLI answers for its flag.
   */
  confirmShrink?: (shrink: LakeShrink) => Promise<boolean>;
}

/**
 * Asks the star tables a run has just built (an engine over its staging DuckDB) for what the manifest records about
 * them; a cancel of the run aborts the signal.
 */
export type AnswerRecorder = (tables: QueryEngine, signal: AbortSignal) => Promise<LakeManifest['dashboard']>;
