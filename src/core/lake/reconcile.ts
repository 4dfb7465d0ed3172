import type { DuckDBConnection } from '@duckdb/node-api';
import { LabError } from '../errors';
import type { ReconcileCheck } from './manifest';
import type { SourceTotals } from './extract';

/** Parses an exact decimal string ("9604190.61", "-3.5", "12") to integer cents; undefined when not a decimal with at most 2 places. */
export function toCents(text: string): bigint | undefined {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const cents = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

/** Formats cents back as a decimal string with two places. */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Where the reconciliation reads each table: a Parquet file just written (so the checks see what was stored). */
export type TableSource = (table: string) => string;

async function scalar(duck: DuckDBConnection, sql: string): Promise<string> {
  const reader = await duck.runAndReadAll(sql);
  const value = reader.getRows()[0]?.[0];
  return value === null || value === undefined ? '' : String(value);
}

function check(name: string, expected: string, actual: string, ok: boolean, what: string): ReconcileCheck {
  return { name, ok, expected, actual, message: ok ? `${what}: ${actual}` : `${what}: expected ${expected}, got ${actual}` };
}

const DIMENSION_KEYS = [
  { table: 'dim_customers', key: 'customerNumber' },
  { table: 'dim_products', key: 'productCode' },
  { table: 'dim_locations', key: 'locationKey' },
] as const;

/**
 * The run's reconciliation: the lake against the source totals read in the extraction snapshot.
 * Every check is computed (none short-circuits) so the manifest shows the whole picture.
 */
export async function reconcile(duck: DuckDBConnection, from: TableSource, source: SourceTotals): Promise<ReconcileCheck[]> {
  const checks: ReconcileCheck[] = [];
  const fact = from('fact_orders');

  const expectedRows = String(source.counts.orderdetails ?? 0);
  const factRows = await scalar(duck, `select count(*) from ${fact}`);
  checks.push(check('fact_rows_match_source', expectedRows, factRows, factRows === expectedRows, 'fact_orders rows = source orderdetails rows'));

  const lakeTotal = await scalar(duck, `select cast(coalesce(sum(orderAmount), 0) as varchar) from ${fact}`);
  const lakeCents = toCents(lakeTotal);
  const sourceCents = toCents(source.orderAmountTotal);
  checks.push(check('order_amount_matches_source',
    sourceCents === undefined ? source.orderAmountTotal : formatCents(sourceCents),
    lakeCents === undefined ? lakeTotal : formatCents(lakeCents),
    lakeCents !== undefined && lakeCents === sourceCents,
    'SUM(orderAmount) = source SUM(quantityOrdered × priceEach)'));

  for (const { table, key } of DIMENSION_KEYS) {
    const orphans = await scalar(duck,
      `select count(*) from ${fact} f left join ${from(table)} d on f.${key} = d.${key} where d.${key} is null`);
    checks.push(check(`fact_${key}_in_${table}`, '0', orphans, orphans === '0', `fact_orders rows whose ${key} has no ${table} row`));
  }

  for (const { table, key } of DIMENSION_KEYS) {
    const duplicates = await scalar(duck,
      `select count(*) - count(distinct ${key}) + count(*) filter (where ${key} is null) from ${from(table)}`);
    checks.push(check(`${table}_${key}_unique`, '0', duplicates, duplicates === '0', `duplicate or null ${key} values in ${table}`));
  }
  return checks;
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
