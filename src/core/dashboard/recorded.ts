import * as v from 'valibot';
import type { QueryColumn, QueryValue } from '../query/engine';
import type { FilterOptions } from './model';
import { QUERIES, type NamedQuery, type QueryId } from './queries';
import { TOP_N_MAX, type TopProductsFilter } from './parameters';

/**
 * Answers the pipeline records in the run manifest, so a dashboard opened on a new lake version shows its fixed cards
 * without scanning the facts (an Athena query each, billed by the bytes it scans, in AWS mode). The local pipeline asks
 * them of the star tables it has just built, through DashboardData itself (recordDashboard in service.ts): the same
 * SQL, the same code path; the Glue job asks the same SQL on Spark (recordedQuestions below). A lake whose manifest
 * lacks them (older runs, small runs) is asked directly.
 */

/** The Top-N filter's choices come from these three questions, in this order (filterOptionsFromRows). */
export const FILTER_OPTION_QUERIES: readonly [NamedQuery, NamedQuery, NamedQuery] = [QUERIES.filterCountries, QUERIES.filterProductLines, QUERIES.orderDateRange];

/**
 * Questions without parameters whose whole answer is recorded: four cards, and the detailed aggregate's groups per
 * order date, which place any of its pages among the dates (counting them reads every fact).
 */
export const RECORDED_QUERIES: readonly QueryId[] = ['kpis', 'salesByCountryTop10', 'salesByProductLine', 'monthlySales', 'salesDetailDates'];

/** One recorded answer: the columns and rows the query gave on the run's tables. */
export interface RecordedAnswer {
  columns: QueryColumn[];
  rows: QueryValue[][];
}

/** The Top-N card's unfiltered answer over the whole date range, for the largest N the card offers. */
export interface RecordedTopProducts extends RecordedAnswer {
  startDate: string;
  endDate: string;
  n: number;
}

export interface RecordedDashboard {
  filterOptions: FilterOptions;
  answers: Partial<Record<QueryId, RecordedAnswer>>;
  topProducts?: RecordedTopProducts;
}

/** The options from the rows of FILTER_OPTION_QUERIES, in that order. */
export function filterOptionsFromRows(countries: QueryValue[][], productLines: QueryValue[][], dateRange: QueryValue[][]): FilterOptions {
  return {
    countries: countries.map((r) => String(r[0])),
    productLines: productLines.map((r) => String(r[0])),
    firstOrderDate: String(dateRange[0]?.[0] ?? ''),
    lastOrderDate: String(dateRange[0]?.[1] ?? ''),
  };
}

// Manifests are JSON on disk or in S3 (possibly edited by hand): each recorded part is checked before it is trusted.

const FilterOptionsSchema = v.object({
  countries: v.array(v.string()),
  productLines: v.array(v.string()),
  firstOrderDate: v.string(),
  lastOrderDate: v.string(),
});

const answerShape = {
  columns: v.array(v.object({ name: v.string(), type: v.string() })),
  rows: v.array(v.array(v.union([v.null(), v.string(), v.number(), v.boolean()]))),
};
const ROWS_AS_WIDE = 'every row is as wide as the columns';
const rowsAsWide = (answer: RecordedAnswer) => answer.rows.every((row) => row.length === answer.columns.length);

const RecordedAnswerSchema = v.pipe(v.object(answerShape), v.check((answer) => rowsAsWide(answer), ROWS_AS_WIDE));
const RecordedTopProductsSchema = v.pipe(v.object({ ...answerShape, startDate: v.string(), endDate: v.string(), n: v.number() }),
  v.check((answer) => rowsAsWide(answer), ROWS_AS_WIDE));

/** Whether a value read from a manifest has the shape of filter options. */
export function isFilterOptions(value: unknown): value is FilterOptions {
  return v.is(FilterOptionsSchema, value);
}

/** Whether a value read from a manifest has the shape of a recorded answer (every row as wide as the columns). */
export function isRecordedAnswer(value: unknown): value is RecordedAnswer {
  return v.is(RecordedAnswerSchema, value);
}

/**
 * The rows of a Top-N request from the recorded answer, or undefined when the request asks something else: a filter,
 * a date range that leaves out recorded dates, or more products than were recorded. A range that covers every
 * recorded date selects every fact, so its top N are the recorded list's first N (the query's ORDER BY is total).
 */
export function topProductsFromRecord(record: unknown, filter: TopProductsFilter): RecordedAnswer | undefined {
  if (!v.is(RecordedTopProductsSchema, record)) return undefined;
  const r: RecordedTopProducts = record;
  if (filter.country !== '' || filter.productLine !== '' || filter.n > r.n) return undefined;
  if (filter.startDate > r.startDate || filter.endDate < r.endDate) return undefined;
  return { columns: r.columns, rows: r.rows.slice(0, filter.n) };
}

/** The Top-N request the pipeline records: every date of the run, no filter, the card's largest N. */
export function recordedTopProductsFilter(options: FilterOptions): TopProductsFilter {
  return { startDate: options.firstOrderDate, endDate: options.lastOrderDate, country: '', productLine: '', n: TOP_N_MAX };
}

/**
 * The questions the Glue job asks of the tables it wrote, to record the same answers in its manifest
 * (glue/job_dashboard.py): this module's questions in the SQL the dashboard runs, and the Top-N question's largest N
 * (its dates are the filter options' first and last). `node scripts/glue-dashboard-questions.mjs` writes them to
 * glue/dashboard_questions.json, which Terraform ships beside the job; test/unit/glueDashboardQuestions.test.ts fails
 * when that file is stale.
 */
export interface RecordedQuestions {
  /** Runs with fewer fact rows record nothing unless asked to (the local pipeline's RECORD_MIN_FACT_ROWS). */
  recordMinFactRows: number;
  /** FILTER_OPTION_QUERIES' SQL, in their order. */
  filterOptions: string[];
  /** RECORDED_QUERIES' SQL by id. */
  answers: Record<string, string>;
  /** The Top-N question, its parameters bound by name: startDate, endDate, country, productLine, n. */
  topProducts: { sql: string; n: number };
}

export function recordedQuestions(recordMinFactRows: number): RecordedQuestions {
  return {
    recordMinFactRows,
    filterOptions: FILTER_OPTION_QUERIES.map((q) => q.sql('star-v1')),
    answers: Object.fromEntries(RECORDED_QUERIES.map((id) => [id, QUERIES[id].sql('star-v1')])),
    topProducts: { sql: QUERIES.topProducts.sql('star-v1'), n: TOP_N_MAX },
  };
}

/** glue/dashboard_questions.json's whole text. */
export function recordedQuestionsText(recordMinFactRows: number): string {
  const about = 'Generated by `node scripts/glue-dashboard-questions.mjs` from src/core/dashboard/recorded.ts: do not edit by hand. '
    + 'The Glue job asks these of the tables it wrote and records the answers in its run manifest, as the local pipeline does.';
  return `${JSON.stringify({ $comment: about, ...recordedQuestions(recordMinFactRows) }, null, 2)}\n`;
}

/** "Copy SQL" of an answer read from the run manifest: what the pipeline ran, under a line saying so. */
export function recordedSql(statements: string[]): string {
  return `-- Answered from the run manifest (gold/_manifest.json): the pipeline ran ${statements.length === 1 ? 'this query' : 'these queries'} on the tables it wrote.\n${statements.join('\n')}`;
}
