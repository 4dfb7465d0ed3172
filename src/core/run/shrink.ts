/** What a run would replace with much less: the lake there now and the one about to be published. */
export interface LakeShrink {
  lakeDir: string;
  previous: { runId: string; finishedAt: string; factRows: number; orderAmountTotal: string };
  next: { factRows: number; orderAmountTotal: string; database: string };
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
