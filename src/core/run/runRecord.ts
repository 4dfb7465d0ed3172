import type { ReconcileCheck } from './checks';
import type { RunOutcome, StepResult } from './events';

export type RunStatus = RunOutcome;

/** One finished run (succeeded, failed or cancelled) as the views show the last one, whoever started it. */
export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  status: RunStatus;
  /** The run's closing line, e.g. "Pipeline failed: Lost the connection to the source …". */
  message: string;
  /** Every step that started, with its outcome, duration and rows (empty for an engine that reports states). */
  steps: StepResult[];
  /** An engine that reports states: its name and the state the run ended in, e.g. { name: 'Glue', state: 'STOPPED' }. */
  engine?: { name: string; state: string };
  /** Its checks and data tests that failed or warned, with their failing rows (absent in older records). */
  problems?: ReconcileCheck[];
  /** Who ran it, e.g. "cli", "editor", "glue". */
  origin: string;
  /** The process that ran it, when it ran here. */
  pid?: number;
}
