import * as vscode from 'vscode';
import type { LongWork } from '../core/progress';

/**
 * Runs core work under a cancellable progress notification: the Cancel button aborts the AbortSignal core takes,
 * and core's progress updates (message, fraction 0..1) move the bar.
 */
export function withCancellableProgress<T>(title: string, work: (longWork: Required<LongWork>) => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let done = 0;
      try {
        return await work({
          signal: controller.signal,
          onProgress: (update) => {
            const fraction = Math.min(1, Math.max(done, update.fraction ?? done));
            progress.report({ message: update.message, increment: (fraction - done) * 100 });
            done = fraction;
          },
        });
      } finally {
        cancel.dispose();
      }
    },
  ));
}
