import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Connection } from 'mysql2';
import type { Clock } from '../clock';
import type { MysqlTarget } from '../config';
import { CancelledError, throwIfCancelled } from '../errors';
import type { SourceTotals, UpdateTimes } from './extract';
import { notWritable, recoverLake } from './lakeFiles';
import type { LakeManifest } from '../run/manifest';
import { loadDataTests, type DataTest } from '../model/tests';
import { loadModel, type ModelFile } from './model';
import { stepLabel, type PipelineEvent, type PipelineStep, type StepResult } from '../run/events';
import type { PipelineOptions } from './options';
import { SourceWatch } from './sourceWatch';

/**
 * What the steps of a local pipeline run share (RunContext) and how each is run: runPipeline (pipeline.ts) prepares the
 * context, runs the steps of sourceSteps.ts, writeSteps.ts and publishSteps.ts in order, and closes it.
 */

/** Runs DuckDB work so that an abort interrupts the running statement. */
export async function interruptible<T>(duck: DuckDBConnection, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  throwIfCancelled(signal, 'Pipeline run');
  const onAbort = () => duck.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work();
  } catch (err) {
    if (signal?.aborted) throw new CancelledError('Pipeline run');
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** What the steps of one run share. */
export interface RunContext {
  readonly options: PipelineOptions;
  readonly target: MysqlTarget;
  readonly lakeDir: string;
  readonly database: string;
  readonly runId: string;
  readonly started: Date;
  readonly clock: Clock;
  /** The user's cancel and a lost source, as one signal. */
  readonly signal: AbortSignal;
  readonly lost: AbortController;
  readonly emit: (event: PipelineEvent) => void;
  readonly progress: (update: { message: string; fraction?: number }) => void;
  /** `<lake>/.tmp-<runId>`: everything the run writes before the swap. */
  readonly runDir: string;
  readonly stagedGold: string;
  readonly steps: StepResult[];
  current?: { step: PipelineStep; start: number };
  model: ModelFile[];
  /** The declared data tests (glue/sql/schema.yml and glue/sql/tests), read with the model. */
  dataTests: DataTest[];
  staging?: Promise<{ instance: DuckDBInstance; duck: DuckDBConnection }>;
  duck?: DuckDBConnection;
  mysqlConn?: Connection;
  watch?: SourceWatch;
  totals?: SourceTotals;
  /** When the source tables last changed, read just before the snapshot began. */
  updateTimes?: UpdateTimes;
  modelRows: Record<string, number>;
  tables: LakeManifest['tables'];
  /** The answers recorded over the new tables (PipelineOptions.recordAnswers), for the manifest (load step). */
  dashboard?: LakeManifest['dashboard'];
}

/** What a step reports when it is done: its one-line summary and the rows it produced (one meaning per step). */
export interface StepOutcome {
  summary: string;
  rows?: number;
}

/** Runs one step: announces it, records its outcome, and leaves a failure for runPipeline to record. */
export async function step(ctx: RunContext, name: PipelineStep, fraction: number, work: () => Promise<StepOutcome>): Promise<void> {
  throwIfCancelled(ctx.signal, 'Pipeline run');
  ctx.current = { step: name, start: performance.now() };
  ctx.emit({ kind: 'stepStarted', step: name });
  ctx.progress({ message: stepLabel(name), fraction });
  const outcome = await work();
  const result: StepResult = { step: name, status: 'ok', durationMs: performance.now() - ctx.current.start, rows: outcome.rows, summary: outcome.summary };
  ctx.steps.push(result);
  ctx.emit({ kind: 'stepFinished', ...result });
  ctx.current = undefined;
}

/** Reads the model, tidies what an interrupted run left, makes the temp folder and starts the staging DuckDB. */
export async function prepare(ctx: RunContext): Promise<void> {
  ctx.model = await loadModel(ctx.options.modelDir);
  // Read before anything is extracted: a bad declaration fails the run at once, naming the entry.
  ctx.dataTests = await loadDataTests(ctx.options.modelDir);
  await recoverLake(ctx.lakeDir);
  try {
    await fs.mkdir(ctx.stagedGold, { recursive: true });
  } catch (err) {
    throw notWritable(ctx.lakeDir, err);
  }
  // DuckDB loads and starts while the source step talks to MySQL (it is a few hundred ms on a cold process).
  ctx.staging = openStaging(path.join(ctx.runDir, 'spill'));
  ctx.staging.catch(() => undefined);
}

/** Stops watching the source and closes the connection and the staging DuckDB, whatever state the run is in. */
export async function closeRun(ctx: RunContext): Promise<void> {
  ctx.watch?.stop();
  ctx.mysqlConn?.destroy();
  try {
    const opened = await ctx.staging?.catch(() => undefined);
    opened?.duck.closeSync();
    opened?.instance.closeSync();
  } catch {
    // Closing after an interrupt can fail; the instance is dropped either way.
  }
}

/**
 * The in-memory staging DuckDB; beyond its memory limit it spills into the run's temp folder. The limit is what keeps
 * a large run's peak RSS under the project's memory goal (figures in bench/results-notes.md).
 */
async function openStaging(spillDir: string): Promise<{ instance: DuckDBInstance; duck: DuckDBConnection }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', {
    temp_directory: spillDir,
    memory_limit: '640MB',
    preserve_insertion_order: 'true',
  });
  return { instance, duck: await instance.connect() };
}
