import { isProblem, type ReconcileCheck } from './checks';
import { PIPELINE_STEPS, type EngineStateChange, type PipelineEvent, type PipelineStep } from './events';
import type { RunRecord } from './runRecord';

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
  /** The steps of an engine that runs here; empty while an engine that reports states is shown. */
  steps: StepView[];
  /** An engine that reports states (Glue): its name and the states of the run so far, in order. */
  engine?: { name: string; states: EngineStateChange[] };
  lastRun?: { runId: string; ok: boolean; finishedAt: string; durationMs: number; message: string };
  running: boolean;
  /** Id of the run in progress, or of the last one. */
  runId?: string;
  /** The checks and data tests of that run that failed or warned, in the order it ran them (absent in older states). */
  problems?: ReconcileCheck[];
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
      return event.engine
        ? { ...state, running: true, runId: event.runId, steps: [], engine: { name: event.engine, states: [] }, problems: [] }
        : { ...state, running: true, runId: event.runId, steps: PIPELINE_STEPS.map((step) => ({ step, state: 'pending' })), engine: undefined, problems: [] };
    case 'engineState':
      return { ...state, engine: { name: event.change.engine, states: [...(state.engine?.states ?? []), event.change] } };
    case 'check':
      return isProblem(event.check) ? { ...state, problems: [...(state.problems ?? []), event.check] } : state;
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
 * The view state of a recorded run (the lake's run log), whoever made it: the CLI, `npm start`, another window or
 * this one. Steps that never started stay pending; counts and durations are the run's own, so they read the same
 * whichever front end made the run.
 */
export function pipelineStateFromRecord(record: RunRecord): PipelineViewState {
  if (record.engine) {
    const last: EngineStateChange = { engine: record.engine.name, state: record.engine.state, at: record.finishedAt, elapsedMs: record.durationMs, outcome: record.status };
    return {
      running: false,
      runId: record.runId,
      steps: [],
      engine: { name: record.engine.name, states: [last] },
      lastRun: { runId: record.runId, ok: record.status === 'ok', finishedAt: record.finishedAt, durationMs: record.durationMs, message: record.message },
      problems: record.problems ?? [],
    };
  }
  return {
    running: false,
    runId: record.runId,
    steps: PIPELINE_STEPS.map((step): StepView => {
      const done = record.steps.find((s) => s.step === step);
      return done ? { step, state: done.status, durationMs: done.durationMs, rows: done.rows, summary: done.summary } : { step, state: 'pending' };
    }),
    lastRun: { runId: record.runId, ok: record.status === 'ok', finishedAt: record.finishedAt, durationMs: record.durationMs, message: record.message },
    problems: record.problems ?? [],
  };
}

/** Whether the record is of a later run than the one the view shows (a run in progress always wins). */
export function recordIsNewer(record: RunRecord, state: PipelineViewState): boolean {
  if (state.running) return false;
  if (!state.lastRun) return true;
  return record.runId !== state.lastRun.runId && Date.parse(record.finishedAt) > Date.parse(state.lastRun.finishedAt);
}
