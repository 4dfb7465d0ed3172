import { sleep, type Clock } from '../clock';

/** How a poller waits: the first wait, its growth per poll that saw no change, and the cap. */
export interface BackoffPolicy {
  firstMs: number;
  growth: number;
  maxMs: number;
}

/** The wait after one of `previousMs`: back to the first after a change (or at the start), else growing to the cap. */
export function nextBackoff(policy: BackoffPolicy, previousMs: number | undefined, changed: boolean): number {
  if (changed || previousMs === undefined) return policy.firstMs;
  return Math.min(policy.maxMs, Math.round(previousMs * policy.growth));
}

/**
 * The one backoff poller of the AWS engines (Glue job runs, Athena query executions): each wait is on the injected
 * clock, starts at `firstMs`, grows while the polled state stays the same, and starts over when it changes.
 */
export class Backoff {
  private delayMs?: number;

  constructor(private readonly policy: BackoffPolicy, private readonly clock: Clock) {}

  /** Waits before the next poll; an aborted signal ends the wait with CancelledError. */
  async wait(changed: boolean, signal?: AbortSignal): Promise<void> {
    this.delayMs = nextBackoff(this.policy, this.delayMs, changed);
    await sleep(this.clock, this.delayMs, signal);
  }

  /** The next wait starts from the first again. */
  reset(): void {
    this.delayMs = undefined;
  }
}
