/**
 * One measured pipeline run per process, for either engine: the DuckDB engine (bench/child.ts) and the same job on
 * pyspark (bench/spark_phases.py, one JVM per call), each with the process tree's wall time and peak RSS; and what
 * a lake holds, read back with DuckDB, so two engines' lakes are compared before any ratio.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MysqlTarget } from '../../src/core/config';
import type { DuckRun } from '../child';
import { runMeasured } from '../lib/procTree';

export interface Measured<T> { wallMs: number; peakRssBytes: number; value: T }

export const SPARK_RUN_PHASES = ['sourceTotals', 'jdbcRead', 'transformWrite', 'reconcile', 'publish'] as const;

/** The last JSON line a child printed. */
export const lastJson = <T>(text: string): T | undefined => {
  const line = text.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  return line ? JSON.parse(line) as T : undefined;
};

/** The path of the compiled child entry (out/bench/child.js), beside this section's folder. */
export const childScript = path.join(__dirname, '..', 'child.js');

export async function duckRun(database: string, lakeDir: string, runs = 1): Promise<Measured<DuckRun>> {
  const r = await runMeasured(process.execPath, [childScript, '--pipeline', JSON.stringify({ database, lakeDir, runs })], { timeoutMs: 1_200_000 });
  const value = lastJson<DuckRun>(r.stdout) ?? { ok: false, error: `no result (exit ${r.code}): ${r.stderr.slice(-400)}` } as DuckRun;
  if (!value.ok) throw new Error(`the DuckDB pipeline on ${database} failed: ${value.error}`);
  return { wallMs: r.wallMs, peakRssBytes: r.peakTreeRssBytes, value };
}

export interface SparkRunOut { database: string; phases: Record<string, number>; tables: Record<string, number>; parquetBytes: number }
export interface SparkCall { runs: SparkRunOut[]; spark: string; startup: { jvm: number; session: number } }

export async function sparkRuns(repoRoot: string, target: MysqlTarget, runs: Array<{ database: string; lakeDir: string }>): Promise<Measured<SparkCall>> {
  const args = [path.join(repoRoot, 'bench', 'spark_phases.py'), '--host', target.host, '--port', String(target.port), '--user', target.user,
    ...runs.flatMap((r) => ['--run', `${r.database}=${r.lakeDir}`])];
  const r = await runMeasured('python3', args, { env: { ...process.env, LAB_DB_PASSWORD: target.password }, timeoutMs: 3_600_000 });
  if (r.code !== 0) throw new Error(`pyspark (bench/spark_phases.py) failed, exit ${r.code}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines.pop() as { spark: string; startup: SparkCall['startup'] };
  return { wallMs: r.wallMs, peakRssBytes: r.peakTreeRssBytes, value: { runs: lines as unknown as SparkRunOut[], spark: last.spark, startup: last.startup } };
}

/** Why pyspark cannot run here, or undefined when it can. */
export function sparkAvailable(repoRoot: string): string | undefined {
  const jar = path.join(repoRoot, 'vendor', 'jars', 'mysql-connector-j-8.4.0.jar');
  if (spawnSync('python3', ['-c', 'import pyspark'], { stdio: 'ignore' }).status !== 0) return 'pyspark is not installed for python3';
  if (spawnSync('sh', ['-c', 'command -v java'], { stdio: 'ignore' }).status !== 0) return 'java is not on PATH';
  if (!fs.existsSync(jar)) return `MySQL Connector/J is not at ${path.relative(repoRoot, jar)}`;
  return undefined;
}

/** What a lake holds: rows per table and the fact table's totals. */
export interface LakeAnswer { tables: Record<string, number>; orderAmount: string; quantity: string }

export async function lakeAnswer(lakeDir: string): Promise<LakeAnswer> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const file = (t: string) => `read_parquet('${path.join(lakeDir, 'gold', t, '*.parquet').replace(/'/g, "''")}')`;
    const tables: Record<string, number> = {};
    for (const t of ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders']) {
      tables[t] = Number((await db.runAndReadAll(`select count(*) from ${file(t)}`)).getRows()[0][0]);
    }
    const [amount, quantity] = (await db.runAndReadAll(`select cast(sum(orderAmount) as varchar), cast(sum(quantityOrdered) as varchar) from ${file('fact_orders')}`)).getRows()[0];
    return { tables, orderAmount: String(amount), quantity: String(quantity) };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

export const answerText = (a: LakeAnswer) => `${Object.entries(a.tables).map(([t, n]) => `${t} ${n}`).join(', ')}; sum(orderAmount) ${a.orderAmount}; sum(quantity) ${a.quantity}`;
