import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { systemClock, type Clock } from '../clock';
import type { MysqlTarget } from '../config';
import { CancelledError, LabError, isCancelled, throwIfCancelled, toLabError } from '../errors';
import type { Logger } from '../log';
import type { LongWork } from '../progress';
import { beginSnapshot, checkSourceSchema, extractTable, readSourceTotals, type SourceTotals } from './extract';
import { extractTableViaClient, findMysqlClient } from './extractClient';
import { leftoverRunDirs, lockLake, notWritable, recoverLake, swapInGold, tempRunDir } from './lakeFiles';
import { MODEL_TABLES, type LakeManifest, type ReconcileCheck } from './manifest';
import { describePart } from './verify';
import { loadModel } from './model';
import { appendRunRecord } from './runLog';
import { SourceWatch } from './sourceWatch';
import { reconcile } from './reconcile';
import { connectSource, describeTarget, mapSourceError } from './source';
import { usesTls } from '../source/target';
import { SOURCE_TABLES } from './sourceSchema';

const DEFAULT_STALL_MS = 60_000;

/** Tables with fewer source rows go through the driver even when the client route is on. */
const CLIENT_MIN_ROWS = 50_000;

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
  /** A source that sends nothing and answers no ping for this long fails the run (default 60 s). */
  stallTimeoutMs?: number;
  /** Timers for the lock heartbeat and the source watch (tests pass a fake one). */
  clock?: Clock;
  /** Recorded in the lake's run log, e.g. "cli" or "editor". */
  origin?: string;
}

export interface PipelineResult {
  manifest: LakeManifest;
  steps: StepResult[];
  durationMs: number;
}

/** A failed reconciliation: carries the checks so surfaces can list them. */
export class ReconcileError extends LabError {
  constructor(readonly checks: ReconcileCheck[]) {
    const failed = checks.filter((c) => !c.ok);
    super('reconcileFailed', `Reconciliation failed: ${failed.map((c) => `${c.name} (${c.message})`).join('; ')}. The previous lake was kept.`, {
      nextStep: { label: 'Show Pipeline Output', command: 'lifecycleLab.pipeline.showTerminal' },
    });
    this.name = 'ReconcileError';
  }
}

function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** Runs DuckDB work so that an abort interrupts the running statement. */
async function interruptible<T>(duck: DuckDBConnection, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
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

/**
 * What the load step writes for a table. Facts are written in order-date order, so each Parquet row group (and each
 * in-memory row group of an engine that copies the lake) covers a short date range and date filters skip the rest
 * by their min/max statistics; order number and line make the order (and the file) deterministic.
 */
function loadSource(table: string): string {
  return table === 'fact_orders'
    ? `(select * from "fact_orders" order by orderDate, orderNumber, orderLineNumber)`
    : `"${table}"`;
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The local engine: extract the source tables by streaming them into an in-memory DuckDB, run the model SQL,
 * write Parquet (zstd) into a temp folder, reconcile what was written against the source snapshot, then swap the
 * new gold folder in. Anything short of a passing reconciliation leaves the previous lake untouched.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { target, lakeDir } = options;
  const database = options.database || target.database;
  const emit = options.onEvent ?? (() => {});
  const progress = options.onProgress ?? (() => {});
  const clock = options.clock ?? systemClock;
  const started = new Date(clock.now());
  const runStart = performance.now();
  const runId = newRunId(started);
  const steps: StepResult[] = [];
  // A source lost mid-run aborts the run through this signal; the user's Cancel comes through theirs.
  const lost = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  let watch: SourceWatch | undefined;

  let current: { step: PipelineStep; start: number } | undefined;
  const begin = (step: PipelineStep, fraction: number) => {
    throwIfCancelled(signal, 'Pipeline run');
    current = { step, start: performance.now() };
    emit({ kind: 'stepStarted', step });
    progress({ message: stepLabel(step), fraction });
  };
  const end = (summary: string, rows?: number) => {
    if (!current) return;
    const result: StepResult = { step: current.step, status: 'ok', durationMs: performance.now() - current.start, rows, summary };
    steps.push(result);
    emit({ kind: 'stepFinished', ...result });
    current = undefined;
  };

  emit({ kind: 'runStarted', runId, source: describeTarget(target, database), lakeDir });
  let release: (() => Promise<void>) | undefined;
  const runDir = tempRunDir(lakeDir, runId);
  const stagedGold = path.join(runDir, 'gold');
  let staging: Promise<{ instance: DuckDBInstance; duck: DuckDBConnection }> | undefined;
  let duck: DuckDBConnection | undefined;
  let mysqlConn: Awaited<ReturnType<typeof connectSource>> | undefined;
  let failure: LabError | undefined;
  try {
    // Inside the try, so a lake held by another run still ends this one with runFinished (the views stop "running").
    release = await lockLake(lakeDir, { clock, log: options.log });
    const model = await loadModel(options.modelDir);
    await recoverLake(lakeDir);
    try {
      await fs.mkdir(stagedGold, { recursive: true });
    } catch (err) {
      throw notWritable(lakeDir, err);
    }
    // DuckDB loads and starts while the source step talks to MySQL (it is a few hundred ms on a cold process).
    staging = openStaging(path.join(runDir, 'spill'));
    staging.catch(() => undefined);

    // Source: one connection, one consistent snapshot for the checks, the totals and every extracted row.
    begin('source', 0);
    mysqlConn = await connectSource(target, database);
    watch = new SourceWatch(mysqlConn, {
      clock, target, database,
      stallMs: options.stallTimeoutMs ?? DEFAULT_STALL_MS,
      onFail: (err) => {
        lost.abort(err);
        // Queries of the source step wait on this connection; destroying it makes them fail now.
        mysqlConn?.destroy();
      },
    });
    watch.start();
    let totals: SourceTotals;
    try {
      await beginSnapshot(mysqlConn);
      await checkSourceSchema(mysqlConn, target, database, SOURCE_TABLES);
      throwIfCancelled(signal, 'Pipeline run');
      totals = await readSourceTotals(mysqlConn, SOURCE_TABLES);
    } catch (err) {
      throw mapSourceError(err, target, database);
    }
    const sourceRows = Object.values(totals.counts).reduce((a, b) => a + b, 0);
    end(`${describeTarget(target, database)}: ${SOURCE_TABLES.length} tables, ${sourceRows} rows`, sourceRows);

    // Extract
    begin('extract', 0.05);
    duck = (await staging).duck;
    let extracted = 0;
    const route = options.extractWith ?? 'auto';
    const client = await chooseClient(route, target);
    const routes = new Set<string>();
    for (const table of SOURCE_TABLES) {
      const t0 = performance.now();
      // Starting a client process costs ~50 ms, more than streaming a small table through the open connection.
      const viaClient = client !== undefined && (route === 'client' || totals.counts[table.name] >= CLIENT_MIN_ROWS);
      routes.add(viaClient ? `${path.basename(client!)} client` : 'mysql2 stream');
      const rows = viaClient
        ? await extractTableViaClient(duck, table, { client: client!, target, database, dir: path.join(runDir, 'extract'), signal })
        : await extractTable(mysqlConn, duck, table, {
          target, database, signal,
          onAlive: () => watch?.alive(),
          onRows: (n) => progress({ message: `Extract ${table.name}: ${n} rows`, fraction: 0.05 + 0.6 * ((extracted + n) / Math.max(sourceRows, 1)) }),
        });
      watch.alive();
      progress({ message: `Extracted ${table.name}`, fraction: 0.05 + 0.6 * ((extracted + rows) / Math.max(sourceRows, 1)) });
      extracted += rows;
      emit({ kind: 'table', step: 'extract', table: table.name, rows, durationMs: performance.now() - t0 });
    }
    watch.stop();
    mysqlConn.destroy(); // ends the snapshot; nothing more is read from the source
    mysqlConn = undefined;
    end(`${extracted} rows from ${SOURCE_TABLES.length} tables via ${[...routes].join(' and ')}`, extracted);

    // Transform: each model SELECT becomes a table named after it, visible to the models after it.
    begin('transform', 0.65);
    const d = duck;
    const modelRows: Record<string, number> = {};
    for (const file of model) {
      const t0 = performance.now();
      await interruptible(d, signal, async () => {
        try {
          await d.run(`create or replace table "${file.table}" as ${file.sql}`);
        } catch (err) {
          throw new LabError('queryFailed', `The model ${path.basename(file.file)} failed in DuckDB: ${(err as Error).message}`, { cause: err });
        }
      });
      const reader = await d.runAndReadAll(`select count(*) from "${file.table}"`);
      modelRows[file.table] = Number(reader.getRows()[0][0]);
      emit({ kind: 'table', step: 'transform', table: file.table, rows: modelRows[file.table], durationMs: performance.now() - t0 });
    }
    // The source copies are no longer needed; freeing them lowers the run's peak memory before the Parquet writes.
    for (const table of SOURCE_TABLES) await d.run(`drop table if exists "${table.name}"`);
    end(`${model.length} tables, ${modelRows.fact_orders ?? 0} fact rows`, modelRows.fact_orders);

    // Load: Parquet into the temp folder.
    begin('load', 0.8);
    const tables: LakeManifest['tables'] = {};
    for (const table of MODEL_TABLES) {
      const t0 = performance.now();
      const dir = path.join(stagedGold, table);
      const file = path.join(dir, 'part-0.parquet');
      try {
        await fs.mkdir(dir, { recursive: true });
        await interruptible(d, signal, () => d.run(`copy ${loadSource(table)} to ${sqlString(file)} (format parquet, compression zstd)`));
      } catch (err) {
        if (isCancelled(err)) throw err;
        throw notWritable(lakeDir, err);
      }
      // Size and SHA-256 of each file, so opening the lake can spot a truncated file and Verify Lake a changed one.
      const part = await describePart(dir, path.basename(file));
      const bytes = part.bytes;
      tables[table] = { rows: modelRows[table], files: 1, bytes, parts: [part] };
      emit({ kind: 'table', step: 'load', table, rows: modelRows[table], bytes, durationMs: performance.now() - t0 });
    }
    const totalBytes = Object.values(tables).reduce((a, t) => a + t.bytes, 0);
    end(`${MODEL_TABLES.length} Parquet files, ${totalBytes} bytes`, modelRows.fact_orders);

    // Reconcile what was written (read back from Parquet) against the source snapshot.
    begin('reconcile', 0.92);
    const checks = await interruptible(d, signal, () =>
      reconcile(d, (table) => `read_parquet(${sqlString(path.join(stagedGold, table, 'part-0.parquet'))})`, totals));
    for (const check of checks) emit({ kind: 'check', check });
    if (checks.some((c) => !c.ok)) throw new ReconcileError(checks);
    end(`${checks.length} checks passed`);

    const { version } = await import('@duckdb/node-api');
    const manifest: LakeManifest = {
      runId,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      model: 'star-v1',
      engine: { name: 'duckdb', version: version() },
      source: { host: target.host, port: target.port, database, counts: totals.counts, orderAmountTotal: totals.orderAmountTotal },
      tables,
      checks,
      ok: true,
    };
    throwIfCancelled(signal, 'Pipeline run');
    try {
      await fs.writeFile(path.join(stagedGold, '_manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    } catch (err) {
      throw notWritable(lakeDir, err);
    }
    await swapInGold(lakeDir, stagedGold, runId);
    const durationMs = performance.now() - runStart;
    emit({ kind: 'runFinished', ok: true, durationMs, message: `Pipeline succeeded: ${modelRows.fact_orders} fact rows, total ${totals.orderAmountTotal}, ${checks.length} checks passed.` });
    progress({ message: 'Done', fraction: 1 });
    return { manifest, steps, durationMs };
  } catch (err) {
    // A lost source surfaces in the step as a cancel (its signal fired); report why the run really stopped.
    const e = lost.signal.aborted && !options.signal?.aborted ? toLabError(lost.signal.reason) : toLabError(err);
    if (current) {
      const result: StepResult = {
        step: current.step,
        status: isCancelled(e) ? 'cancelled' : 'failed',
        durationMs: performance.now() - current.start,
        summary: e.message,
      };
      steps.push(result);
      emit({ kind: 'stepFinished', ...result });
    }
    failure = e;
    emit({ kind: 'runFinished', ok: false, durationMs: performance.now() - runStart, message: isCancelled(e) ? 'Pipeline cancelled; the previous lake was kept.' : `Pipeline failed: ${e.message}` });
    options.log?.info(`Pipeline run ${runId} failed: ${e.message}`);
    throw e;
  } finally {
    watch?.stop();
    mysqlConn?.destroy();
    try {
      const opened = await staging?.catch(() => undefined);
      opened?.duck.closeSync();
      opened?.instance.closeSync();
    } catch {
      // Closing after an interrupt can fail; the instance is dropped either way.
    }
    // Only the lock holder touches the lake: a run refused by the lock leaves no trace in it.
    if (release) {
      await fs.rm(runDir, { recursive: true, force: true }).catch((err: unknown) =>
        options.log?.warn(`Pipeline run ${runId} could not remove ${runDir}: ${(err as Error).message}`));
      await recordRun(lakeDir, runId, started, clock, steps, failure, options).catch((err: unknown) =>
        options.log?.warn(`Pipeline run ${runId} could not be recorded in the run log: ${(err as Error).message}`));
      await release();
      const left = await leftoverRunDirs(lakeDir);
      if (left.length > 0) options.log?.warn(`Pipeline run ${runId} left ${left.join(', ')} in ${lakeDir}`);
    }
  }
}

/** Appends the finished run, whatever its outcome, to the lake's run log. */
async function recordRun(lakeDir: string, runId: string, started: Date, clock: Clock, steps: StepResult[], failure: LabError | undefined,
  options: PipelineOptions): Promise<void> {
  const finished = clock.now();
  await appendRunRecord(lakeDir, {
    runId,
    startedAt: started.toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started.getTime(),
    status: !failure ? 'ok' : isCancelled(failure) ? 'cancelled' : 'failed',
    message: !failure ? 'Pipeline succeeded.' : isCancelled(failure) ? 'Pipeline cancelled; the previous lake was kept.' : `Pipeline failed: ${failure.message}`,
    steps,
    origin: options.origin ?? 'core',
    pid: process.pid,
  });
}

/** The in-memory staging DuckDB; beyond its memory limit it spills into the run's temp folder. */
async function openStaging(spillDir: string): Promise<{ instance: DuckDBInstance; duck: DuckDBConnection }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', {
    temp_directory: spillDir,
    memory_limit: '1GB',
    preserve_insertion_order: 'true',
  });
  return { instance, duck: await instance.connect() };
}

/** The client binary to extract with, or undefined for the mysql2 route. */
async function chooseClient(choice: 'auto' | 'client' | 'driver', target: MysqlTarget): Promise<string | undefined> {
  if (choice === 'driver') return undefined;
  const client = await findMysqlClient();
  if (choice === 'client') {
    if (!client) throw new LabError('config', 'The MariaDB/MySQL command-line client is not installed, so the client extraction route is not available.');
    return client;
  }
  return client && !usesTls(target) ? client : undefined;
}

export function stepLabel(step: PipelineStep): string {
  return { source: 'Source', extract: 'Extract', transform: 'Transform', load: 'Load', reconcile: 'Reconcile' }[step];
}
