import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Connection } from 'mysql2';
import type { Clock } from '../clock';
import type { MysqlTarget } from '../config';
import { CancelledError, LabError, isCancelled, throwIfCancelled } from '../errors';
import { connectionEngine } from '../query/connectionEngine';
import { sqlIdent, sqlLiteral } from '../query/sqlText';
import { quoteIdent } from '../source/sql';
import { usesTls } from '../source/target';
import {
  beginSnapshot, changedDuringRun, checkSourceSchema, extractTable, readSourceTotals, readUpdateTimes, stageTableDdl, type SourceTotals, type UpdateTimes,
} from './extract';
import { extractTableViaClient, RANGE_KEYS, rangeParts, type ExtractPart } from './extractClient';
import { findMysqlClient } from '../source/mysqlClient';
import { notWritable, recoverLake, swapInGold } from './lakeFiles';
import { readLakeManifest } from './manifest';
import type { ReconcileCheck } from '../run/checks';
import { MODEL_TABLES, type LakeManifest } from '../run/manifest';
import { describeShrink } from '../run/shrink';
import { loadDataTests, type DataTest } from '../model/tests';
import { runDataTests, testCheck } from './dataTests';
import type { DataTestResult } from '../run/manifest';
import { loadModel, type ModelFile } from './model';
import { stepLabel, type PipelineEvent, type PipelineStep, type StepResult } from '../run/events';
import type { AnswerRecorder, PipelineOptions } from './options';
import { reconcile, ReconcileError } from './reconcile';
import { lakeShrink } from './shrink';
import { connectSource, describeTarget, mapSourceError, queryRows } from './source';
import { SOURCE_TABLES, type SourceTable } from './sourceSchema';
import { SourceWatch } from './sourceWatch';
import { describePart } from './verify';

/**
 * The steps of a local pipeline run, one function each over a shared RunContext; runPipeline (pipeline.ts) runs them
 * in order and records what happened.
 */

const DEFAULT_STALL_MS = 60_000;

/** Tables with fewer source rows go through the driver even when the client route is on. */
const CLIENT_MIN_ROWS = 50_000;

/**
 * Client streams at once: each is a server thread, a client process and a DuckDB reader. One: on 2 cores one stream
 * extracted faster than two, with less CPU (the work is CPU-bound over server, client and parser, so a second stream
 * only competes; figures in bench/results-notes.md). More cores: raise it.
 */
export const CLIENT_STREAMS = 1;

/**
 * Runs with fewer fact rows record no dashboard answers: on a small lake recording is a large share of the run (nine
 * small queries, each mostly planning) while the dashboard answers cold quickly anyway (figures in
 * bench/results-notes.md).
 */
export const RECORD_MIN_FACT_ROWS = 100_000;

/** Client tables with at least this many rows are read in key ranges, one stream per range (RANGE_KEYS). */
export const SPLIT_MIN_ROWS = 500_000;

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

/**
 * What the load step writes for a table. Facts are written in order-date order, so each Parquet row group (and each
 * in-memory row group of an engine that copies the lake) covers a short date range and date filters skip the rest
 * by their min/max statistics; order number and line make the order (and the file) deterministic.
 */
function loadSource(table: string): string {
  return table === 'fact_orders'
    ? `(select * from "fact_orders" order by orderDate, orderNumber, orderLineNumber)`
    : sqlIdent(table);
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

/** Source: one connection, one consistent snapshot for the checks, the totals and every extracted row. */
export async function sourceStep(ctx: RunContext): Promise<StepOutcome> {
  const { target, database } = ctx;
  const conn = await connectSource(target, database);
  ctx.mysqlConn = conn;
  ctx.watch = new SourceWatch(conn, {
    clock: ctx.clock, target, database,
    stallMs: ctx.options.stallTimeoutMs ?? DEFAULT_STALL_MS,
    onFail: (err) => {
      ctx.lost.abort(err);
      // Queries of the source step wait on this connection; destroying it makes them fail now.
      ctx.mysqlConn?.destroy();
    },
  });
  ctx.watch.start();
  try {
    ctx.updateTimes = await readUpdateTimes(conn, database, SOURCE_TABLES);
    await beginSnapshot(conn);
    await checkSourceSchema(conn, target, database, SOURCE_TABLES);
    throwIfCancelled(ctx.signal, 'Pipeline run');
    ctx.totals = await readSourceTotals(conn, SOURCE_TABLES);
  } catch (err) {
    throw mapSourceError(err, target, database);
  }
  const sourceRows = Object.values(ctx.totals.counts).reduce((a, b) => a + b, 0);
  return { summary: `${describeTarget(target, database)}: ${SOURCE_TABLES.length} tables, ${sourceRows} rows`, rows: sourceRows };
}

/**
 * Before anything is extracted: a run that would replace the lake with one keeping less than half of its fact rows
 * goes on only when the caller confirms it (PipelineOptions.confirmShrink). The snapshot's counts are what the new lake
 * will hold (reconciliation fails any run whose facts differ from them) and the run lock keeps any other run from
 * publishing meanwhile, so asking now, before the long part, asks about what would be published.
 */
export async function confirmShrink(ctx: RunContext): Promise<void> {
  const previous = await readLakeManifest(ctx.lakeDir).catch(() => undefined);
  const shrink = lakeShrink(ctx.lakeDir, previous, {
    factRows: ctx.totals!.counts.orderdetails ?? 0, orderAmountTotal: ctx.totals!.orderAmountTotal, database: ctx.database,
  });
  if (!shrink) return;
  const ask = ctx.options.confirmShrink;
  if (!ask) {
    throw new LabError('lakeWouldShrink', `${describeShrink(shrink)} Replacing it was not confirmed, so the previous lake was kept.`, {
      nextStep: { label: 'Run the pipeline again and confirm replacing the lake', command: 'lifecycleLab.pipeline.run' },
    });
  }
  ctx.progress({ message: 'Waiting for confirmation to replace the lake' });
  if (!(await ask(shrink))) throw new CancelledError('Replacing the lake');
  ctx.options.log?.info(`Pipeline run ${ctx.runId}: confirmed. ${describeShrink(shrink)}`);
}

/**
 * Extract: every source table into the staging DuckDB. Small tables stream through the snapshot connection; big ones,
 * when a client is installed, through CLIENT_STREAMS MariaDB client streams at once (the biggest in key ranges), while
 * the small ones stream. Client streams read outside the snapshot, so afterwards every table read that way must have
 * the snapshot's row count and no commit since the snapshot began; otherwise the source changed mid-run and the run fails.
 */
export async function extractStep(ctx: RunContext): Promise<StepOutcome> {
  const { target, database, totals, watch } = ctx;
  const conn = ctx.mysqlConn!;
  const staging = await ctx.staging!;
  const duck = staging.duck;
  ctx.duck = duck;
  const counts = totals!.counts;
  const sourceRows = Object.values(counts).reduce((a, b) => a + b, 0);
  const route = ctx.options.extractWith ?? 'auto';
  const client = await chooseClient(route, target);
  // Starting a client process costs more than streaming a small table through the open connection (bench/pipeline.md).
  const viaClient = (table: SourceTable) => client !== undefined && (route === 'client' || counts[table.name] >= CLIENT_MIN_ROWS);
  const clientTables = SOURCE_TABLES.filter(viaClient);
  const driverTables = SOURCE_TABLES.filter((t) => !viaClient(t));

  // The key ranges come from the snapshot; a row outside them when a stream runs still falls in an open end range.
  const jobs: { table: SourceTable; part?: ExtractPart; rows: number }[] = [];
  for (const table of clientTables) {
    const key = RANGE_KEYS[table.name];
    if (key === undefined || counts[table.name] < SPLIT_MIN_ROWS) {
      jobs.push({ table, rows: counts[table.name] });
      continue;
    }
    const [[min, max]] = await queryRows(conn, `select min(${quoteIdent(key)}), max(${quoteIdent(key)}) from ${quoteIdent(table.name)}`).catch((err: unknown) => {
      throw mapSourceError(err, target, database);
    });
    await duck.run(stageTableDdl(table));
    const parts = min === null ? [{ index: 0 }] : rangeParts(key, Number(min), Number(max), CLIENT_STREAMS);
    for (const part of parts) jobs.push({ table, part, rows: counts[table.name] / parts.length });
  }
  // Smallest first: measured, a wide table staged after a big one cost DuckDB several times the CPU it costs first
  // (bench/results-notes.md), and the big table's equal ranges, last, end close together.
  jobs.sort((a, b) => a.rows - b.rows);

  // One failing stream stops the others; the run then reports the first failure, not the stops it caused.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  let failure: unknown;
  const lane = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      failure ??= err;
      stop.abort();
    }
  };
  const extracted: Record<string, number> = {};
  const started: Record<string, number> = {};
  const partsLeft: Record<string, number> = {};
  for (const job of jobs) partsLeft[job.table.name] = (partsLeft[job.table.name] ?? 0) + 1;
  let rowsSoFar = 0;
  const fraction = (rows: number) => 0.05 + 0.6 * (rows / Math.max(sourceRows, 1));
  const finished = (table: string, rows: number) => {
    extracted[table] = (extracted[table] ?? 0) + rows;
    rowsSoFar += rows;
    watch?.alive();
    if (--partsLeft[table] > 0) return;
    ctx.progress({ message: `Extracted ${table}`, fraction: fraction(rowsSoFar) });
    ctx.emit({ kind: 'table', step: 'extract', table, rows: extracted[table], durationMs: performance.now() - started[table] });
  };

  const driverLane = lane(async () => {
    for (const table of driverTables) {
      started[table.name] = performance.now();
      partsLeft[table.name] = 1;
      const rows = await extractTable(conn, duck, table, {
        target, database, signal,
        onAlive: () => watch?.alive(),
        onRows: (n) => ctx.progress({ message: `Extract ${table.name}: ${n} rows`, fraction: fraction(rowsSoFar + n) }),
      });
      finished(table.name, rows);
    }
  });
  const clientLanes = Array.from({ length: Math.min(CLIENT_STREAMS, jobs.length) }, () => lane(async () => {
    // Each stream appends through its own DuckDB connection: appends to one table from several connections do not conflict.
    const laneDuck = await staging.instance.connect();
    try {
      for (let job = jobs.shift(); job && !stop.signal.aborted; job = jobs.shift()) {
        started[job.table.name] ??= performance.now();
        const rows = await extractTableViaClient(laneDuck, job.table, {
          client: client!, target, database, dir: path.join(ctx.runDir, 'extract'), signal, part: job.part,
        });
        finished(job.table.name, rows);
      }
    } finally {
      laneDuck.closeSync();
    }
  }));
  await Promise.all([driverLane, ...clientLanes]);
  throwIfCancelled(ctx.signal, 'Pipeline run');
  if (failure !== undefined) throw failure;

  if (clientTables.length > 0) {
    const after = await readUpdateTimes(conn, database, SOURCE_TABLES).catch((err: unknown) => {
      throw mapSourceError(err, target, database);
    });
    const changed = changedDuringRun(clientTables.map((t) => t.name), counts, extracted, ctx.updateTimes ?? {}, after);
    if (changed.length > 0) {
      throw new LabError('reconcileFailed',
        `The source changed while it was extracted (${changed.join('; ')}), so the lake would mix two states of it. The previous lake was kept.`,
        { nextStep: { label: 'Run the pipeline again once the source is quiet', command: 'lifecycleLab.pipeline.run' } });
    }
  }
  watch?.stop();
  conn.destroy(); // ends the snapshot; nothing more is read from the source
  ctx.mysqlConn = undefined;
  const total = Object.values(extracted).reduce((a, b) => a + b, 0);
  const routes = [
    ...(clientTables.length > 0 ? [`${path.basename(client!)} client (${Math.min(CLIENT_STREAMS, clientTables.length)} streams at once)`] : []),
    ...(driverTables.length > 0 ? ['mysql2 stream'] : []),
  ];
  return { summary: `${total} rows from ${SOURCE_TABLES.length} tables via ${routes.join(' and ')}`, rows: total };
}

/** Transform: each model SELECT becomes a table named after it, visible to the models after it. */
export async function transformStep(ctx: RunContext): Promise<StepOutcome> {
  const d = ctx.duck!;
  for (const file of ctx.model) {
    const t0 = performance.now();
    // CREATE TABLE AS answers with the number of rows it wrote: no second scan to count them.
    const created = await interruptible(d, ctx.signal, async () => {
      try {
        return await d.runAndReadAll(`create or replace table ${sqlIdent(file.table)} as ${file.sql}`);
      } catch (err) {
        throw new LabError('queryFailed', `The model ${path.basename(file.file)} failed in DuckDB: ${(err as Error).message}`, { cause: err });
      }
    });
    ctx.modelRows[file.table] = Number(created.getRows()[0][0]);
    ctx.emit({ kind: 'table', step: 'transform', table: file.table, rows: ctx.modelRows[file.table], durationMs: performance.now() - t0 });
  }
  // The source copies are no longer needed; freeing them lowers the run's peak memory before the Parquet writes.
  for (const table of SOURCE_TABLES) await d.run(`drop table if exists ${sqlIdent(table.name)}`);
  return { summary: `${ctx.model.length} models, ${ctx.modelRows.fact_orders ?? 0} fact rows`, rows: ctx.modelRows.fact_orders };
}

/**
 * Load: one Parquet file per star table into the temp folder, with its size and SHA-256. Snappy, Spark's default
 * codec: at scale 1000 it wrote the facts faster than zstd and the dashboard's heavy questions read them faster, for
 * more bytes (figures in bench/results-notes.md); a local lake is read far more often than it is stored.
 */
export async function loadStep(ctx: RunContext): Promise<StepOutcome> {
  const d = ctx.duck!;
  // Stopped when a write fails, so no query is left running on the staging database as the run closes it.
  const stopRecording = new AbortController();
  const { recordAnswers, recordDashboard: choice = 'auto' } = ctx.options;
  const record = choice === 'always' || (choice === 'auto' && (ctx.modelRows.fact_orders ?? 0) >= RECORD_MIN_FACT_ROWS);
  const recording = recordAnswers && record
    ? recordAnswersBesideWrites(ctx, recordAnswers, AbortSignal.any([ctx.signal, stopRecording.signal]))
    : Promise.resolve(undefined);
  try {
    await writeParquetFiles(ctx, d);
  } catch (err) {
    stopRecording.abort();
    await recording;
    throw err;
  }
  ctx.dashboard = await recording;
  const totalBytes = Object.values(ctx.tables).reduce((a, t) => a + t.bytes, 0);
  return { summary: `${MODEL_TABLES.length} Parquet files, ${totalBytes} bytes`, rows: ctx.modelRows.fact_orders };
}

async function writeParquetFiles(ctx: RunContext, d: DuckDBConnection): Promise<void> {
  for (const table of MODEL_TABLES) {
    const t0 = performance.now();
    const dir = path.join(ctx.stagedGold, table);
    const file = path.join(dir, 'part-0.parquet');
    try {
      await fs.mkdir(dir, { recursive: true });
      await interruptible(d, ctx.signal, () => d.run(`copy ${loadSource(table)} to ${sqlLiteral(file)} (format parquet, compression snappy)`));
    } catch (err) {
      if (isCancelled(err)) throw err;
      throw notWritable(ctx.lakeDir, err);
    }
    // Size and SHA-256 of each file, so opening the lake can spot a truncated file and Verify Lake a changed one.
    const part = await describePart(dir, path.basename(file));
    ctx.tables[table] = { rows: ctx.modelRows[table], files: 1, bytes: part.bytes, parts: [part] };
    ctx.emit({ kind: 'table', step: 'load', table, rows: ctx.modelRows[table], bytes: part.bytes, durationMs: performance.now() - t0 });
  }
}

/**
 * The recorder's answers (the dashboard's filter options and fixed answers), asked of the new star tables on a
 * connection of their own while the Parquet files are written (the tables are only read from now on). Optional: if it
 * fails, the run goes on and the dashboard asks the lake itself; a cancel interrupts it.
 */
async function recordAnswersBesideWrites(ctx: RunContext, recordAnswers: AnswerRecorder, signal: AbortSignal): Promise<LakeManifest['dashboard']> {
  const { instance } = await ctx.staging!;
  const connection = await instance.connect();
  const onAbort = () => connection.interrupt();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await recordAnswers(connectionEngine(connection, 'the run\'s staging DuckDB'), signal);
  } catch (err) {
    if (!signal.aborted) ctx.options.log?.warn(`Pipeline run ${ctx.runId}: the dashboard's answers were not recorded: ${(err as Error).message}`);
    return undefined;
  } finally {
    signal.removeEventListener('abort', onAbort);
    connection.closeSync();
  }
}

/** What the reconcile step found: the pipeline's own checks and the declared data tests' results. */
export interface Reconciled {
  checks: ReconcileCheck[];
  tests: DataTestResult[];
}

/**
 * Reconcile what was written (read back from Parquet) against the source snapshot, then run the declared data tests
 * on it. A failed check or a failed `error` test fails the run and keeps the previous lake; a `warn` test is reported.
 * The manifest's checks list both, so every surface that lists checks shows the tests.
 */
export async function reconcileStep(ctx: RunContext): Promise<Reconciled> {
  const d = ctx.duck!;
  const written = (table: string) => `read_parquet(${sqlLiteral(path.join(ctx.stagedGold, table, 'part-0.parquet'))})`;
  const reconciled = await interruptible(d, ctx.signal, () => reconcile(d, written, ctx.totals!));
  for (const check of reconciled) ctx.emit({ kind: 'check', check });
  const tests = await runTestsOnWritten(ctx, written);
  const checks = [...reconciled, ...tests.map(testCheck)];
  for (const check of checks.slice(reconciled.length)) ctx.emit({ kind: 'check', check });
  if (checks.some((c) => !c.ok)) throw new ReconcileError(checks);
  return { checks, tests };
}

/**
 * The declared tests on the tables as written: the published tables are views over their new Parquet files in a
 * schema searched first, so each test's SQL, the same text the Glue job runs, reads them by name (staging models
 * from the in-memory tables behind them).
 */
async function runTestsOnWritten(ctx: RunContext, written: (table: string) => string): Promise<DataTestResult[]> {
  if (ctx.dataTests.length === 0) return [];
  const { instance } = await ctx.staging!;
  const connection = await instance.connect();
  try {
    await connection.run('create schema if not exists written');
    for (const table of MODEL_TABLES) await connection.run(`create or replace view written.${sqlIdent(table)} as select * from ${written(table)}`);
    await connection.run("set search_path = 'written,main'");
    return await interruptible(connection, ctx.signal, () =>
      runDataTests(connectionEngine(connection, 'the run\'s staging DuckDB'), ctx.dataTests, ctx.signal));
  } finally {
    connection.closeSync();
  }
}

/** Writes the manifest beside the new tables and swaps the new gold folder in. */
export async function publish(ctx: RunContext, { checks, tests }: Reconciled): Promise<LakeManifest> {
  const { version } = await import('@duckdb/node-api');
  const manifest: LakeManifest = {
    runId: ctx.runId,
    startedAt: ctx.started.toISOString(),
    finishedAt: new Date(ctx.clock.now()).toISOString(),
    model: 'star-v1',
    engine: { name: 'duckdb', version: version() },
    source: { host: ctx.target.host, port: ctx.target.port, database: ctx.database, counts: ctx.totals!.counts, orderAmountTotal: ctx.totals!.orderAmountTotal },
    tables: ctx.tables,
    checks,
    tests,
    ok: true,
    ...(ctx.dashboard ? { dashboard: ctx.dashboard } : {}),
  };
  throwIfCancelled(ctx.signal, 'Pipeline run');
  try {
    await fs.writeFile(path.join(ctx.stagedGold, '_manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    throw notWritable(ctx.lakeDir, err);
  }
  await swapInGold(ctx.lakeDir, ctx.stagedGold, ctx.runId);
  return manifest;
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
 * The in-memory staging DuckDB; beyond its memory limit it spills into the run's temp folder. The limit keeps the
 * run's peak RSS at scale 1000 under the 1 GB goal, which a 1GB limit did not (bench/pipeline.md, 2026-11-30).
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

/** The client binary to extract with, or undefined for the mysql2 route. */
async function chooseClient(choice: 'auto' | 'client' | 'driver', target: MysqlTarget): Promise<string | undefined> {
  if (choice === 'driver') return undefined;
  const client = findMysqlClient();
  if (choice === 'client') {
    if (!client) throw new LabError('config', 'The MariaDB/MySQL command-line client is not installed, so the client extraction route is not available.');
    return client;
  }
  return client && !usesTls(target) ? client : undefined;
}
