/**
 * The run vocabulary the pipeline's front ends render (terminal, Pipeline view, CLI, run log): steps, events, step
 * results and checks. Engines report in these terms; this file imports nothing of theirs.
 */

/** A check of a run: reconciliation against the source, or a declared data test. */
export interface ReconcileCheck {
  /** Stable id, e.g. "fact_rows_match_source". */
  name: string;
  ok: boolean;
  expected: string;
  actual: string;
  message: string;
  /** A declared data test of severity warn that found failing rows: reported, yet the run publishes. */
  warning?: boolean;
}

export const PIPELINE_STEPS = ['source', 'extract', 'transform', 'load', 'reconcile'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];
export type StepStatus = 'ok' | 'failed' | 'cancelled';

/** What a run reports as it goes; the terminal, the Pipeline view and the CLI all render these. */
export type PipelineEvent =
  | { kind: 'runStarted'; runId: string; source: string; lakeDir: string }
  | { kind: 'stepStarted'; step: PipelineStep }
  | { kind: 'table'; step: PipelineStep; table: string; rows: number; durationMs: number; bytes?: number }
  | { kind: 'check'; check: ReconcileCheck }
  | { kind: 'stepFinished'; step: PipelineStep; status: StepStatus; durationMs: number; rows?: number; summary: string }
  | { kind: 'runFinished'; ok: boolean; durationMs: number; message: string };

export interface StepResult {
  step: PipelineStep;
  status: StepStatus;
  durationMs: number;
  rows?: number;
  summary: string;
}
