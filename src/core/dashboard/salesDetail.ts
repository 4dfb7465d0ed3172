import { throwIfCancelled, untilCancelled } from '../errors';
import type { QueryParams, QueryResult, QueryValue } from '../query/engine';
import type { LakeManifest } from '../run/manifest';
import { isFilterOptions, isRecordedAnswer, recordedSql, type RecordedDashboard } from './recorded';
import { QueryTally } from './tally';
import type { DatasetResult } from './model';
import { QUERIES, sqlForCopy, type LakeModel, type NamedQuery } from './queries';
import { salesDetailWindow, type DetailDate } from './parameters';

/**
 * What SalesDetailPages needs of the dashboard it pages for (DashboardData): its queries run through the dashboard,
 * so they count as its running queries (whenQuiet) and use its lake model.
 */
export interface SalesDetailHost {
  /** Runs one named query with the lake's model; `tally` counts it for the answer it is part of. */
  run(query: NamedQuery, params: QueryParams, signal: AbortSignal | undefined, tally?: QueryTally): Promise<QueryResult & { sql: string }>;
  /** The lake's model. */
  model(signal: AbortSignal | undefined): Promise<LakeModel>;
  /** The lake's run manifest, undefined when the lake has none. */
  readManifest(): Promise<LakeManifest | undefined>;
  /** What the run manifest recorded for the dashboard, if anything (nothing while a table is damaged). */
  recorded(): Promise<Partial<RecordedDashboard> | undefined>;
  /** Resolves when none of the dashboard's queries is running. */
  whenQuiet(): Promise<void>;
  /** The self-contained salesDetail query's answer (or the manifest's record of it), counted in `tally`. */
  plainSalesDetail(params: { offset: number; limit: number }, signal: AbortSignal | undefined, tally: QueryTally): Promise<DatasetResult>;
}

/** The detailed aggregate's groups per date for one lake run, and what counting them took (none when recorded). */
interface CountedDates { dates: DetailDate[]; stats?: QueryResult['stats']; recorded?: true }

/**
 * The count of groups per date for one lake run, shared by every salesDetail answer that needs it while it runs. It
 * runs under a controller of its own, not under the signal of the answer that started it: cancelling one answer (the
 * panel cancels a superseded page) must not fail the others waiting for the same count. It is aborted only when every
 * answer waiting for it was cancelled.
 */
interface SharedDateCount {
  run: string;
  dates: Promise<CountedDates>;
  /** Once the count answered or failed. */
  settled: boolean;
  /** Answers waiting for it now: each one that joined, less those cancelled since. */
  waiting: number;
  controller: AbortController;
}

const TITLE = QUERIES.salesDetail.title;

/** The detailed sales card's pages, each grouping only the facts of its own dates where the lake allows it. */
export class SalesDetailPages {
  /**
   * The detailed aggregate's groups per date, for one lake run (counting them reads every fact: slow on a big lake),
   * with what the count took. Keyed by the lake's run (and model), so a rewritten lake never reuses it.
   */
  private detailDates?: SharedDateCount;

  constructor(private readonly host: SalesDetailHost) {}

  /**
   * Rows offset+1 .. offset+limit of the detailed aggregate, with a `totalRows` column like the plain query's. When the
   * lake has a run manifest, the per-date group counts are counted once per run (or read from the manifest, where the
   * pipeline recorded them) and each page then groups only the facts of its own dates (salesDetailPage); without one
   * (or with undated facts) the self-contained salesDetail runs.
   */
  async page(offset: number, limit: number, signal?: AbortSignal, onPartial?: (partial: DatasetResult) => void): Promise<DatasetResult> {
    // Every query run for this answer (a partial first page's included): the card shows what they took together.
    const tally = new QueryTally();
    const model = await this.host.model(signal);
    const manifest = await this.host.readManifest().catch(() => undefined);
    const run = manifest?.runId ? `${manifest.runId}@${manifest.finishedAt ?? ''}@${model}` : undefined;
    // This lake run's groups per date are not known yet.
    const unknownRun = run !== undefined && this.detailDates?.run !== run;
    // Counted by the pipeline when it recorded the dashboard's answers (star-v1 runs only): nothing to count here.
    const recordedAnswer: unknown = unknownRun && model === 'star-v1' ? (await this.host.recorded())?.answers?.salesDetailDates : undefined;
    const recordedDates = isRecordedAnswer(recordedAnswer) ? detailDatesFromRows(recordedAnswer.rows) : undefined;
    if (unknownRun && !recordedDates && offset === 0 && onPartial) {
      // Counting the groups per date reads every fact (slow on a big lake, bench/dashboard.md): show the first page
      // before that.
      const first = await this.firstPage(limit, signal, tally);
      if (first && this.detailDates?.run !== run) {
        onPartial(first);
        // The other cards come first: counting now would slow them down on a small machine. An answer cancelled
        // meanwhile stops waiting at once.
        await untilCancelled(this.host.whenQuiet(), signal, 'Query');
      }
    }
    // An answer cancelled by now neither starts nor joins a count.
    throwIfCancelled(signal, 'Query');
    const count = !run ? undefined : this.detailDates?.run === run ? this.detailDates : this.startDateCount(run, recordedDates);
    // A count still running when this answer needs it is this answer's too (this answer started it, or another one
    // did, e.g. the first page asked ahead when Next asks for the second page): its card shows what the count took.
    // Only the detailed sales card shows these answers, one at a time, so the dashboard shows the count once. One
    // settled before is not.
    const waitedForCount = count !== undefined && !count.settled;
    const counted = count ? await this.waitForDateCount(count, signal) : undefined;
    if (waitedForCount && counted?.stats) tally.add(counted.stats);
    const dates = counted?.dates;
    if (!dates || dates.some((d) => d.orderDate === '')) {
      return this.host.plainSalesDetail({ offset, limit }, signal, tally);
    }
    const window = salesDetailWindow(dates, offset, limit);
    const datesSql = counted?.recorded
      ? recordedSql([sqlForCopy(QUERIES.salesDetailDates, model)]) : sqlForCopy(QUERIES.salesDetailDates, model);
    if (window.firstDate === undefined || window.lastDate === undefined) {
      const columns = ['orderDate', 'productLine', 'productName', 'country', 'totalSales', 'quantity', 'totalRows'];
      return { id: 'salesDetail', title: TITLE, columns: columns.map((name) => ({ name, type: '' })), rows: [],
        sql: datesSql, ...tally.totals() };
    }
    const page = await this.host.run(QUERIES.salesDetailPage,
      { firstDate: window.firstDate, lastDate: window.lastDate, groupsBefore: window.groupsBefore, offset, limit }, signal, tally);
    return {
      id: 'salesDetail',
      title: TITLE,
      columns: [...page.columns, { name: 'totalRows', type: 'BIGINT' }],
      rows: page.rows.map((r) => [...r, window.totalRows]),
      sql: `${datesSql}\n${page.sql}`,
      ...tally.totals(),
    };
  }

  /**
   * Starts the count of groups per date for `run` (or takes the manifest's, where nothing runs) and caches it for the
   * answers that come while it runs and after. One that fails is dropped, so the next answer counts again.
   */
  private startDateCount(run: string, recordedDates: DetailDate[] | undefined): SharedDateCount {
    const controller = new AbortController();
    const dates: Promise<CountedDates> = recordedDates ? Promise.resolve({ dates: recordedDates, recorded: true })
      : this.host.run(QUERIES.salesDetailDates, {}, controller.signal).then((r) => ({ dates: detailDatesFromRows(r.rows), stats: r.stats }));
    const count: SharedDateCount = { run, dates, settled: false, waiting: 0, controller };
    this.detailDates = count;
    dates.then(() => { count.settled = true; }, () => {
      count.settled = true;
      if (this.detailDates === count) this.detailDates = undefined;
    });
    return count;
  }

  /**
   * The shared count's answer, for one answer waiting for it. When `signal` fires first, this answer stops waiting at
   * once (CancelledError) and the count runs on for the others; the last one to go cancels it and drops it from the
   * cache, so an answer asked after that counts afresh rather than joining a count being cancelled.
   */
  private async waitForDateCount(count: SharedDateCount, signal: AbortSignal | undefined): Promise<CountedDates> {
    count.waiting++;
    try {
      return await untilCancelled(count.dates, signal, 'Query');
    } catch (err) {
      if (signal?.aborted) {
        count.waiting--;
        if (count.waiting === 0 && !count.settled) {
          if (this.detailDates === count) this.detailDates = undefined;
          count.controller.abort();
        }
      }
      throw err;
    }
  }

  /**
   * The detailed aggregate's first rows without counting every group: the page query numbers the groups of whole
   * dates from the first order date on, so when the dates from the first one to a few days later hold `limit` groups,
   * those are rows 1..limit of the whole aggregate (undated facts sort last). Undefined when they hold fewer.
   */
  private async firstPage(limit: number, signal: AbortSignal | undefined, tally: QueryTally): Promise<DatasetResult | undefined> {
    const recorded = (await this.host.recorded())?.filterOptions;
    const [firstDate, lastDate] = isFilterOptions(recorded) ? [recorded.firstOrderDate || undefined, recorded.lastOrderDate || undefined]
      : ((await this.host.run(QUERIES.orderDateRange, {}, signal, tally)).rows[0] ?? []).map((v) => (v === null || v === undefined ? undefined : String(v)));
    if (!firstDate || !lastDate) return undefined;
    for (const days of [0, 31]) {
      const until = addDays(firstDate, days);
      const page = await this.host.run(QUERIES.salesDetailPage, { firstDate, lastDate: until, groupsBefore: 0, offset: 0, limit }, signal, tally);
      if (page.rows.length === limit) {
        return {
          id: 'salesDetail', title: TITLE, columns: page.columns, rows: page.rows, sql: page.sql,
          ...tally.totals(), page: { index: 0, size: limit, totalRows: limit, totalPending: true },
        };
      }
      if (until >= lastDate) return undefined;
    }
    return undefined;
  }
}

/** salesDetailDates' rows (orderDate, groupCount) as dates; an undated group count has orderDate ''. */
function detailDatesFromRows(rows: QueryValue[][]): DetailDate[] {
  return rows.map((row) => ({ orderDate: row[0] === null ? '' : String(row[0]), groupCount: Number(row[1]) }));
}

/** `YYYY-MM-DD` plus `days` days. */
function addDays(date: string, days: number): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
