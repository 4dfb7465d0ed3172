import type { LakeManifest } from '../run/manifest';
import type { LakeShrink } from '../run/shrink';

/**
 * A run whose lake would keep less than this share of the fact rows of the lake it replaces (every row lost included)
 * publishes only once confirmed: a source emptied or pointed at the wrong database otherwise replaces a full lake with
 * an empty one and reports success. Half: rerunning on a source that grew, or shrank by deleting some orders, goes on.
 */
export const SHRINK_KEEP_SHARE = 0.5;

/** The shrink a run would cause, or undefined when it keeps at least SHRINK_KEEP_SHARE of the facts (or there is no lake yet). */
export function lakeShrink(lakeDir: string, previous: LakeManifest | undefined, next: LakeShrink['next']): LakeShrink | undefined {
  const before = previous?.tables.fact_orders?.rows ?? 0;
  if (!previous || before === 0 || next.factRows >= before * SHRINK_KEEP_SHARE) return undefined;
  return {
    lakeDir,
    previous: { runId: previous.runId, finishedAt: previous.finishedAt, factRows: before, orderAmountTotal: previous.source.orderAmountTotal },
    next,
  };
}
