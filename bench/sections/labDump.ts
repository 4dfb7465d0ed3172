/**
 * Section 6: the pipeline on the lab's own data run several times in one process (warm, as the editor runs it), the
 * dashboard engine's in-memory copy of the analytics lake (RSS before and after), and the generator at scale N.
 */
import * as path from 'node:path';
import { generateClassicmodels } from '../../src/core/lab/generator/load';
import type { CopyMeasure } from '../child';
import { loadText } from '../lib/machine';
import { runMeasured } from '../lib/procTree';
import { fmtMb, fmtMs, fmtSpread, mdTable, median, spread } from '../lib/stats';
import type { BenchContext } from './context';
import { childScript, duckRun, lastJson } from './pipelineRuns';

export interface LabDumpFigures {
  database: string;
  dumpReps: number;
  /** Every run's wall time in the one process; the first loads the modules and DuckDB. */
  dumpRuns: number[];
  copies: CopyMeasure[];
  analyticsScale: number;
  generator: { run: boolean; scale: number; ms: number[] };
}

export async function measureLabDump(ctx: BenchContext, analyticsLake: string, analyticsScale: number, generator: { run: boolean; scale: number }): Promise<LabDumpFigures> {
  const { target, reps, log } = ctx;
  const dumpReps = Math.max(reps, 5);
  log(`lab dump: ${dumpReps + 1} runs in one process (load ${loadText()})`);
  const dumpRuns = (await duckRun(target.database, path.join(ctx.work, 'duckdb-dump'), dumpReps + 1)).value.runsMs;
  const copies: CopyMeasure[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const c = await runMeasured(process.execPath, [childScript, '--copy', JSON.stringify({ lakeDir: analyticsLake })], { timeoutMs: 600_000 });
    const m = lastJson<CopyMeasure>(c.stdout);
    if (!m) throw new Error(`the in-memory copy measure failed (exit ${c.code}): ${c.stderr.slice(-400)}`);
    copies.push(m);
  }
  log(`  lab dump warm ${fmtMs(median(dumpRuns.slice(1)))} ms; in-memory copy of x${analyticsScale}: RSS ${fmtMb(median(copies.map((c) => c.rssBeforeCopy)))} -> ${fmtMb(median(copies.map((c) => c.rssAfterCopy)))}`);
  const generated: number[] = [];
  if (generator.run) {
    const database = 'classicmodels_genbench';
    try {
      for (let rep = 0; rep < reps; rep++) {
        log(`generator x${generator.scale} rep ${rep + 1}/${reps} (load ${loadText()})`);
        const t0 = performance.now();
        await generateClassicmodels(target, { scale: generator.scale, database, seed: 1 });
        generated.push(performance.now() - t0);
      }
    } finally {
      await ctx.admin.query(`drop database if exists \`${database}\``);
    }
  }
  return { database: target.database, dumpReps, dumpRuns, copies, analyticsScale, generator: { ...generator, ms: generated } };
}

/** The warm runs of the lab dump (the first run left out) and the copy's RSS growth. */
export const dumpWarm = (f: LabDumpFigures) => f.dumpRuns.slice(1);
export const copyGrowth = (f: LabDumpFigures) => f.copies.map((c) => c.rssAfterCopy - c.rssBeforeCopy);

export function renderLabDump(f: LabDumpFigures): string[] {
  const { copies, analyticsScale, generator } = f;
  return ['## 6. Lab dump, the dashboard\'s in-memory copy, the generator', '',
    `Lab dump (\`${f.database}\`, the lab's own data): the whole pipeline run ${f.dumpReps + 1} times in one process, as the editor runs it; the first ` +
    `run loads the modules and DuckDB and is left out. In-memory copy: a new process opens the lake at x${analyticsScale} with the dashboard's engine, ` +
    'asks one question (DuckDB loaded, views over the Parquet files), then waits for the copy into memory; RSS of the process before and after the copy. ' +
    (generator.run ? `Generator: \`classicmodels\` at x${generator.scale} (seed 1) into a scratch database, dropped afterwards.` : 'Generator: not run in this mode (`--generator` to run it).'), '',
    mdTable(['figure', 'median (min–max)'], [
      ['lab dump, whole run, warm', `${fmtSpread(spread(dumpWarm(f)))} ms (first run ${fmtMs(f.dumpRuns[0])} ms)`],
      [`in-memory copy at x${analyticsScale}: RSS growth`, fmtSpread(spread(copyGrowth(f)), fmtMb)],
      [`in-memory copy at x${analyticsScale}: process RSS before → after`, `${fmtMb(median(copies.map((c) => c.rssBeforeCopy)))} → ${fmtMb(median(copies.map((c) => c.rssAfterCopy)))}`],
      [`in-memory copy at x${analyticsScale}: time to copy`, `${fmtSpread(spread(copies.map((c) => c.copyMs)))} ms${copies.every((c) => c.inMemory) ? '' : ' (some runs kept the views: lake over the copy limit)'}`],
      ...(generator.run ? [[`generator at x${generator.scale}`, `${fmtSpread(spread(generator.ms))} ms`]] : []),
    ]), ''];
}
