import { systemClock, type Clock } from '../clock';
import { LabError } from '../errors';
import { Backoff, nextBackoff, type BackoffPolicy } from './backoff';
import type { GlueJobRun } from './glueJobRun';
import type { GlueJobs } from './glueJobs';
import { isTerminalState, type JobRunState } from './glueStates';

/** GetJobRun is polled after 3 s, growing ×1.5 to 15 s while the state stays, back to 3 s on each change. */
export const GLUE_POLL: BackoffPolicy = { firstMs: 3000, growth: 1.5, maxMs: 15_000 };

/**
 * Against an emulator on this machine (a loopback endpoint: the emulated AWS, moto) a run takes seconds and a poll
 * costs nothing: every second, growing to 2 s, so a finished run is seen when it finishes rather than up to 15 s later.
 */
export const LOOPBACK_GLUE_POLL: BackoffPolicy = { firstMs: 1000, growth: 1.5, maxMs: 2000 };

/** The wait before the next GetJobRun (see GLUE_POLL). */
export function nextPollDelay(previousMs: number | undefined, stateChanged: boolean): number {
  return nextBackoff(GLUE_POLL, previousMs, stateChanged);
}

export interface WatchOptions {
  clock?: Clock;
  /** Aborting stops the run (BatchStopJobRun) and keeps watching until Glue reports it stopped. */
  signal?: AbortSignal;
  /** Every poll, with whether the state changed since the one before (the first poll counts as a change). */
  onPoll?: (run: GlueJobRun, changed: boolean) => void;
  /** Called once when a stop is requested, with Glue's refusals (empty when it accepted). */
  onStop?: (refused: { runId: string; error: string }[]) => void;
  /** How long to keep watching a stopping run after the abort (default 10 min). */
  stopTimeoutMs?: number;
  /** How GetJobRun is polled (default GLUE_POLL). */
  poll?: BackoffPolicy;
}

/**
 * Watches a run until a terminal state and returns that last poll: polls at once, then on the backoff of `poll`,
 * every wait on the injected clock. On abort it asks Glue to stop the run and returns the terminal state Glue then
 * reports (normally STOPPED).
 */
export async function watchJobRun(jobs: Pick<GlueJobs, 'get' | 'stop'>, jobName: string, runId: string, options: WatchOptions = {}): Promise<GlueJobRun> {
  const clock = options.clock ?? systemClock;
  const backoff = new Backoff(options.poll ?? GLUE_POLL, clock);
  let previous: JobRunState | undefined;
  let stopDeadline: number | undefined;
  const stopRequested = async () => {
    stopDeadline = clock.now() + (options.stopTimeoutMs ?? 10 * 60_000);
    options.onStop?.(await jobs.stop(jobName, [runId]));
    backoff.reset();
  };
  for (;;) {
    if (options.signal?.aborted && stopDeadline === undefined) await stopRequested();
    const run = await jobs.get(jobName, runId);
    const changed = run.state !== previous;
    previous = run.state;
    options.onPoll?.(run, changed);
    if (isTerminalState(run.state)) return run;
    if (stopDeadline !== undefined && clock.now() >= stopDeadline) {
      throw new LabError('timeout', `Glue job run ${runId} was asked to stop but is still ${run.state}; it may still be running.`, {
        nextStep: { label: 'Stop Run', command: 'lifecycleLab.pipeline.cancel' },
      });
    }
    try {
      await backoff.wait(changed, stopDeadline === undefined ? options.signal : undefined);
    } catch (err) {
      if (!options.signal?.aborted) throw err;
    }
  }
}
