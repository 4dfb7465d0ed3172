import { LabError } from '../errors';
import type { QueryEngine, QueryValue } from '../query/engine';
import type { CanonicalRow } from './merge';

/**
 * A streamed query's rows as an async iterator, for walking two engines' results side by side: the engine hands over
 * a batch (DuckDB chunk, Athena page) and waits until the reader has taken it, so at most two batches are held.
 * Ending the iteration early (return()) aborts the query.
 */
export function engineRows(engine: QueryEngine, sql: string, toRow: (values: QueryValue[]) => CanonicalRow,
  signal?: AbortSignal): AsyncIterable<CanonicalRow> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<CanonicalRow> {
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) controller.abort();
      const batches: QueryValue[][][] = [];
      let finished = false;
      let failure: Error | undefined;
      let wakeReader: (() => void) | undefined;
      let wakeWriter: (() => void) | undefined;
      const wake = (which: 'reader' | 'writer') => {
        const resume = which === 'reader' ? wakeReader : wakeWriter;
        if (which === 'reader') wakeReader = undefined;
        else wakeWriter = undefined;
        resume?.();
      };
      const streaming = engine.stream(sql, undefined, {
        signal: controller.signal,
        onRows: async (rows) => {
          if (!rows.length) return;
          batches.push(rows);
          wake('reader');
          while (batches.length >= 2 && !controller.signal.aborted) await new Promise<void>((resolve) => { wakeWriter = resolve; });
        },
      }).then(() => undefined, (err: unknown) => { failure = err instanceof Error ? err : new LabError('queryFailed', `The query failed: ${JSON.stringify(err)}`); }).finally(() => {
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        wake('reader');
      });
      let current: QueryValue[][] = [];
      let index = 0;
      return {
        async next(): Promise<IteratorResult<CanonicalRow>> {
          while (index >= current.length) {
            const batch = batches.shift();
            if (batch) {
              current = batch;
              index = 0;
              wake('writer');
              continue;
            }
            if (finished) {
              if (failure) throw failure;
              return { done: true, value: undefined };
            }
            await new Promise<void>((resolve) => { wakeReader = resolve; });
          }
          return { done: false, value: toRow(current[index++]) };
        },
        async return(): Promise<IteratorResult<CanonicalRow>> {
          if (!finished) controller.abort();
          batches.length = 0;
          wake('writer');
          await streaming;
          return { done: true, value: undefined };
        },
      };
    },
  };
}
