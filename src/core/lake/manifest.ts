import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { RecordedDashboard } from '../dashboard/recorded';
import type { DataTestKind, TestSeverity } from '../model/tests';
import type { QueryValue } from '../query/engine';
import type { ReconcileCheck } from '../run/events';

export type { ReconcileCheck } from '../run/events';

/** The tables of the star schema that a run publishes to the lake (the model runs them in its own order, see model.ts). */
export const MODEL_TABLES = ['dim_customers', 'dim_products', 'dim_locations', 'fact_orders'] as const;
export type ModelTable = (typeof MODEL_TABLES)[number];

/** One declared data test's outcome in a run (glue/sql/schema.yml and tests/), as the manifest records it. */
export interface DataTestResult {
  id: string;
  kind: DataTestKind;
  model: string;
  column?: string;
  severity: TestSeverity;
  /** pass: no failing row; fail: failing rows of an error test (the run fails); warn: failing rows of a warn test. */
  status: 'pass' | 'fail' | 'warn';
  failingRows: number;
  /** Up to SAMPLE_ROWS failing rows (core/lake/dataTests.ts), column name to value. */
  sample: Record<string, QueryValue>[];
}

/** A check the views list under its run: it failed, or it is a warn data test that found rows. */
export function isProblem(check: ReconcileCheck): boolean {
  return !check.ok || check.warning === true;
}

/** "13 checks passed" and, when warn tests found rows, "1 warned: <test ids>" (both engines' runs say it so). */
export function checksSummary(checks: readonly ReconcileCheck[]): string {
  const warned = checks.filter((c) => c.warning);
  return `${checks.length} checks passed${warned.length ? `, ${warned.length} warned: ${warned.map((c) => c.name).join(', ')}` : ''}`;
}

/** One file of a lake table as written: name relative to the table folder, size and SHA-256 (hex). */
export interface LakePart {
  file: string;
  bytes: number;
  sha256: string;
}

/** What the manifest records per table. `parts` is absent in manifests written before it was recorded. */
export interface LakeTableStats {
  rows: number;
  files: number;
  bytes: number;
  parts?: LakePart[];
}

/** `<lake>/gold/_manifest.json`: what the last successful run wrote and how it reconciled. */
export interface LakeManifest {
  runId: string;
  startedAt: string;
  finishedAt: string;
  model: 'star-v1';
  engine: { name: string; version: string };
  source: {
    host: string;
    port: number;
    database: string;
    /** Source row counts of the extracted tables. */
    counts: Record<string, number>;
    /** Exact SUM(quantityOrdered * priceEach) of the source, as a decimal string. */
    orderAmountTotal: string;
  };
  tables: Record<string, LakeTableStats>;
  checks: ReconcileCheck[];
  /** The declared data tests (glue/sql/schema.yml, glue/sql/tests) on this run's tables; absent in older manifests. */
  tests?: DataTestResult[];
  ok: boolean;
  /** The dashboard's filter choices and fixed answers over this run's tables; absent in older manifests and the Glue job's. */
  dashboard?: RecordedDashboard;
}

export function goldDir(lakeDir: string): string {
  return path.join(lakeDir, 'gold');
}

export function manifestPath(lakeDir: string): string {
  return path.join(goldDir(lakeDir), '_manifest.json');
}

/** Parquet file of one table, as the local engine writes it. */
export function tableFile(lakeDir: string, table: string): string {
  return path.join(goldDir(lakeDir), table, 'part-0.parquet');
}

/** The manifest of the lake, or undefined when the lake has never been written (or was written by something else). */
export async function readLakeManifest(lakeDir: string): Promise<LakeManifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(manifestPath(lakeDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as LakeManifest;
  if (parsed.model !== 'star-v1' || typeof parsed.tables !== 'object') return undefined;
  return parsed;
}
