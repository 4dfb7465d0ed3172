/**
 * Sections 1, 2 and 5's measurements: pipeline runs at each scale, reps interleaved per scale (the extraction
 * ceilings at the top scale, the DuckDB engine, pyspark), the two engines' lakes compared every rep; and the
 * tables of section 1 (DuckDB against pyspark, with phases) and section 2 (extraction against its ceiling).
 */
import * as path from 'node:path';
import { formatBytes } from '../../src/core/format';
import { CLIENT_STREAMS } from '../../src/core/lake/sourceSteps';
import type { DuckRun } from '../child';
import { ceilingRun, oneStreamPlan, streamPlan } from '../lib/ceiling';
import { loadText } from '../lib/machine';
import { fmtMb, fmtMs, fmtRate, fmtRatio, fmtSpread, mdTable, median, spread } from '../lib/stats';
import type { BenchContext } from './context';
import { answerText, duckRun, lakeAnswer, sparkRuns, SPARK_RUN_PHASES, type Measured, type SparkCall, type SparkRunOut } from './pipelineRuns';

const PIPELINE_STEPS = ['source', 'extract', 'transform', 'load', 'reconcile'] as const;

export interface PipelineScale {
  scale: number;
  sourceRows: number;
  duck: Array<Measured<DuckRun>>;
  spark: Array<{ wallMs: number; peakRssBytes: number; run: SparkRunOut; startup: SparkCall['startup']; sharedWith: number }>;
  same: boolean[];
  ceiling1: number[];
  ceilingN: number[];
}

export interface PipelinePlan {
  /** Scales where DuckDB and pyspark both run. */
  pipelineScales: number[];
  /** Scales of the scaling chart (DuckDB only beyond pipelineScales). */
  scalingScales: number[];
  /** Streams of the N-stream ceiling. */
  streams: number;
  /** Why pyspark is not measured, or undefined when it is. */
  noSpark?: string;
}

export interface PipelineFigures extends PipelinePlan {
  results: Map<number, PipelineScale>;
  /** The largest scale the DuckDB engine runs: the extraction ceiling and the x1000 goals are measured there. */
  topScale: number;
  sparkScale: number;
  /** quick and smoke: one JVM per rep runs every scale (the JVM start is paid once per rep, and reported once). */
  sparkShared: boolean;
}

export async function measurePipelines(ctx: BenchContext, plan: PipelinePlan): Promise<PipelineFigures> {
  const { target, admin, reps, log, checks, versions } = ctx;
  const { pipelineScales, scalingScales, streams, noSpark } = plan;
  const results = new Map<number, PipelineScale>();
  const duckOnly = scalingScales.filter((s) => !pipelineScales.includes(s));
  for (const scale of [...pipelineScales, ...duckOnly]) {
    results.set(scale, { scale, sourceRows: 0, duck: [], spark: [], same: [], ceiling1: [], ceilingN: [] });
  }
  const topScale = Math.max(...scalingScales);
  const sparkScale = Math.max(...pipelineScales);
  const adminRows = async (sql: string) => (await admin.query({ sql, rowsAsArray: true }))[0] as unknown[][];
  const plans = { one: oneStreamPlan(), many: await streamPlan(adminRows, `classicmodels_x${topScale}`, streams) };
  const lake = (engine: string, scale: number) => path.join(ctx.work, `${engine}-x${scale}`);
  const sparkShared = ctx.quick;
  for (let rep = 0; rep < reps; rep++) {
    log(`rep ${rep + 1}/${reps} (load ${loadText()})`);
    for (const scale of [...pipelineScales, ...duckOnly]) {
      const r = results.get(scale)!;
      if (scale === topScale) {
        r.ceiling1.push(await ceilingRun(target, `classicmodels_x${scale}`, plans.one));
        r.ceilingN.push(await ceilingRun(target, `classicmodels_x${scale}`, plans.many));
      }
      const d = await duckRun(`classicmodels_x${scale}`, lake('duckdb', scale));
      r.duck.push(d);
      r.sourceRows = d.value.sourceRows;
      log(`  x${scale} DuckDB ${fmtMs(d.wallMs)} ms wall, extract ${fmtMs(d.value.steps.extract)} ms, RSS ${fmtMb(d.peakRssBytes)}`);
      if (!noSpark && !sparkShared && pipelineScales.includes(scale)) {
        const s = await sparkRuns(ctx.repoRoot, target, [{ database: `classicmodels_x${scale}`, lakeDir: lake('spark', scale) }]);
        r.spark.push({ wallMs: s.wallMs, peakRssBytes: s.peakRssBytes, run: s.value.runs[0], startup: s.value.startup, sharedWith: 1 });
        versions.pyspark = s.value.spark;
        log(`  x${scale} pyspark ${fmtMs(s.wallMs)} ms wall, RSS ${fmtMb(s.peakRssBytes)}`);
      }
    }
    if (!noSpark && sparkShared) {
      const s = await sparkRuns(ctx.repoRoot, target, pipelineScales.map((scale) => ({ database: `classicmodels_x${scale}`, lakeDir: lake('spark', scale) })));
      versions.pyspark = s.value.spark;
      for (const run of s.value.runs) {
        const scale = Number(run.database.replace(/^classicmodels_x/, ''));
        // This scale's share of the shared process: the JVM start and session plus its own run (what a process
        // running only this scale would take, less python's start); the process's own wall time covers every scale.
        const ownMs = (s.value.startup.jvm + s.value.startup.session + SPARK_RUN_PHASES.reduce((a, p) => a + (run.phases[p] ?? 0), 0)) * 1000;
        results.get(scale)!.spark.push({ wallMs: ownMs, peakRssBytes: s.peakRssBytes, run, startup: s.value.startup, sharedWith: s.value.runs.length });
      }
      log(`  pyspark (${pipelineScales.map((s) => `x${s}`).join(' + ')} in one JVM) ${fmtMs(s.wallMs)} ms wall, RSS ${fmtMb(s.peakRssBytes)}`);
    }
    // Answers of this rep: the two lakes, table by table, and the fact totals.
    if (!noSpark) {
      for (const scale of pipelineScales) {
        const r = results.get(scale)!;
        const [a, b] = [await lakeAnswer(lake('duckdb', scale)), await lakeAnswer(lake('spark', scale))];
        const same = answerText(a) === answerText(b);
        r.same.push(same);
        if (!same || rep === reps - 1) checks.push({ section: 'pipeline', what: `x${scale} rep ${rep + 1}: DuckDB lake = pyspark lake`, ok: same, detail: same ? answerText(a) : `DuckDB: ${answerText(a)} / pyspark: ${answerText(b)}` });
      }
    }
  }
  for (const r of results.values()) {
    const extracted = r.duck.map((d) => d.value.extractRows);
    const ok = extracted.every((n) => n === r.sourceRows);
    checks.push({ section: 'extraction', what: `x${r.scale}: rows extracted = source rows`, ok, detail: `${extracted[0]} of ${r.sourceRows}` });
  }
  return { ...plan, results, topScale, sparkScale, sparkShared };
}

/** Section 1: the DuckDB engine against the same job on pyspark, whole process and phase by phase. */
export function renderPipeline(f: PipelineFigures): string[] {
  const lines: string[] = [];
  const sp = spread;
  lines.push('## 1. Pipeline: DuckDB engine vs the same job on pyspark', '',
    'Wall time is the whole process, start to exit (node for DuckDB, python + JVM for pyspark); peak RSS is the largest ' +
    'sum of resident memory over the process tree, sampled from /proc every 100 ms (the MariaDB clients the extractor ' +
    'starts and the JVM included). Rows/s are source rows / phase time. pyspark runs glue/local_run.py\'s adapter through ' +
    '`bench/spark_phases.py` on `local[2]`.' + (f.sparkShared ? ' In this mode one JVM per rep runs every scale: its JVM start and session are paid once; ' +
      'the pyspark wall time of a scale is JVM start + session + that scale\'s run (python\'s own start left out), and its peak RSS is the whole process\'s.' : ''), '');
  if (f.noSpark) lines.push(`pyspark not measured: ${f.noSpark} (\`bash scripts/setup.sh --test\` installs it).`, '');
  const pipeRows: string[][] = [];
  for (const scale of f.pipelineScales) {
    const r = f.results.get(scale)!;
    const dw = sp(r.duck.map((d) => d.wallMs));
    const sw = sp(r.spark.map((s) => s.wallMs));
    const sRun = sp(r.spark.map((s) => SPARK_RUN_PHASES.reduce((a, p) => a + (s.run.phases[p] ?? 0) * 1000, 0)));
    const dRun = sp(r.duck.map((d) => d.value.runMs));
    const same = r.same.length > 0 && r.same.every(Boolean);
    const ratio = !r.spark.length ? '–' : same ? `${fmtRatio(sw.median / dw.median)} (run only ${fmtRatio(sRun.median / dRun.median)})` : 'answers differ: no ratio';
    pipeRows.push([`x${scale}`, r.sourceRows.toLocaleString('en-US'), fmtSpread(dw), fmtSpread(dRun), fmtSpread(sw), fmtSpread(sRun), ratio,
      fmtSpread(sp(r.duck.map((d) => d.peakRssBytes)), fmtMb), r.spark.length ? fmtSpread(sp(r.spark.map((s) => s.peakRssBytes)), fmtMb) : '–',
      formatBytes(r.duck[0].value.parquetBytes), r.spark.length ? formatBytes(r.spark[0].run.parquetBytes) : '–']);
  }
  lines.push(mdTable(['scale', 'source rows', 'DuckDB wall ms', 'DuckDB run ms', 'pyspark wall ms', 'pyspark run ms (no JVM/session)', 'pyspark / DuckDB', 'DuckDB peak RSS', 'pyspark peak RSS', 'DuckDB Parquet', 'pyspark Parquet'], pipeRows), '');
  lines.push('Phases, ms and source rows/s (median of the reps):', '');
  const phaseRows: string[][] = [];
  for (const scale of f.pipelineScales) {
    const r = f.results.get(scale)!;
    for (const step of PIPELINE_STEPS) {
      const ms = median(r.duck.map((d) => d.value.steps[step]));
      phaseRows.push([`x${scale}`, 'DuckDB', step, fmtSpread(sp(r.duck.map((d) => d.value.steps[step]))), fmtRate(r.sourceRows / (ms / 1000))]);
    }
    if (r.spark.length) {
      phaseRows.push([`x${scale}`, 'pyspark', 'JVM start', fmtSpread(sp(r.spark.map((s) => s.startup.jvm * 1000))), '']);
      phaseRows.push([`x${scale}`, 'pyspark', 'Spark session', fmtSpread(sp(r.spark.map((s) => s.startup.session * 1000))), '']);
      for (const p of SPARK_RUN_PHASES) {
        const ms = median(r.spark.map((s) => (s.run.phases[p] ?? 0) * 1000));
        phaseRows.push([`x${scale}`, 'pyspark', p, fmtSpread(sp(r.spark.map((s) => (s.run.phases[p] ?? 0) * 1000))), fmtRate(r.sourceRows / (ms / 1000))]);
      }
    }
  }
  lines.push(mdTable(['scale', 'engine', 'phase', 'ms', 'rows/s'], phaseRows), '');
  const sparkTop = f.results.get(f.sparkScale)!.spark;
  if (sparkTop.length) {
    const ph = (p: string) => median(sparkTop.map((s) => (p === 'jvm' || p === 'session' ? s.startup[p] : s.run.phases[p] ?? 0) * 1000));
    const total = ['jvm', 'session', ...SPARK_RUN_PHASES].reduce((a, p) => a + ph(p), 0);
    const share = (p: string) => `${((ph(p) / total) * 100).toFixed(0)}%`;
    lines.push(`Where pyspark spends its time at x${f.sparkScale} (its own timing, bench/spark_phases.py): JVM start ${share('jvm')}, Spark session ${share('session')}, ` +
      `source totals over JDBC ${share('sourceTotals')}, JDBC read of the source tables ${share('jdbcRead')}, model SQL + Parquet write ${share('transformWrite')}, ` +
      `reconcile ${share('reconcile')}, publish ${share('publish')}.`, '');
  }
  return lines;
}

/** The extraction figures at the top scale: the two ceilings and the pipeline's extract step. */
export function extractionSpreads(f: PipelineFigures) {
  const top = f.results.get(f.topScale)!;
  return { top, c1: spread(top.ceiling1), cN: spread(top.ceilingN), ex: spread(top.duck.map((d) => d.value.steps.extract)), rate: (ms: number) => top.sourceRows / (ms / 1000) };
}

/** Section 2: the extract step against MariaDB's own send rate for the same columns, one stream and N. */
export function renderExtraction(f: PipelineFigures): string[] {
  const { top, c1, cN, ex, rate } = extractionSpreads(f);
  const streams = f.streams;
  return ['## 2. Extraction against its ceiling', '',
    `At x${f.topScale} (${top.sourceRows.toLocaleString('en-US')} source rows, the same columns the extractor reads): the ceiling is the MariaDB client ` +
    '(`mariadb --quick --batch`) sending them into /dev/null, with one stream, and with ' +
    `${streams} streams (tables of 50,000 rows or more cut into ${streams} integer-key ranges, the pieces dealt to ${streams} clients running at once; ` +
    `the key ranges are the extractor's RANGE_KEYS; \`--streams\` to change). The extractor itself runs CLIENT_STREAMS = ${CLIENT_STREAMS} client stream${CLIENT_STREAMS === 1 ? '' : 's'} at once. ` +
    `Each rep: ceiling 1, ceiling ${streams}, then the pipeline's extract step.`, '',
    mdTable(['', 'ms', 'rows/s', 'extraction as a fraction'], [
      ['ceiling, 1 stream', fmtSpread(c1), fmtRate(rate(c1.median)), fmtRatio(c1.median / ex.median)],
      [`ceiling, ${streams} streams`, fmtSpread(cN), fmtRate(rate(cN.median)), fmtRatio(cN.median / ex.median)],
      ['pipeline extract step (DuckDB engine)', fmtSpread(ex), fmtRate(rate(ex.median)), ''],
    ]), ''];
}
