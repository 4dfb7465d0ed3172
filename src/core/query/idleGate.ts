import type { Clock, TimerHandle } from '../clock';

/**
 * Counts the work running now and lets a waiter through once none has run for `quietMs` (a burst of queries arms one
 * timer, not one each). The lake engine's in-memory copy waits here: it would slow the queries down on a small machine.
 */
export class IdleGate {
  private active = 0;
  private waiters: Array<() => void> = [];
  private timer?: TimerHandle;

  constructor(private readonly clock: Clock, private readonly quietMs: number) {}

  /** Runs `work` counted as active. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.releaseWhenIdle();
    }
  }

  /** Resolves once no work has run for quietMs, or openNow() is called. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.releaseWhenIdle();
    });
  }

  /** Lets every waiter through at once (the wait is no longer wanted). */
  openNow(): void {
    this.timer?.cancel();
    this.timer = undefined;
    for (const release of this.waiters.splice(0)) release();
  }

  private releaseWhenIdle(): void {
    if (this.active > 0 || !this.waiters.length) return;
    // Each piece of work that ends restarts the wait: waiters go quietMs after the last one.
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.active === 0) for (const release of this.waiters.splice(0)) release();
    }, this.quietMs);
  }
}
