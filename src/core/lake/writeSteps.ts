import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LabError, isCancelled } from '../errors';
import { connectionEngine } from '../query/connectionEngine';
import { sqlIdent, sqlLiteral } from '../query/sqlText';
import { notWritable } from './lakeFiles';
import { MODEL_TABLES, type LakeManifest } from '../run/manifest';
import type { AnswerRecorder } from './options';
import { SOURCE_TABLES } from './sourceSchema';
import { describePart } from './verify';
import { interruptible, type RunContext, type StepOutcome } from './runContext';

/** The steps that build the star tables in the staging DuckDB and write them as Parquet (with the recorded answers). */

/**
 * Runs with fewer fact rows record no dashboard answers: on a small lake recording is a large share of the run (nine
 * small queries, each mostly planning) while the dashboard answers cold quickly anyway (figures in
 * bench/results-notes.md).
 */
export const RECORD_MIN_FACT_ROWS = 100_000;

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
  const engine = connectionEngine(connection, 'the run\'s staging DuckDB');
  try {
    return await recordAnswers(engine, signal);
  } catch (err) {
    if (!signal.aborted) ctx.options.log?.warn(`Pipeline run ${ctx.runId}: the dashboard's answers were not recorded: ${(err as Error).message}`);
    return undefined;
  } finally {
    // The recorder asks several questions at once and may fail at the first: the others settle before the close.
    await engine.close();
    signal.removeEventListener('abort', onAbort);
    connection.closeSync();
  }
}
