import type { Clock } from '../clock';
import type { MysqlTarget } from '../config';
import type { Logger } from '../log';
import type { LongWork } from '../progress';
import type { PipelineEvent } from '../run/events';
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
   * Whether the run records the dashboard's answers in its manifest (dashboard/recorded.ts). 'auto' (default): when
   * the facts have at least RECORD_MIN_FACT_ROWS rows; below that the dashboard asks the lake as fast as it reads it.
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
