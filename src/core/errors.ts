/**
 * Errors that cross the core boundary. Each carries a message written for the user and, where there
 * is one, the next step (an editor command the UI can offer as a button; the CLI prints its label).
 */
import type { CommandId } from './commandIds';

export type LabErrorCode =
  | 'config'
  | 'cancelled'
  | 'auth'
  | 'unreachable'
  | 'timeout'
  | 'unknownDatabase'
  | 'missingTable'
  | 'unexpectedType'
  | 'labNotRunning'
  | 'portInUse'
  | 'mariadbMissing'
  | 'localLabUnsupported'
  | 'emulatorFailed'
  | 'corruptDatadir'
  | 'seedFailed'
  | 'awsCredentials'
  | 'awsThrottled'
  | 'rdsNotFound'
  | 'rdsNotAvailable'
  | 'lakeNotWritable'
  | 'lakeBusy'
  | 'notALake'
  | 'lakeWouldShrink'
  | 'lakeMissing'
  | 'lakeDamaged'
  | 'reconcileFailed'
  | 'queryFailed'
  | 'internal';

export interface NextStep {
  /** Button text, e.g. "Set Database Password". */
  label: string;
  /** Editor command that performs the step, when there is one: only an id package.json contributes type-checks. */
  command?: CommandId;
  /** Setting id the user should change, when the fix is a setting. */
  setting?: string;
}

export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly nextStep?: NextStep;

  constructor(code: LabErrorCode, message: string, options: { nextStep?: NextStep; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LabError';
    this.code = code;
    this.nextStep = options.nextStep;
  }
}

export class CancelledError extends LabError {
  constructor(what = 'Operation') {
    super('cancelled', `${what} was cancelled.`);
    this.name = 'CancelledError';
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof LabError && err.code === 'cancelled';
}

/** Throws CancelledError when the signal has fired; call between units of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}

/**
 * `work`'s outcome, unless `signal` aborts first: then CancelledError at once, while `work` (shared with other
 * waiters, who each pass their own signal) goes on.
 */
export function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined, what?: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new CancelledError(what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError(what));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(asError(err)); },
    );
  });
}

/** Turns anything thrown into a LabError, keeping the original as `cause` for the log. */
export function toLabError(err: unknown, fallbackCode: LabErrorCode = 'internal'): LabError {
  if (err instanceof LabError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new LabError(fallbackCode, message, { cause: err });
}

/** Anything thrown as an Error to keep or throw on: an Error as it is (its class and fields kept), else toLabError's. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : toLabError(err);
}

/** Message plus next step, for plain-text surfaces (CLI, terminal, log). */
export function describeError(err: unknown): string {
  const e = toLabError(err);
  const step = e.nextStep ? ` Next step: ${e.nextStep.label}${e.nextStep.setting ? ` (setting ${e.nextStep.setting})` : ''}.` : '';
  return `${e.message}${step}`;
}
