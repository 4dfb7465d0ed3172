/**
 * Section 3: each dashboard question on the lake (DashboardData, the code the panel runs) against the same question
 * on the normalized source in MariaDB, interleaved per question and rep, answers compared; and the whole dashboard
 * asked at once, cold on a new engine and warm.
 */
import * as path from 'node:path';
import { DATASET_IDS } from '../../src/core/dashboard/model';
import { DashboardData } from '../../src/core/dashboard/service';
import { localManifestReader } from '../../src/core/lake/lakeReaders';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { coldDashboard, ensureLake, everyCard, questions, sameAnswer, sourcePool, stoppedAtCap, timeLake, timeSource } from '../lib/dashboard';
import { loadText } from '../lib/machine';
import { fmtMs, fmtRatio, fmtSpread, mdTable, median, spread, type Spread } from '../lib/stats';
import type { BenchContext } from './context';

export interface QuestionFigures { name: string; lake: Spread; shown: Spread; recorded: boolean; source: Spread; same?: boolean; capped: boolean; error?: string }

export interface AnalyticsFigures {
  scale: number;
  /** Where a MariaDB question is stopped, seconds. */
  capS: number;
  lakeDir: string;
  /** lake: the question asked of the lake (DuckDB); shown: what the dashboard shows, a recorded answer where the run manifest has one. */
  questions: QuestionFigures[];
  wholeCold: number[];
  wholeComplete: number[];
  wholeWarm: number[];
}

export async function measureAnalytics(ctx: BenchContext, scale: number, capS: number): Promise<AnalyticsFigures> {
  const { target, reps, log, checks } = ctx;
  log(`analytics at x${scale} (load ${loadText()})`);
  const analyticsDb = `classicmodels_x${scale}`;
  const lakeDir = path.join(ctx.repoRoot, '.lab', 'bench', `dashboard-lake-x${scale}`);
  await ensureLake(target, scale, analyticsDb, lakeDir, ctx.repoRoot, log);
  const pool = await sourcePool(target, analyticsDb, capS);
  const engine = new DuckDbLakeEngine(lakeDir);
  const figures: AnalyticsFigures = { scale, capS, lakeDir, questions: [], wholeCold: [], wholeComplete: [], wholeWarm: [] };
  try {
    const data = new DashboardData(engine, localManifestReader(lakeDir));
    const asked = new DashboardData(engine);
    const range = (await data.dataset({ id: 'filterOptions' })).filterOptions!;
    await engine.settled();
    for (const q of questions(range.firstOrderDate, range.lastOrderDate)) {
      const shownMs: number[] = [];
      let recorded = false;
      const lakeMs: number[] = [];
      const sourceMs: number[] = [];
      let capped = false;
      let error: string | undefined;
      let same: boolean | undefined;
      await timeLake(asked, q.lake);
      for (let rep = 0; rep < reps; rep++) {
        const l = await timeLake(asked, q.lake);
        lakeMs.push(l.ms);
        const shown = await timeLake(data, q.lake);
        shownMs.push(shown.ms);
        recorded = shown.result.recorded === true;
        if (rep === 0 && recorded) {
          const equal = JSON.stringify([shown.result.columns, shown.result.rows]) === JSON.stringify([l.result.columns, l.result.rows]);
          checks.push({ section: 'analytics', what: `x${scale} ${q.name}: the recorded answer = the lake query's`, ok: equal, detail: equal ? 'same rows' : 'answers differ' });
        }
        if (capped || error) continue;
        const t0 = performance.now();
        try {
          const s = await timeSource(pool, q.source);
          sourceMs.push(s.ms);
          const thisSame = sameAnswer(q, l.result, s.rows);
          same = same === false ? false : thisSame;
        } catch (err) {
          if (stoppedAtCap(err)) { capped = true; sourceMs.push(Math.max(performance.now() - t0, capS * 1000)); } else error = (err as Error).message;
        }
      }
      figures.questions.push({ name: q.name, lake: spread(lakeMs), shown: spread(shownMs), recorded, source: spread(sourceMs), same, capped, error });
      log(`  ${q.name}: lake ${fmtMs(median(lakeMs))} ms, shown ${fmtMs(median(shownMs))} ms${recorded ? ' (recorded)' : ''}, MariaDB ${capped ? '> ' : ''}${fmtMs(median(sourceMs))} ms${same === false ? ' ANSWERS DIFFER' : ''}`);
      if (same !== undefined) checks.push({ section: 'analytics', what: `x${scale} ${q.name}: lake = MariaDB`, ok: same, detail: same ? 'same rows' : 'answers differ' });
    }
    // The whole dashboard at this scale: every card's dataset at once on a new engine (cold), and on the warm one.
    for (let rep = 0; rep < reps; rep++) {
      const cold = await coldDashboard(lakeDir, range);
      figures.wholeCold.push(cold.shownMs);
      figures.wholeComplete.push(cold.completeMs);
      const t0 = performance.now();
      await Promise.all(everyCard(range).map((r) => data.dataset(r)));
      figures.wholeWarm.push(performance.now() - t0);
    }
  } finally {
    await engine.close();
    await pool.end();
  }
  return figures;
}

export function renderAnalytics(a: AnalyticsFigures): string[] {
  const everyCardCount = DATASET_IDS.length;
  return [`## 3. Analytics: each dashboard question on the lake vs the normalized source in MariaDB (x${a.scale})`, '',
    'The lake side is DashboardData (the code the panel runs, without its answer cache) on DuckDB over a lake the pipeline wrote from ' +
    `\`classicmodels_x${a.scale}\`; the source side is the same question in MySQL SQL (bench/lib/dashboard.ts), stopped at ${a.capS} s. ` +
    'One warm-up on the lake, then lake, dashboard and MariaDB alternate. "same" compares every row\'s label and amounts (to the cent). ' +
    '"lake" asks DuckDB every time; "shown" is what the dashboard does: the answer the pipeline recorded in the run manifest where it recorded one ' +
    '(the fixed cards, the unfiltered Top-N, the filter options; checked equal to the lake\'s answer below), the lake otherwise.', '',
    mdTable(['question', 'lake ms', 'shown ms', 'MariaDB ms', 'MariaDB / lake', 'MariaDB / shown', 'answers'], a.questions.map((q) => [
      q.name, fmtSpread(q.lake), `${fmtSpread(q.shown)}${q.recorded ? ' (recorded)' : ''}`, q.error ? `failed: ${q.error.slice(0, 60)}` : `${q.capped ? '> ' : ''}${fmtSpread(q.source)}`,
      q.error ? '–' : q.same === false ? 'answers differ: no ratio' : `${q.capped ? '> ' : ''}${fmtRatio(q.source.median / q.lake.median)}`,
      q.error ? '–' : q.same === false ? 'answers differ: no ratio' : `${q.capped ? '> ' : ''}${fmtRatio(q.source.median / Math.max(q.shown.median, 0.001))}`,
      q.same === undefined ? 'not compared' : q.same ? 'same' : 'DIFFER',
    ])), '',
    `Whole dashboard at x${a.scale} (the ${everyCardCount} datasets asked at once, as the page does): cold on a new engine until every card ` +
    `is shown ${fmtSpread(spread(a.wholeCold))} ms (detailed total counted ${fmtSpread(spread(a.wholeComplete))} ms); warm ${fmtSpread(spread(a.wholeWarm))} ms.`, ''];
}
