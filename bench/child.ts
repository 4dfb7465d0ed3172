/**
 * The measured processes of `npm run bench`, each in its own process so its peak RSS is its own:
 *   node out/bench/child.js --pipeline '{"database":…,"lakeDir":…,"runs":N}'   N pipeline runs in one process
 *   node out/bench/child.js --copy '{"lakeDir":…}'                              the dashboard engine's in-memory copy
 * Each prints one JSON line. The child reads the lab's target itself: no password on a command line.
 */
import * as path from 'node:path';
import { recordDashboard } from '../src/core/dashboard/service';
import { readLabTarget } from '../src/core/lab/state';
import { findModelDir } from '../src/core/lake/model';
import { runPipeline } from '../src/core/lake/pipeline';
import type { PipelineEvent } from '../src/core/run/events';
import { DuckDbLakeEngine } from '../src/core/query/duckdb';
import { exitWithUsage, scriptArgs, stringOption } from './lib/args';

const repoRoot = path.resolve(__dirname, '../..');
const USAGE = "node out/bench/child.js --pipeline '<json>' | --copy '<json>'";

/** One process's pipeline runs: the last run's figures, and every run's wall time (the first one loads the modules). */
export interface DuckRun {
  ok: boolean;
  error?: string;
  runMs: number;
  runsMs: number[];
  steps: Record<string, number>;
  extractRows: number;
  sourceRows: number;
  parquetBytes: number;
}

/** The dashboard engine's in-memory copy: RSS once DuckDB has the lake's views, and once the copy serves them. */
export interface CopyMeasure { rssBeforeCopy: number; rssAfterCopy: number; copyMs: number; inMemory: boolean }

/** `runs` pipeline runs (default 1) one after another in this process, as the editor runs them. */
async function childPipeline(json: string): Promise<void> {
  const { database, lakeDir, runs = 1 } = JSON.parse(json) as { database: string; lakeDir: string; runs?: number };
  try {
    const target = await readLabTarget(path.join(repoRoot, '.lab'));
    if (!target) throw new Error('the local lab is not running');
    const runsMs: number[] = [];
    let last: Omit<DuckRun, 'ok' | 'runMs' | 'runsMs'> | undefined;
    for (let i = 0; i < runs; i++) {
      const steps: Record<string, number> = {};
      let extractRows = 0;
      const started = performance.now();
      const result = await runPipeline({
        target, database, lakeDir, modelDir: findModelDir(__dirname), origin: 'bench', recordAnswers: recordDashboard,
        onEvent: (e: PipelineEvent) => {
          if (e.kind === 'stepFinished') steps[e.step] = e.durationMs;
          if (e.kind === 'table' && e.step === 'extract') extractRows += e.rows;
        },
      });
      runsMs.push(performance.now() - started);
      last = {
        steps, extractRows,
        sourceRows: Object.values(result.manifest.source.counts).reduce((a, b) => a + b, 0),
        parquetBytes: Object.values(result.manifest.tables).reduce((a, t) => a + t.bytes, 0),
      };
    }
    const run: DuckRun = { ok: true, runMs: runsMs[runsMs.length - 1], runsMs, ...last! };
    process.stdout.write(`${JSON.stringify(run)}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: (err as Error).message })}\n`);
    process.exitCode = 1;
  }
}

async function childCopy(json: string): Promise<void> {
  const { lakeDir } = JSON.parse(json) as { lakeDir: string };
  const engine = new DuckDbLakeEngine(lakeDir);
  try {
    await engine.query('select count(*) from fact_orders');
    const rssBeforeCopy = process.memoryUsage().rss;
    const t0 = performance.now();
    const inMemory = await engine.settled();
    const copyMs = performance.now() - t0;
    await engine.query('select count(*) from fact_orders');
    const out: CopyMeasure = { rssBeforeCopy, rssAfterCopy: process.memoryUsage().rss, copyMs, inMemory };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await engine.close();
  }
}

if (require.main === module) {
  const args = scriptArgs(USAGE, { pipeline: { type: 'string' }, copy: { type: 'string' } });
  const pipeline = stringOption(args, 'pipeline');
  const copy = stringOption(args, 'copy');
  if (!pipeline === !copy) exitWithUsage(USAGE, 'Give one of --pipeline or --copy.');
  const work = pipeline ? childPipeline(pipeline) : childCopy(copy!);
  work.catch((err: unknown) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1; });
}
