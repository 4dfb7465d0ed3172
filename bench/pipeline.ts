/**
 * Pipeline benchmark: ratios measured side by side in one run.
 *   npx tsc -p . && node out/bench/pipeline.js [--scale 1000] [--reps 3] [--dump-reps 5] [--skip-scale]
 * Needs the local lab running (`lifecycle-lab lab up`). At scale N it uses the database classicmodels_xN,
 * generating it with the lab's generator when its counts are not the expected ones (classicmodels is never touched).
 *
 * Prints:
 *  - lab dump: whole pipeline run, warm (goal < 1 s);
 *  - scale N: rows/s per phase, peak RSS of the run's process, Parquet size, and the ceiling: MariaDB's own
 *    send rate for the same columns of the same tables (`mariadb --quick --batch` into /dev/null), with
 *    extract throughput as a fraction of it (goal >= 0.80), both for one stream and for the extraction's own
 *    parallelism (CLIENT_STREAMS clients at once, big tables in key ranges: bench/lib/ceiling.ts). Reps are interleaved (ceilings,
 *    pipeline, ceilings, ...) so all see the same machine state; medians are reported with the load average.
 * Each pipeline run happens in a child process so its peak RSS is its own.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MysqlTarget } from '../src/core/config';
import { recordDashboard } from '../src/core/dashboard/service';
import { formatBytes } from '../src/core/format';
import { generateClassicmodels, generatedCounts } from '../src/core/lab/generator';
import { readLabTarget } from '../src/core/lab/state';
import { findModelDir } from '../src/core/lake/model';
import { runPipeline } from '../src/core/lake/pipeline';
import type { PipelineEvent } from '../src/core/run/events';
import { CLIENT_STREAMS } from '../src/core/lake/sourceSteps';
import { connectSource, queryRows } from '../src/core/lake/source';
import { SOURCE_TABLES } from '../src/core/lake/sourceSchema';
import { booleanOption, countOption, scriptArgs, stringOption, withUsage } from './lib/args';
import { ceilingRun, oneStreamPlan, streamPlan } from './lib/ceiling';

interface ChildResult {
  ok: boolean;
  error?: string;
  totalMs: number;
  steps: Record<string, { ms: number; rows?: number }>;
  extractRows: number;
  extractMs: number;
  parquetBytes: number;
  factRows: number;
  maxRssMb: number;
}

const repoRoot = path.resolve(__dirname, '../..');

const USAGE = 'node out/bench/pipeline.js [--scale N] [--reps N] [--dump-reps N] [--skip-scale]';
const args = scriptArgs(USAGE, {
  scale: { type: 'string' }, reps: { type: 'string' }, 'dump-reps': { type: 'string' }, 'skip-scale': { type: 'boolean' },
  // Internal: one measured child process (its runs as JSON), started by this script itself.
  child: { type: 'string' },
});

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Child mode: `reps` pipeline runs in this process (the first loads the modules, as an editor's first run does). */
async function child(): Promise<void> {
  const { source, database, lakeDir, reps, extractWith } = JSON.parse(stringOption(args, 'child')!) as { source: Omit<MysqlTarget, 'password'>; database: string; lakeDir: string; reps: number; extractWith: ExtractWith };
  const target: MysqlTarget = { ...source, password: process.env.LAB_DB_PASSWORD ?? '' };
  const results: ChildResult[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const steps: ChildResult['steps'] = {};
      let extractRows = 0;
      const started = performance.now();
      const result = await runPipeline({
        target, database, lakeDir, modelDir: findModelDir(__dirname), extractWith, recordAnswers: recordDashboard,
        onEvent: (e: PipelineEvent) => {
          if (e.kind === 'stepFinished') steps[e.step] = { ms: e.durationMs, rows: e.rows };
          if (e.kind === 'table' && e.step === 'extract') extractRows += e.rows;
        },
      });
      results.push({
        ok: true, totalMs: performance.now() - started, steps, extractRows, extractMs: steps.extract.ms,
        parquetBytes: Object.values(result.manifest.tables).reduce((a, t) => a + t.bytes, 0),
        factRows: result.manifest.tables.fact_orders.rows,
        maxRssMb: process.resourceUsage().maxRSS / 1024,
      });
    }
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify([{ ok: false, error: (err as Error).message }])}\n`);
    process.exitCode = 1;
  }
}

type ExtractWith = 'client' | 'driver' | 'auto';

function runChild(target: MysqlTarget, database: string, lakeDir: string, reps = 1, extractWith: ExtractWith = 'auto'): Promise<ChildResult[]> {
  return new Promise((resolve, reject) => {
    // The password goes through the child's environment, never its command line (visible in ps).
    const { password, ...source } = target;
    const p = spawn(process.execPath, [__filename, '--child', JSON.stringify({ source, database, lakeDir, reps, extractWith })], {
      stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LAB_DB_PASSWORD: password },
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('close', () => {
      const results = JSON.parse(out.trim().split('\n').pop() || '[{"ok":false,"error":"no output"}]') as ChildResult[];
      const failed = results.find((r) => !r.ok);
      if (failed) reject(new Error(failed.error));
      else resolve(results);
    });
  });
}

const loadAvg = () => os.loadavg()[0].toFixed(1);

async function sourceRows(target: MysqlTarget, database: string): Promise<Record<string, number>> {
  const conn = await connectSource(target, database);
  try {
    const counts: Record<string, number> = {};
    for (const t of SOURCE_TABLES) counts[t.name] = Number((await queryRows(conn, `select count(*) from \`${t.name}\``))[0][0]);
    return counts;
  } finally {
    conn.destroy();
  }
}

const rate = (rows: number, ms: number) => (rows / (ms / 1000));
const fmtRate = (r: number) => `${(r / 1e6).toFixed(2)}M rows/s`;

async function main(): Promise<void> {
  const target = await readLabTarget(path.join(repoRoot, '.lab'));
  if (!target) throw new Error('The local lab is not running: run `lifecycle-lab lab up` (or `npm run lab -- up`) first.');
  const { scale, reps, dumpReps } = withUsage(USAGE, args, () => ({
    scale: countOption(args, 'scale', 1000), reps: countOption(args, 'reps', 3), dumpReps: countOption(args, 'dump-reps', 5),
  }));
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-pipeline-'));
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, node ${process.version}; source ${target.host}:${target.port}`);
  try {
    // Lab dump. Editor-warm: repeated runs in one long-lived process (modules loaded, as in the extension host).
    // CLI: one fresh process per run (module loading included), after a warm-up so the OS caches are warm.
    const dumpLake = path.join(tmp, 'lake-dump');
    const inProcess = (await runChild(target, target.database, dumpLake, dumpReps + 1)).slice(1);
    await runChild(target, target.database, dumpLake);
    const perProcess: ChildResult[] = [];
    for (let i = 0; i < dumpReps; i++) perProcess.push(...(await runChild(target, target.database, dumpLake)));
    const describe = (runs: ChildResult[], goalMs: number) => {
      const whole = median(runs.map((r) => r.totalMs));
      return `median ${whole.toFixed(0)} ms (min ${Math.min(...runs.map((r) => r.totalMs)).toFixed(0)}, max ${Math.max(...runs.map((r) => r.totalMs)).toFixed(0)}); ` +
        `steps ${['source', 'extract', 'transform', 'load', 'reconcile'].map((s) => `${s} ${median(runs.map((r) => r.steps[s].ms)).toFixed(0)}`).join(', ')}; ` +
        `goal < ${goalMs} ms ${whole < goalMs ? 'met' : 'NOT met'}`;
    };
    console.log(`\nlab dump (${target.database}, ${inProcess[0].factRows} fact rows), ${dumpReps} runs each, whole run:`);
    console.log(`  warm, in one process (editor): ${describe(inProcess, 150)}`);
    console.log(`  new process per run (CLI):     ${describe(perProcess, 1000)}`);

    if (booleanOption(args, 'skip-scale')) return;
    const database = `classicmodels_x${scale}`;
    const expected = generatedCounts(scale);
    let counts = await sourceRows(target, database).catch(() => undefined);
    if (!counts || SOURCE_TABLES.some((t) => counts![t.name] !== expected[t.name as keyof typeof expected])) {
      console.log(`\ngenerating ${database} with the lab generator (scale ${scale}, seed 1)...`);
      const g = await generateClassicmodels(target, { scale, database, seed: 1 });
      console.log(`  ${g.rows} rows in ${g.seconds.toFixed(1)} s (${fmtRate(g.rowsPerSecond)})`);
      counts = await sourceRows(target, database);
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`\nscale ${scale} (${database}): ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')} = ${total} source rows`);

    // Interleaved reps: ceiling, then the pipeline with each extraction route, so all see the same machine state.
    const lake = path.join(tmp, 'lake-scale');
    const routes: ExtractWith[] = ['client', 'driver'];
    const ceilings: number[] = [];
    const parallelCeilings: number[] = [];
    const runs: Record<string, ChildResult[]> = { client: [], driver: [] };
    const planConn = await connectSource(target, database);
    const parallelPlan = await streamPlan((sql) => queryRows(planConn, sql), database, CLIENT_STREAMS).finally(() => planConn.destroy());
    console.log(`  load average at start ${loadAvg()}`);
    for (let i = 0; i < reps; i++) {
      ceilings.push(await ceilingRun(target, database, oneStreamPlan()));
      parallelCeilings.push(await ceilingRun(target, database, parallelPlan));
      const line = [`load ${loadAvg()}`, `ceiling ${ceilings[i].toFixed(0)} ms, ${CLIENT_STREAMS} streams ${parallelCeilings[i].toFixed(0)} ms`];
      for (const route of routes) {
        const [r] = await runChild(target, database, lake, 1, route);
        runs[route].push(r);
        line.push(`${route}: extract ${r.extractMs.toFixed(0)} ms, whole ${r.totalMs.toFixed(0)} ms, RSS ${r.maxRssMb.toFixed(0)} MB`);
      }
      console.log(`  rep ${i + 1}: ${line.join('; ')}`);
    }
    const ceilingMs = median(ceilings);
    const ceilingRate = rate(total, ceilingMs);
    const parallelRate = rate(total, median(parallelCeilings));
    console.log(`\n  load average at end ${loadAvg()}`);
    console.log(`  ceiling (mariadb --quick --batch > /dev/null, same columns): one stream ${ceilingMs.toFixed(0)} ms = ${fmtRate(ceilingRate)}; ` +
      `${CLIENT_STREAMS} streams, big tables in key ranges ${median(parallelCeilings).toFixed(0)} ms = ${fmtRate(parallelRate)}`);
    console.log(`  phase          ${routes.map((r) => `${r} ms`.padStart(11) + '   ' + `${r} rows/s`.padEnd(16)).join('')}`);
    for (const step of ['source', 'extract', 'transform', 'load', 'reconcile', 'whole run']) {
      const cells = routes.map((route) => {
        const ms = median(runs[route].map((r) => (step === 'whole run' ? r.totalMs : r.steps[step].ms)));
        return `${ms.toFixed(0).padStart(11)}   ${fmtRate(rate(total, ms)).padEnd(16)}`;
      });
      console.log(`  ${step.padEnd(12)} ${cells.join('')}`);
    }
    for (const route of routes) {
      const extractRate = rate(total, median(runs[route].map((r) => r.extractMs)));
      console.log(`  ${route}: extract ${fmtRate(extractRate)} = ${(extractRate / ceilingRate).toFixed(2)} of the one-stream ceiling, ` +
        `${(extractRate / parallelRate).toFixed(2)} of the ${CLIENT_STREAMS}-stream one (goals: >= 0.80, >= 1M rows/s); ` +
        `peak RSS ${Math.max(...runs[route].map((r) => r.maxRssMb)).toFixed(0)} MB (goal < 1024 MB); whole run goal < 7 s`);
    }
    console.log(`  Parquet size: ${formatBytes(runs.client[0].parquetBytes)} for ${runs.client[0].factRows} fact rows`);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

if (stringOption(args, 'child') !== undefined) void child();
else main().catch((err) => { console.error(`bench failed: ${(err as Error).message}`); process.exitCode = 1; });
