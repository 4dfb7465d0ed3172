/** Progress of long work, reported by core and shown by the editor (notification, status bar, terminal) or CLI. */
export interface ProgressUpdate {
  /** Short description of the current step, e.g. "Extract orderdetails". */
  message: string;
  /** 0..1 of the whole job, when known. */
  fraction?: number;
}

export type ProgressReporter = (update: ProgressUpdate) => void;

export const noProgress: ProgressReporter = () => {};

/** Options every long-running core operation accepts. */
export interface LongWork {
  signal?: AbortSignal;
  onProgress?: ProgressReporter;
}
