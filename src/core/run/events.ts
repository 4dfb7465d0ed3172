/**
 * The run vocabulary the pipeline's front ends render (terminal, Pipeline view, CLI, run log). Two kinds of engine
 * report in it: one that runs here reports its steps (source, extract, …) with tables and checks; one that runs
 * elsewhere (the Glue job) reports its own states as it polls them, then the checks its run recorded in the manifest.
 * This file imports nothing of the engines.
 */
import type { ReconcileCheck } from './checks';

export const PIPELINE_STEPS = ['source', 'extract', 'transform', 'load', 'reconcile'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];
export type StepStatus = 'ok' | 'failed' | 'cancelled';
/** How a run ended, whatever the engine calls it (Glue's STOPPED is 'cancelled', its TIMEOUT 'failed'). */
export type RunOutcome = StepStatus;

export function stepLabel(step: PipelineStep): string {
  return { source: 'Source', extract: 'Extract', transform: 'Transform', load: 'Load', reconcile: 'Reconcile' }[step];
}

/** What a run reports as it goes; the terminal, the Pipeline view and the CLI all render these. */
export type PipelineEvent =
  /** `lake` is where the run publishes: a folder, or an s3:// URL. `engine` names an engine that reports states. */
  | { kind: 'runStarted'; runId: string; source: string; lake: string; engine?: string }
  | { kind: 'stepStarted'; step: PipelineStep }
  | { kind: 'table'; step: PipelineStep; table: string; rows: number; durationMs: number; bytes?: number }
  /** `fromManifest`: the engine ran the check elsewhere and recorded it in the run's manifest; it is read from there. */
  | { kind: 'check'; check: ReconcileCheck; fromManifest?: true }
  | { kind: 'stepFinished'; step: PipelineStep; status: StepStatus; durationMs: number; rows?: number; summary: string }
  /** An engine that runs elsewhere entered a state (Glue: STARTING, RUNNING, SUCCEEDED, …), seen when polled. */
  | { kind: 'engineState'; change: EngineStateChange }
  /** A table the run published, as its manifest records it (an engine that reports states has no per-table timings). */
  | { kind: 'published'; table: string; rows: number; files: number; bytes: number }
  | { kind: 'runFinished'; ok: boolean; durationMs: number; message: string };

export interface StepResult {
  step: PipelineStep;
  status: StepStatus;
  durationMs: number;
  rows?: number;
  summary: string;
}

/** One state of an engine that reports states, with when the lab saw it. */
export interface EngineStateChange {
  engine: string;
  /** The engine's own name for it, e.g. RUNNING. */
  state: string;
  /** ISO time of the poll that saw the state. */
  at: string;
  /** Since the run was started. */
  elapsedMs: number;
  /** Set when the state is final: how the run ended. */
  outcome?: RunOutcome;
  /** The engine's figures or error for this state, e.g. "41 s execution, 82 DPU-seconds". */
  detail?: string;
}
