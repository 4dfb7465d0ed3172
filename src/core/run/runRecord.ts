import type { ReconcileCheck } from './checks';
import type { StepResult } from './events';

export type RunStatus = 'ok' | 'failed' | 'cancelled';

/** One finished run (succeeded, failed or cancelled) as the views show the last one, whoever started it. */
export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  status: RunStatus;
  /** The run's closing line, e.g. "Pipeline failed: Lost the connection to the source …". */
  message: string;
  /** Every step that started, with its outcome, duration and rows. */
  steps: StepResult[];
  /** Its checks and data tests that failed or warned, with their failing rows (absent in older records). */
  problems?: ReconcileCheck[];
  /** Who ran it, e.g. "cli", "editor". */
  origin: string;
  pid: number;
}
