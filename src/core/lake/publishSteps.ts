import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { throwIfCancelled } from '../errors';
import { connectionEngine } from '../query/connectionEngine';
import { sqlIdent, sqlLiteral } from '../query/sqlText';
import { notWritable, swapInGold } from './lakeFiles';
import type { ReconcileCheck } from '../run/checks';
import { MODEL_TABLES, type LakeManifest } from '../run/manifest';
import { runDataTests, testCheck } from './dataTests';
import type { DataTestResult } from '../run/manifest';
import { reconcile, ReconcileError } from './reconcile';
import { interruptible, type RunContext } from './runContext';

/** The steps that check what was written (reconciliation, declared data tests) and swap it in with its manifest. */

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
  const engine = connectionEngine(connection, 'the run\'s staging DuckDB');
  try {
    await connection.run('create schema if not exists written');
    for (const table of MODEL_TABLES) await connection.run(`create or replace view written.${sqlIdent(table)} as select * from ${written(table)}`);
    await connection.run("set search_path = 'written,main'");
    return await interruptible(connection, ctx.signal, () => runDataTests(engine, ctx.dataTests, ctx.signal));
  } finally {
    await engine.close(); // every test's statement settled before the connection goes
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
