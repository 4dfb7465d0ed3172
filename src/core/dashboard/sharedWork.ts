import { CancelledError } from '../errors';

/**
 * Work shared by every caller that needs it while it runs (the lake's model, the count of groups per date), cached
 * by its owner. It runs under an AbortController of its own, not under the signal of the caller that started it:
 * cancelling one caller (the panel cancels superseded requests) must not fail the others waiting for the same work.
 * A caller whose signal fires stops waiting at once (CancelledError) and the work runs on for the others; when the
 * last one leaves before it settled, the work is dropped (`onDropped`) and aborted, so a caller asking after that
 * starts it afresh rather than joining work being cancelled. Work that fails is dropped too, so the next caller
 * tries again.
 */
export class SharedWork<T> {
  readonly result: Promise<T>;
  /** Once the work answered or failed. */
  settled = false;
  /** Callers waiting for it now: each one that joined, less those cancelled since. */
  private waiting = 0;
  private readonly controller = new AbortController();

  /**
   * Starts `work` under the shared signal. `onDropped` is called (with this) when the work failed or every caller
   * left before it settled: the owner forgets it, if it still holds it.
   */
  constructor(work: (signal: AbortSignal) => Promise<T>, private readonly onDropped: (dropped: SharedWork<T>) => void) {
    this.result = work(this.controller.signal);
    this.result.then(() => { this.settled = true; }, () => {
      this.settled = true;
      this.onDropped(this);
    });
  }

  /** The work's answer, for one caller; rejects with CancelledError as soon as `signal` fires. */
  async join(signal: AbortSignal | undefined): Promise<T> {
    this.waiting++;
    // Without a signal this caller never leaves: the work runs for it to the end.
    if (!signal) return this.result;
    let leave = (): void => {};
    const cancelled = new Promise<never>((_, reject) => {
      leave = () => {
        reject(new CancelledError('Query'));
        this.waiting--;
        if (this.waiting > 0 || this.settled) return;
        this.onDropped(this);
        this.controller.abort();
      };
    });
    if (signal.aborted) leave();
    else signal.addEventListener('abort', leave, { once: true });
    try {
      return await Promise.race([this.result, cancelled]);
    } finally {
      signal.removeEventListener('abort', leave);
    }
  }
}
