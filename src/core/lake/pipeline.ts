import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { systemClock, type Clock } from '../clock';
import { LabError, isCancelled, toLabError } from '../errors';
import { leftoverRunDirs, lockLake, tempRunDir } from './lakeFiles';
import { checksSummary, isProblem, type ReconcileCheck } from '../run/checks';
import type { StepResult } from '../run/events';
import type { PipelineResult } from '../run/result';
import type { PipelineOptions } from './options';
import { appendRunRecord } from './runLog';
import { publish, reconcileStep, type Reconciled } from './publishSteps';
import { closeRun, prepare, step, type RunContext } from './runContext';
import { confirmShrink, extractStep, sourceStep } from './sourceSteps';
import { loadStep, transformStep } from './writeSteps';
import { describeTarget } from './source';

export { ReconcileError } from './reconcile';

export type { PipelineOptions } from './options';

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
  ctx.emit({ kind: 'runStarted', runId, source: describeTarget(ctx.target, ctx.database), lake: ctx.lakeDir });
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
