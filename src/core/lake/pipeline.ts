import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { systemClock, type Clock } from '../clock';
import type { MysqlTarget } from '../config';
import { LabError, isCancelled, toLabError } from '../errors';
import type { Logger } from '../log';
import type { LongWork } from '../progress';
import { leftoverRunDirs, lockLake, tempRunDir } from './lakeFiles';
import { checksSummary, isProblem, type LakeManifest, type ReconcileCheck } from './manifest';
import { appendRunRecord } from './runLog';
import type { LakeShrink } from './shrink';
import {
  closeRun, confirmShrink, extractStep, loadStep, prepare, publish, reconcileStep, sourceStep, step, transformStep, type Reconciled, type RunContext,
} from './steps';
import { describeTarget } from './source';

export { ReconcileError } from './reconcile';
export { stepLabel } from './steps';

export const PIPELINE_STEPS = ['source', 'extract', 'transform', 'load', 'reconcile'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];
export type StepStatus = 'ok' | 'failed' | 'cancelled';

/** What a run reports as it goes; the terminal, the Pipeline view and the CLI all render these. */
export type PipelineEvent =
  | { kind: 'runStarted'; runId: string; source: string; lakeDir: string }
  | { kind: 'stepStarted'; step: PipelineStep }
  | { kind: 'table'; step: PipelineStep; table: string; rows: number; durationMs: number; bytes?: number }
  | { kind: 'check'; check: ReconcileCheck }
  | { kind: 'stepFinished'; step: PipelineStep; status: StepStatus; durationMs: number; rows?: number; summary: string }
  | { kind: 'runFinished'; ok: boolean; durationMs: number; message: string };

export interface StepResult {
  step: PipelineStep;
  status: StepStatus;
  durationMs: number;
  rows?: number;
  summary: string;
}

export interface PipelineOptions extends LongWork {
  target: MysqlTarget;
  lakeDir: string;
  /** Folder with the model's `<table>.sql` files (glue/sql). */
  modelDir: string;
  /** Source database; the target's database when absent (the benchmark points it at a scaled copy). */
  database?: string;
  log?: Logger;
  onEvent?: (event: PipelineEvent) => void;
  /**
   * How rows leave MySQL: 'client' streams through the MariaDB command-line client and DuckDB's CSV reader
   * (fastest), 'driver' streams through mysql2 into a DuckDB appender (works everywhere, keeps one snapshot).
   * 'auto' (default) picks the client when one is installed and the connection needs no TLS.
   */
  extractWith?: 'auto' | 'client' | 'driver';
  /**
   * Whether the run records the dashboard's answers in its manifest (dashboard/recorded.ts). 'auto' (default): when
   * the facts have at least RECORD_MIN_FACT_ROWS rows; below that the dashboard asks the lake as fast as it reads it.
   */
  recordDashboard?: 'auto' | 'always' | 'never';
  /** A source that sends nothing and answers no ping for this long fails the run (default 60 s). */
  stallTimeoutMs?: number;
  /** Timers for the lock heartbeat and the source watch (tests pass a fake one). */
  clock?: Clock;
  /** Recorded in the lake's run log, e.g. "cli" or "editor". */
  origin?: string;
  /**
   * Asked before extracting when the run would replace a lake with one keeping less than half of its fact rows
   * (shrink.ts); true goes on, false cancels and keeps the lake. Absent, such a run fails with lakeWouldShrink and keeps
   * the lake: the editor asks in a modal, the CLI answers for its flag.
   */
  confirmShrink?: (shrink: LakeShrink) => Promise<boolean>;
}

export interface PipelineResult {
  manifest: LakeManifest;
  steps: StepResult[];
  durationMs: number;
}

function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/**
 * The local engine: extract the source tables by streaming them into an in-memory DuckDB, run the model SQL,
 * write Parquet (snappy) into a temp folder, reconcile what was written against the source snapshot, then swap the
 * new gold folder in. Anything short of a passing reconciliation leaves the previous lake untouched. Every run,
 * whatever its outcome, ends with runFinished and a line in the lake's run log.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const clock = options.clock ?? systemClock;
  const started = new Date(clock.now());
  const runId = newRunId(started);
  // A source lost mid-run aborts the run through this signal; the user's Cancel comes through theirs.
  const lost = new AbortController();
  const runDir = tempRunDir(options.lakeDir, runId);
  // The failed and warned checks, for the run log: a view showing a run made elsewhere lists them too.
  const problems: ReconcileCheck[] = [];
  const ctx: RunContext = {
    options,
    target: options.target,
    lakeDir: options.lakeDir,
    database: options.database || options.target.database,
    runId,
    started,
    clock,
    signal: options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal,
    lost,
    emit: (event) => {
      if (event.kind === 'check' && isProblem(event.check)) problems.push(event.check);
      options.onEvent?.(event);
    },
    progress: options.onProgress ?? (() => {}),
    runDir,
    stagedGold: path.join(runDir, 'gold'),
    steps: [],
    model: [],
    dataTests: [],
    modelRows: {},
    tables: {},
  };
  const runStart = performance.now();
  ctx.emit({ kind: 'runStarted', runId, source: describeTarget(ctx.target, ctx.database), lakeDir: ctx.lakeDir });
  let release: (() => Promise<void>) | undefined;
  let failure: LabError | undefined;
  try {
    // Inside the try, so a lake held by another run still ends this one with runFinished (the views stop "running").
    release = await lockLake(ctx.lakeDir, { clock, log: options.log });
    await prepare(ctx);
    await step(ctx, 'source', 0, () => sourceStep(ctx));
    await confirmShrink(ctx);
    await step(ctx, 'extract', 0.05, () => extractStep(ctx));
    await step(ctx, 'transform', 0.65, () => transformStep(ctx));
    await step(ctx, 'load', 0.8, () => loadStep(ctx));
    let reconciled: Reconciled = { checks: [], tests: [] };
    await step(ctx, 'reconcile', 0.92, async () => {
      reconciled = await reconcileStep(ctx);
      return { summary: checksSummary(reconciled.checks) };
    });
    const manifest = await publish(ctx, reconciled);
    const durationMs = performance.now() - runStart;
    ctx.emit({ kind: 'runFinished', ok: true, durationMs,
      message: `Pipeline succeeded: ${ctx.modelRows.fact_orders} fact rows, total ${manifest.source.orderAmountTotal}, ${checksSummary(reconciled.checks)}.` });
    ctx.progress({ message: 'Done', fraction: 1 });
    return { manifest, steps: ctx.steps, durationMs };
  } catch (err) {
    // A lost source surfaces in the step as a cancel (its signal fired); report why the run really stopped.
    const e = lost.signal.aborted && !options.signal?.aborted ? toLabError(lost.signal.reason) : toLabError(err);
    if (ctx.current) {
      const result: StepResult = {
        step: ctx.current.step,
        status: isCancelled(e) ? 'cancelled' : 'failed',
        durationMs: performance.now() - ctx.current.start,
        summary: e.message,
      };
      ctx.steps.push(result);
      ctx.emit({ kind: 'stepFinished', ...result });
    }
    failure = e;
    ctx.emit({ kind: 'runFinished', ok: false, durationMs: performance.now() - runStart,
      message: isCancelled(e) ? 'Pipeline cancelled; the previous lake was kept.' : `Pipeline failed: ${e.message}` });
    options.log?.info(`Pipeline run ${runId} failed: ${e.message}`);
    throw e;
  } finally {
    await closeRun(ctx);
    // Only the lock holder touches the lake: a run refused by the lock leaves no trace in it.
    if (release) {
      await fs.rm(runDir, { recursive: true, force: true }).catch((err: unknown) =>
        options.log?.warn(`Pipeline run ${runId} could not remove ${runDir}: ${(err as Error).message}`));
      await recordRun(ctx.lakeDir, runId, started, clock, ctx.steps, problems, failure, options).catch((err: unknown) =>
        options.log?.warn(`Pipeline run ${runId} could not be recorded in the run log: ${(err as Error).message}`));
      await release();
      const left = await leftoverRunDirs(ctx.lakeDir);
      if (left.length > 0) options.log?.warn(`Pipeline run ${runId} left ${left.join(', ')} in ${ctx.lakeDir}`);
    }
  }
}

/** Appends the finished run, whatever its outcome, to the lake's run log. */
async function recordRun(lakeDir: string, runId: string, started: Date, clock: Clock, steps: StepResult[], problems: ReconcileCheck[],
  failure: LabError | undefined, options: PipelineOptions): Promise<void> {
  const finished = clock.now();
  await appendRunRecord(lakeDir, {
    runId,
    startedAt: started.toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started.getTime(),
    status: !failure ? 'ok' : isCancelled(failure) ? 'cancelled' : 'failed',
    message: !failure ? 'Pipeline succeeded.' : isCancelled(failure) ? 'Pipeline cancelled; the previous lake was kept.' : `Pipeline failed: ${failure.message}`,
    steps,
    ...(problems.length ? { problems } : {}),
    origin: options.origin ?? 'core',
    pid: process.pid,
  });
}
