import * as path from 'node:path';
import type { MysqlTarget } from '../config';
import { asError, CancelledError, LabError, throwIfCancelled } from '../errors';
import { quoteIdent } from '../source/sql';
import { usesTls } from '../source/target';
import { beginSnapshot, changedDuringRun, checkSourceSchema, extractTable, readSourceTotals, readUpdateTimes, stageTableDdl } from './extract';
import { extractTableViaClient, RANGE_KEYS, rangeParts, type ExtractPart } from './extractClient';
import { findMysqlClient } from '../source/mysqlClient';
import { readLakeManifest } from './manifest';
import { describeShrink } from '../run/shrink';
import { lakeShrink } from './shrink';
import { connectSource, describeTarget, mapSourceError, queryRows } from './source';
import { SOURCE_TABLES, type SourceTable } from './sourceSchema';
import { SourceWatch } from './sourceWatch';
import type { RunContext, StepOutcome } from './runContext';

/** The steps that read the source: one consistent snapshot, the shrink confirmation, and the extraction into DuckDB. */

const DEFAULT_STALL_MS = 60_000;

/** Tables with fewer source rows go through the driver even when the client route is on. */
const CLIENT_MIN_ROWS = 50_000;

/**
 * Client streams at once: each is a server thread, a client process and a DuckDB reader. One: on 2 cores one stream
 * extracted faster than two, with less CPU (the work is CPU-bound over server, client and parser, so a second stream
 * only competes; figures in bench/results-notes.md). More cores: raise it.
 */
export const CLIENT_STREAMS = 1;

/** Client tables with at least this many rows are read in key ranges, one stream per range (RANGE_KEYS). */
export const SPLIT_MIN_ROWS = 500_000;

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
  const client = chooseClient(route, target);
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
  let failure: Error | undefined;
  const lane = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      failure ??= asError(err);
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

/** The client binary to extract with, or undefined for the mysql2 route. */
function chooseClient(choice: 'auto' | 'client' | 'driver', target: MysqlTarget): string | undefined {
  if (choice === 'driver') return undefined;
  const client = findMysqlClient();
  if (choice === 'client') {
    if (!client) throw new LabError('config', 'The MariaDB/MySQL command-line client is not installed, so the client extraction route is not available.');
    return client;
  }
  return client && !usesTls(target) ? client : undefined;
}
