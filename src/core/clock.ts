/**
 * Time as core code sees it. Pollers, lock heartbeats, stall watchdogs and waits take a Clock instead of calling
 * timers directly, so tests can drive them with a fake clock and no real waiting.
 */
import { CancelledError } from './errors';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms`; the handle cancels it. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Calls `fn` every `ms` until cancelled. */
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    // Not unref'ed: a watchdog must keep a stuck run's process alive until it fires (a CLI that exited 0 instead).
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
};

/**
 * The error an aborted wait ends with: the signal's reason when it is an Error (AbortSignal's own is a DOMException
 * named AbortError), else CancelledError (a reason given as text, like the notebook's 'interrupted', is the
 * aborter's to read from the signal).
 */
function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new CancelledError();
}

/** Resolves after `ms` on the clock; rejects with abortError(signal) when it is aborted first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(abortError(signal));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
