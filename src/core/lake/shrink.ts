import type { LakeManifest } from './manifest';

/**
 * A run whose lake would keep less than this share of the fact rows of the lake it replaces (every row lost included)
 * publishes only once confirmed: a source emptied or pointed at the wrong database otherwise replaces a full lake with
 * an empty one and reports success. Half: rerunning on a source that grew, or shrank by deleting some orders, goes on.
 */
export const SHRINK_KEEP_SHARE = 0.5;

/** What a run would replace with much less (see SHRINK_KEEP_SHARE): the lake there now and the one about to be published. */
export interface LakeShrink {
  lakeDir: string;
  previous: { runId: string; finishedAt: string; factRows: number; orderAmountTotal: string };
  next: { factRows: number; orderAmountTotal: string; database: string };
}

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

const rows = (n: number) => `${n.toLocaleString('en-US')} fact row${n === 1 ? '' : 's'}`;

/** One sentence for the confirmation, the error and the log: what is there now, and what would replace it. */
export function describeShrink(shrink: LakeShrink): string {
  const { previous: was, next } = shrink;
  const lost = Math.round((100 * (was.factRows - next.factRows)) / was.factRows);
  return `This run would replace the lake in ${shrink.lakeDir} (run ${was.runId}, finished ${was.finishedAt}: ${rows(was.factRows)}, `
    + `total ${was.orderAmountTotal}) with ${rows(next.factRows)} (total ${next.orderAmountTotal}) from ${next.database}, `
    + `losing ${lost}% of its fact rows.`;
}
