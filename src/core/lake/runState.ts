import type { LakeManifest } from './manifest';
import { PIPELINE_STEPS, type PipelineEvent, type PipelineStep } from './pipeline';

/** The state of the pipeline's steps as surfaces show it, folded from run events (no editor types here). */
export type StepState = 'pending' | 'running' | 'ok' | 'failed' | 'cancelled';

export interface StepView {
  step: PipelineStep;
  state: StepState;
  durationMs?: number;
  rows?: number;
  summary?: string;
}

/** What the Pipeline view shows; kept in workspace state so the last run survives a reload. */
export interface PipelineViewState {
  steps: StepView[];
  lastRun?: { runId: string; ok: boolean; finishedAt: string; durationMs: number; message: string };
  running: boolean;
  /** Id of the run in progress, or of the last one. */
  runId?: string;
}

export function emptyPipelineState(): PipelineViewState {
  return { steps: PIPELINE_STEPS.map((step) => ({ step, state: 'pending' })), running: false };
}

/** Folds one pipeline event into the view state (pure, so it is unit-testable). */
export function applyPipelineEvent(state: PipelineViewState, event: PipelineEvent): PipelineViewState {
  const steps = state.steps.map((s) => ({ ...s }));
  const find = (step: PipelineStep) => steps.find((s) => s.step === step)!;
  switch (event.kind) {
    case 'runStarted':
      return { ...state, running: true, runId: event.runId, steps: PIPELINE_STEPS.map((step) => ({ step, state: 'pending' })) };
    case 'stepStarted':
      Object.assign(find(event.step), { state: 'running', durationMs: undefined, rows: undefined, summary: undefined });
      return { ...state, steps };
    case 'stepFinished':
      Object.assign(find(event.step), { state: event.status, durationMs: event.durationMs, rows: event.rows, summary: event.summary });
      return { ...state, steps };
    case 'runFinished':
      return {
        ...state,
        steps,
        running: false,
        lastRun: { runId: state.runId ?? '', ok: event.ok, finishedAt: new Date().toISOString(), durationMs: event.durationMs, message: event.message },
      };
    default:
      return state;
  }
}

/**
 * The view state of a run the editor did not watch (the CLI, `npm start`, another window), rebuilt from the
 * lake's manifest. Only successful runs write a manifest, so every step is ok; per-step durations are unknown.
 */
export function pipelineStateFromManifest(manifest: LakeManifest): PipelineViewState {
  const sourceRows = Object.values(manifest.source.counts).reduce((a, b) => a + b, 0);
  const lakeRows = Object.values(manifest.tables).reduce((a, t) => a + t.rows, 0);
  const passed = manifest.checks.filter((c) => c.ok).length;
  const rows: Record<PipelineStep, number | undefined> = {
    source: sourceRows, extract: sourceRows, transform: lakeRows, load: lakeRows, reconcile: undefined,
  };
  const durationMs = Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt);
  return {
    running: false,
    runId: manifest.runId,
    steps: PIPELINE_STEPS.map((step) => ({
      step,
      state: 'ok',
      rows: rows[step],
      summary: step === 'reconcile' ? `${passed}/${manifest.checks.length} checks passed` : undefined,
    })),
    lastRun: {
      runId: manifest.runId,
      ok: manifest.ok,
      finishedAt: manifest.finishedAt,
      durationMs: Number.isFinite(durationMs) ? durationMs : 0,
      message: `Run ${manifest.runId} (outside this window): ${manifest.tables.fact_orders?.rows ?? 0} fact rows, ${passed}/${manifest.checks.length} checks passed.`,
    },
  };
}

/** Whether the manifest records a run newer than the one the view shows. */
export function manifestIsNewer(manifest: LakeManifest, state: PipelineViewState): boolean {
  if (state.running) return false;
  if (!state.lastRun) return true;
  return manifest.runId !== state.lastRun.runId && Date.parse(manifest.finishedAt) > Date.parse(state.lastRun.finishedAt);
}
