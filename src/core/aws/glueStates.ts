import { LabError } from '../errors';
import type { RunOutcome } from '../run/events';

/**
 * Every state of a Glue job run (the SDK's `JobRunState`), as one closed set; anything else from the service is an
 * error, not a silent new state. https://docs.aws.amazon.com/glue/latest/dg/job-run-statuses.html
 */
export const JOB_RUN_STATES = ['STARTING', 'WAITING', 'RUNNING', 'STOPPING', 'STOPPED', 'SUCCEEDED', 'FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED'] as const;
export type JobRunState = (typeof JOB_RUN_STATES)[number];
/** States a run never leaves: the watcher stops at the first of these. */
export const TERMINAL_JOB_RUN_STATES = ['STOPPED', 'SUCCEEDED', 'FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED'] as const;
export type TerminalJobRunState = (typeof TERMINAL_JOB_RUN_STATES)[number];
/** Terminal states that are failures (the run's ErrorMessage says why). */
export const FAILED_JOB_RUN_STATES = ['FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED'] as const;

export function isTerminalState(state: JobRunState): state is TerminalJobRunState {
  return (TERMINAL_JOB_RUN_STATES as readonly string[]).includes(state);
}

export function isFailedState(state: JobRunState): boolean {
  return (FAILED_JOB_RUN_STATES as readonly string[]).includes(state);
}

export function parseJobRunState(value: string | undefined): JobRunState {
  if (value && (JOB_RUN_STATES as readonly string[]).includes(value)) return value as JobRunState;
  throw new LabError('internal', `Glue reported an unknown job run state '${value ?? ''}'.`);
}

/** How a run in this state ended; undefined while it goes. */
export function jobRunOutcome(state: JobRunState): RunOutcome | undefined {
  if (!isTerminalState(state)) return undefined;
  return state === 'SUCCEEDED' ? 'ok' : state === 'STOPPED' ? 'cancelled' : 'failed';
}
