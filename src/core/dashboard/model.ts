/**
 * What the dashboard shows, as plain data. Shared by the host (src/webview) and the page (media/dashboard), so this
 * file imports nothing but types and never touches Node or the DOM.
 */
import type { QueryColumn, QueryValue } from '../query/engine';
import type { LakeModel } from './queries';
import type { ProductsQuery, TopProductsFilter } from './parameters';

export type { LakeModel, ProductsQuery, TopProductsFilter, QueryColumn, QueryValue };

/** One per card on the page. */
export type DatasetId =
  | 'lakeStatus'
  | 'kpis'
  | 'salesByCountry'
  | 'salesByProductLine'
  | 'monthlySales'
  | 'filterOptions'
  | 'topProducts'
  | 'products'
  | 'salesDetail';

export const DATASET_IDS: readonly DatasetId[] = [
  'lakeStatus', 'kpis', 'salesByCountry', 'salesByProductLine', 'monthlySales', 'filterOptions', 'topProducts', 'products', 'salesDetail',
];

export type DatasetRequest =
  | { id: 'topProducts'; filter: TopProductsFilter }
  | { id: 'salesDetail'; page: number }
  | { id: 'products'; query: ProductsQuery }
  | { id: Exclude<DatasetId, 'topProducts' | 'salesDetail' | 'products'> };

export interface ReconciliationCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** What the lake's last pipeline run wrote about itself (gold/_manifest.json), as far as the dashboard uses it. */
export interface LakeRunSummary {
  runId: string;
  startedAt?: string;
  finishedAt?: string;
  model?: string;
  engine?: string;
  ok: boolean;
  checks: ReconciliationCheck[];
  /** Order lines in the source at extraction time, when the manifest records them. */
  sourceOrderLines?: number;
}

export interface LakeStatus {
  /** Engine kind, e.g. "duckdb". */
  engine: string;
  /** What the engine reads, e.g. "DuckDB over /repo/.lab/lake/gold". */
  source: string;
  model: LakeModel;
  /** Rows of fact_orders; absent when fact_orders is damaged. */
  factRows?: number;
  /** Distinct (orderNumber, orderLineNumber) in the facts; absent when fact_orders is damaged. */
  orderLines?: number;
  run?: LakeRunSummary;
  /** Tables whose files are not the ones the last run wrote (found when the lake version was opened), sorted; empty when none. */
  damaged: string[];
  /** True when the totals shown are known to be inflated (duplicated fact rows). */
  inflated: boolean;
  warnings: string[];
}

export interface LakeBadge {
  tone: 'ok' | 'failed' | 'neutral';
  text: string;
  /** Tooltip: the damaged tables' next step, or the run's checks. */
  title: string;
}

/**
 * The page header's verdict on the lake. A damaged table outranks the run's reconciliation: the run reconciled the
 * files it wrote, and these are no longer those files.
 */
export function lakeBadge(s: LakeStatus): LakeBadge {
  if (s.damaged.length) {
    return { tone: 'failed', text: `✗ Damaged: ${s.damaged.join(', ')}`,
      title: 'These tables\' files are not the ones the last run wrote. Verify Lake names each file; Run Pipeline rewrites the lake.' };
  }
  if (!s.run) return { tone: 'neutral', text: 'No pipeline run recorded', title: 'The lake has no run manifest' };
  return { tone: s.run.ok ? 'ok' : 'failed', text: s.run.ok ? '✓ Reconciled' : '✗ Reconciliation failed',
    title: s.run.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}`).join('\n') };
}

export interface FilterOptions {
  countries: string[];
  productLines: string[];
  firstOrderDate: string;
  lastOrderDate: string;
}

export interface DatasetPage {
  index: number;
  size: number;
  totalRows: number;
  /**
   * The total is still being counted: `totalRows` is only the rows known so far, and a later result for the same
   * request brings the same page with the total.
   */
  totalPending?: boolean;
}

export interface DatasetResult {
  id: DatasetId;
  title: string;
  /** Every dataset is also a table: the page renders it behind the chart and exports it as CSV. */
  columns: QueryColumn[];
  rows: QueryValue[][];
  /** SQL for "Copy SQL", with the parameter values used in a leading comment. */
  sql: string;
  elapsedMs: number;
  /** Athena: bytes the query scanned and its estimated cost. */
  bytesScanned?: number;
  costUsd?: number;
  page?: DatasetPage;
  lakeStatus?: LakeStatus;
  filterOptions?: FilterOptions;
  /** Answered from the run manifest (recorded by the pipeline on the new tables), not by a query now. */
  recorded?: boolean;
}
