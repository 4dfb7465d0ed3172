import type { DuckDBConnection } from '@duckdb/node-api';
import { LabError } from '../errors';
import type { ReconcileCheck } from '../run/checks';
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

/** The first row of a query, each value as text ('' for NULL). */
async function row(duck: DuckDBConnection, sql: string): Promise<string[]> {
  const reader = await duck.runAndReadAll(sql);
  return (reader.getRows()[0] ?? []).map((value) => (value === null || value === undefined ? '' : String(value)));
}

function check(name: string, expected: string, actual: string, ok: boolean, what: string): ReconcileCheck {
  return { name, ok, expected, actual, message: ok ? `${what}: ${actual}` : `${what}: expected ${expected}, got ${actual}` };
}

/**
 * The run's reconciliation: the lake against the source totals read in the extraction snapshot, the pipeline's own
 * checks. Keys, orphans and duplicates are declared data tests (glue/sql/schema.yml, run by dataTests.ts).
 * Both checks are computed (neither short-circuits) so the manifest shows the whole picture.
 */
export async function reconcile(duck: DuckDBConnection, from: TableSource, source: SourceTotals): Promise<ReconcileCheck[]> {
  const [factRows, lakeTotal] = await row(duck, `select count(*), cast(coalesce(sum(orderAmount), 0) as varchar) from ${from('fact_orders')}`);

  const expectedRows = String(source.counts.orderdetails ?? 0);
  const lakeCents = toCents(lakeTotal);
  const sourceCents = toCents(source.orderAmountTotal);
  return [
    check('fact_rows_match_source', expectedRows, factRows, factRows === expectedRows, 'fact_orders rows = source orderdetails rows'),
    check('order_amount_matches_source',
      sourceCents === undefined ? source.orderAmountTotal : formatCents(sourceCents),
      lakeCents === undefined ? lakeTotal : formatCents(lakeCents),
      lakeCents !== undefined && lakeCents === sourceCents,
      'SUM(orderAmount) = source SUM(quantityOrdered × priceEach)'),
  ];
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
