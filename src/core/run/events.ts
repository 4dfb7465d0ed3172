/**
 * The run vocabulary the pipeline's front ends render (terminal, Pipeline view, CLI, run log): steps, events, step
 * results and checks. Engines report in these terms; this file imports nothing of theirs.
 */
import type { ReconcileCheck } from './checks';

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
