import type { QueryResult } from '../query/engine';
import type { DatasetResult } from './model';

/** What the queries of one answer took together, as its card shows it. */
export type QueryTotals = Pick<DatasetResult, 'elapsedMs' | 'bytesScanned' | 'costUsd'>;

/**
 * The queries run for one answer (a card made of several), and a shared one it waited for while it ran: their engine
 * times added up and, where the engine bills by scan, their bytes scanned and their costs (each query's cost is what
 * Athena bills for it, its minimum included, so the card's is their sum).
 */
export class QueryTally {
  private elapsedMs = 0;
  private bytesScanned?: number;
  private costUsd?: number;

  add(stats: QueryResult['stats']): void {
    this.elapsedMs += stats.elapsedMs;
    if (stats.bytesScanned !== undefined) this.bytesScanned = (this.bytesScanned ?? 0) + stats.bytesScanned;
    if (stats.costUsd !== undefined) this.costUsd = (this.costUsd ?? 0) + stats.costUsd;
  }

  totals(): QueryTotals {
    return {
      elapsedMs: this.elapsedMs,
      ...(this.bytesScanned === undefined ? {} : { bytesScanned: this.bytesScanned }),
      ...(this.costUsd === undefined ? {} : { costUsd: this.costUsd }),
    };
  }
}
