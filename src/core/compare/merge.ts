import { CancelledError } from '../errors';
import { compareValues, type CompareColumn, type ValueKind } from './values';

/** A row of one side, canonical (canonicalValue), in the order of the comparison's columns. */
export type CanonicalRow = (string | null)[];

/** A row whose key is on both sides with other values. */
export interface DifferingRow {
  key: CanonicalRow;
  left: CanonicalRow;
  right: CanonicalRow;
  /** Names of the columns whose values differ. */
  columns: string[];
}

export interface RowDiff {
  /** Rows read from each side. */
  leftRows: number;
  rightRows: number;
  /** Rows whose key is on both sides with the same values. */
  equalRows: number;
  /** How many keys are only on one side, and how many rows differ (all counted, whatever the limit). */
  onlyLeftCount: number;
  onlyRightCount: number;
  differingCount: number;
  /** The first rows of each kind in key order, at most `limit` each. */
  onlyLeft: CanonicalRow[];
  onlyRight: CanonicalRow[];
  differing: DifferingRow[];
}

export interface MergeOptions {
  /** The compared columns: the rows reported (expanded) hold one value for each. */
  columns: readonly CompareColumn[];
  /** Positions of the key in the rows walked, in ORDER BY order. */
  keyIndexes: readonly number[];
  /** How each key part is ordered; default: the kinds of `columns` at keyIndexes (walked rows are full rows). */
  keyKinds?: readonly ValueKind[];
  /**
   * A walked row as a full row of `columns`, for the rows reported. Walked rows may be shorter (a packed form the
   * engine built); two walked rows are equal exactly when their expanded rows are. Default: walked rows are full rows.
   */
  expand?: (row: CanonicalRow) => CanonicalRow;
  /** Rows kept of each kind (only left, only right, differing). */
  limit: number;
  signal?: AbortSignal;
  /** Called now and then with the rows read so far on each side. */
  onRows?: (leftRows: number, rightRows: number) => void;
}

const PROGRESS_EVERY = 10_000;

/**
 * Walks two row streams, each ordered by the key (ORDER BY key ASC NULLS LAST, the order compareValues gives), side by
 * side, like a merge join: a key on one side only, or the same key with other values, is a difference. Memory stays
 * constant: one row of each side and the rows kept for the report. A key repeated on one side pairs with the same
 * key's rows on the other in order; what is left over of it counts as only on that side.
 */
export async function mergeSortedRows(left: AsyncIterable<CanonicalRow>, right: AsyncIterable<CanonicalRow>,
  options: MergeOptions): Promise<RowDiff> {
  const { columns, keyIndexes, limit, signal } = options;
  const diff: RowDiff = {
    leftRows: 0, rightRows: 0, equalRows: 0, onlyLeftCount: 0, onlyRightCount: 0, differingCount: 0,
    onlyLeft: [], onlyRight: [], differing: [],
  };
  const leftRows = left[Symbol.asyncIterator]();
  const rightRows = right[Symbol.asyncIterator]();
  const keyKinds = options.keyKinds ?? keyIndexes.map((i) => columns[i].kind);
  const expand = options.expand ?? ((row: CanonicalRow) => row);
  const compareKeys = (a: CanonicalRow, b: CanonicalRow) => {
    for (const [k, i] of keyIndexes.entries()) {
      const c = compareValues(a[i], b[i], keyKinds[k]);
      if (c !== 0) return c;
    }
    return 0;
  };
  const sameRow = (a: CanonicalRow, b: CanonicalRow) => a.length === b.length && a.every((value, i) => value === b[i]);
  let read = 0;
  const next = async (side: AsyncIterator<CanonicalRow>, isLeft: boolean): Promise<CanonicalRow | undefined> => {
    const item = await side.next();
    if (item.done) return undefined;
    if (isLeft) diff.leftRows++;
    else diff.rightRows++;
    if (++read % PROGRESS_EVERY === 0) {
      if (signal?.aborted) throw new CancelledError('Comparing the lakes');
      options.onRows?.(diff.leftRows, diff.rightRows);
    }
    return item.value;
  };
  try {
    let l = await next(leftRows, true);
    let r = await next(rightRows, false);
    while (l || r) {
      const order = !l ? 1 : !r ? -1 : compareKeys(l, r);
      if (order < 0) {
        diff.onlyLeftCount++;
        if (diff.onlyLeft.length < limit) diff.onlyLeft.push(expand(l!));
        l = await next(leftRows, true);
      } else if (order > 0) {
        diff.onlyRightCount++;
        if (diff.onlyRight.length < limit) diff.onlyRight.push(expand(r!));
        r = await next(rightRows, false);
      } else {
        if (sameRow(l!, r!)) {
          diff.equalRows++;
        } else {
          diff.differingCount++;
          if (diff.differing.length < limit) {
            const left = expand(l!);
            const right = expand(r!);
            const differ = columns.filter((_, i) => left[i] !== right[i]).map((c) => c.name);
            diff.differing.push({ key: keyIndexes.map((i) => l![i]), left, right, columns: differ });
          }
        }
        l = await next(leftRows, true);
        r = await next(rightRows, false);
      }
    }
  } finally {
    // Stopped early (cancelled, or a side failed): let both streams end their queries.
    await Promise.allSettled([leftRows.return?.(), rightRows.return?.()]);
  }
  options.onRows?.(diff.leftRows, diff.rightRows);
  if (signal?.aborted) throw new CancelledError('Comparing the lakes');
  return diff;
}
