/**
 * What recording the dashboard's answers costs the local pipeline, side by side in one run:
 *   npx tsc -p . && node out/bench/recording.js [--scale 1000] [--reps 3]
 * Needs the local lab running (`lifecycle-lab lab up`); uses classicmodels_xN, generated when its counts are not the
 * expected ones. Each rep runs the pipeline three times, in turn: recording nothing; recording every answer but the
 * detailed aggregate's groups per date (what runs recorded before issue 21's change); recording every answer, as it
 * ships. Prints the medians of the whole run and of its load step (where the answers are asked, beside the Parquet
 * writes), and their ratios to the run that records nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RECORDED_QUERIES } from '../src/core/dashboard/recorded';
import { recordDashboard } from '../src/core/dashboard/service';
import { generateClassicmodels, generatedCounts } from '../src/core/lab/generator';
import { readLabTarget } from '../src/core/lab/state';
import { findModelDir } from '../src/core/lake/model';
import type { PipelineOptions } from '../src/core/lake/options';
import { runPipeline } from '../src/core/lake/pipeline';
import { connectSource, queryRows } from '../src/core/lake/source';
import { countOption, scriptArgs, withUsage } from './lib/args';
import { codeVersion, loadText, machineLine } from './lib/machine';
import { fmtMs, fmtRatio, median } from './lib/stats';

const USAGE = 'node out/bench/recording.js [--scale N] [--reps N]';
const repoRoot = path.resolve(__dirname, '../..');

const VARIANTS: Array<{ name: string; options: Pick<PipelineOptions, 'recordDashboard' | 'recordAnswers'> }> = [
  { name: 'records nothing', options: { recordDashboard: 'never' } },
  { name: 'records all but the groups per date', options: {
    recordDashboard: 'always',
    recordAnswers: (engine, signal) => recordDashboard(engine, signal, RECORDED_QUERIES.filter((id) => id !== 'salesDetailDates')),
  } },
  { name: 'records every answer (as shipped)', options: { recordDashboard: 'always', recordAnswers: recordDashboard } },
];

async function main(): Promise<void> {
  const args = scriptArgs(USAGE, { scale: { type: 'string' }, reps: { type: 'string' } });
  const scale = withUsage(USAGE, args, () => countOption(args, 'scale', 1000));
  const reps = withUsage(USAGE, args, () => countOption(args, 'reps', 3));
  const target = await readLabTarget(path.join(repoRoot, '.lab'));
  if (!target) throw new Error('the local lab is not running: npm run lab -- up');
  const database = `classicmodels_x${scale}`;
  const conn = await connectSource(target, 'information_schema');
  try {
    const rows = await queryRows(conn, `select count(*) from \`${database}\`.orderdetails`).catch(() => [[-1]]);
    if (Number(rows[0]?.[0]) !== generatedCounts(scale).orderdetails) await generateClassicmodels(target, { scale, database, seed: 1 });
  } finally {
    conn.destroy();
  }
  console.log(`recording bench, scale ${scale}, ${reps} reps: ${machineLine()}, load ${loadText()}, code ${codeVersion(repoRoot)}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-bench-recording-'));
  const figures = VARIANTS.map(() => ({ total: [] as number[], load: [] as number[] }));
  try {
    for (let rep = 0; rep < reps; rep++) {
      // Each rep starts from another variant, so none always runs first on a cold cache.
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = (rep + k) % VARIANTS.length;
        const lakeDir = path.join(work, `lake-${v}`);
        let loadMs = 0;
        const t0 = performance.now();
        const result = await runPipeline({ target, database, lakeDir, modelDir: findModelDir(__dirname), ...VARIANTS[v].options,
          onEvent: (e) => { if (e.kind === 'stepFinished' && e.step === 'load') loadMs = e.durationMs; } });
        figures[v].total.push(performance.now() - t0);
        figures[v].load.push(loadMs);
        const recorded = Object.keys((result.manifest.dashboard as { answers?: object } | undefined)?.answers ?? {}).length;
        console.log(`  rep ${rep + 1}: ${VARIANTS[v].name}: ${fmtMs(performance.now() - t0)} ms (load ${fmtMs(loadMs)} ms), ${recorded} answers recorded`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log('| pipeline run at scale ' + scale + ' | whole run, ms | its load step, ms | whole run against recording nothing |');
  console.log('|---|---|---|---|');
  const base = median(figures[0].total);
  VARIANTS.forEach((v, i) => console.log(`| ${v.name} | ${fmtMs(median(figures[i].total))} | ${fmtMs(median(figures[i].load))} | ${fmtRatio(median(figures[i].total) / base)} |`));
  console.log(`load at the end ${loadText()}`);
}

main().catch((err: unknown) => {
  console.error(`recording bench: ${(err as Error).message}`);
  process.exitCode = 1;
});
