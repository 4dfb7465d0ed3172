import { CancelledError, LabError, throwIfCancelled } from '../errors';
import type { QueryEngine, QueryParams, QueryResult, QueryValue } from '../query/engine';
import type { LakeManifest } from '../run/manifest';
import { lakeDamagedError } from '../query/lakeDamage';
import type { LakeProblem } from '../run/lakeCheck';
import {
  FILTER_OPTION_QUERIES, filterOptionsFromRows, isFilterOptions, isRecordedAnswer, RECORDED_QUERIES, recordedTopProductsFilter,
  topProductsFromRecord, type RecordedAnswer, type RecordedDashboard,
} from './recorded';
import { assessLake, summarizeManifest } from './lakeStatus';
import { QueryTally, type QueryTotals } from './tally';
import type { DatasetId, DatasetRequest, DatasetResult, FilterOptions } from './model';
import { QUERIES, sqlForCopy, type LakeModel, type NamedQuery } from './queries';
import {
  PRODUCTS_PAGE_SIZE, productsParams, SALES_DETAIL_PAGE_SIZE, salesDetailParams, salesDetailWindow, topProductsParams,
  validateProductsQuery, validateTopProductsFilter, type DetailDate,
} from './parameters';

/** Reads the lake's run manifest (JSON), or undefined when the lake has none. */
export type ManifestReader = () => Promise<LakeManifest | undefined>;

/** What is wrong with the lake's files now (the check done when a lake version is opened); empty when intact. */
export type DamageReader = () => Promise<LakeProblem[]>;

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

export const DATASET_TITLES: Record<DatasetId, string> = {
  lakeStatus: 'Lake',
  kpis: 'Key figures',
  salesByCountry: QUERIES.salesByCountryTop10.title,
  salesByProductLine: QUERIES.salesByProductLine.title,
  monthlySales: QUERIES.monthlySales.title,
  filterOptions: 'Filter options',
  topProducts: QUERIES.topProducts.title,
  products: QUERIES.products.title,
  salesDetail: QUERIES.salesDetail.title,
};

/**
 * The dashboard's data, one dataset per card, from any QueryEngine. Knows the lake's model (star-v1 or the
 * original job's postalCode-keyed legacy shape) and picks the matching location join itself.
 */
export class DashboardData {
  private modelPromise?: Promise<LakeModel>;
  /**
   * The detailed aggregate's groups per date, for one lake run (counting them reads every fact: slow on a big lake),
   * with what the count took.
   */
  private detailDates?: SharedDateCount;

  /** The damage read in flight, which cards asking now join. */
  private damageRead?: Promise<LakeProblem[]>;

  /** Queries of this dashboard running now (see whenQuiet). */
  private running = 0;
  private quietWaiters: Array<() => void> = [];

  constructor(
    readonly engine: QueryEngine,
    private readonly readManifest: ManifestReader = () => Promise.resolve(undefined),
    private readonly readDamage: DamageReader = () => Promise.resolve([]),
  ) {}

  /** Forget what was learned about the lake (call after the lake was rewritten). */
  invalidate(): void {
    this.modelPromise = undefined;
    // detailDates is keyed by the lake's run (and model), so a rewritten lake never reuses it.
  }

  /**
   * One card's dataset. `onPartial` may receive an earlier, partial answer first: the detailed aggregate's first page
   * on a lake run whose groups are not counted yet comes with `page.totalPending` before the result with the total.
   */
  async dataset(request: DatasetRequest, signal?: AbortSignal, onPartial?: (partial: DatasetResult) => void): Promise<DatasetResult> {
    throwIfCancelled(signal, 'Query');
    switch (request.id) {
      case 'lakeStatus': return this.lakeStatus(signal);
      case 'filterOptions': return this.filterOptions(signal);
      case 'kpis': return this.table('kpis', QUERIES.kpis, {}, signal);
      case 'salesByCountry': return this.table('salesByCountry', QUERIES.salesByCountryTop10, {}, signal);
      case 'salesByProductLine': return this.table('salesByProductLine', QUERIES.salesByProductLine, {}, signal);
      case 'monthlySales': return this.table('monthlySales', QUERIES.monthlySales, {}, signal);
      case 'products': {
        const problem = validateProductsQuery(request.query);
        if (problem) throw new LabError('queryFailed', problem);
        const result = await this.table('products', QUERIES.products, productsParams(request.query), signal);
        return withPage(result, request.query.page, PRODUCTS_PAGE_SIZE);
      }
      case 'topProducts': {
        const problem = validateTopProductsFilter(request.filter);
        if (problem) throw new LabError('queryFailed', problem);
        const params = topProductsParams(request.filter);
        const recorded = topProductsFromRecord((await this.recorded())?.topProducts, request.filter);
        if (recorded) return this.fromRecord('topProducts', QUERIES.topProducts, params, recorded);
        return this.table('topProducts', QUERIES.topProducts, params, signal);
      }
      case 'salesDetail': {
        const page = Math.max(0, Math.floor(request.page));
        const { offset, limit } = salesDetailParams(page) as { offset: number; limit: number };
        return withPage(await this.salesDetail(offset, limit, signal, page === 0 ? onPartial : undefined), page, SALES_DETAIL_PAGE_SIZE);
      }
      default: {
        const unknown: never = request;
        throw new LabError('internal', `Unknown dataset ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Runs one named query with the lake's model; `tally` counts it for the answer it is part of. */
  async run(query: NamedQuery, params: QueryParams = {}, signal?: AbortSignal, tally?: QueryTally): Promise<QueryResult & { sql: string }> {
    const model = await this.model(signal);
    this.running++;
    try {
      const result = await this.engine.query(query.sql(model), params, signal);
      tally?.add(result.stats);
      return { ...result, sql: sqlForCopy(query, model, params) };
    } finally {
      this.running--;
      if (this.running === 0) for (const release of this.quietWaiters.splice(0)) release();
    }
  }

  /** Resolves when none of this dashboard's queries is running (at once if none is). */
  private whenQuiet(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  /** The lake's model, asked once; `tally` counts the query when this call is the one that asks it. */
  model(signal?: AbortSignal, tally?: QueryTally): Promise<LakeModel> {
    this.modelPromise ??= (async () => {
      const columns = await this.engine.query(QUERIES.dimLocationsColumns.sql('star-v1'), {}, signal);
      tally?.add(columns.stats);
      const names = columns.rows.map((r) => String(r[0]));
      const damaged = names.length ? [] : (await this.damage()).filter((p) => p.table === 'dim_locations');
      if (damaged.length) throw lakeDamagedError(damaged);
      if (!names.length) throw new LabError('lakeMissing', 'The lake has no dim_locations table.', { nextStep: { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' } });
      return names.includes('locationkey') ? 'star-v1' : 'legacy';
    })();
    this.modelPromise.catch(() => { this.modelPromise = undefined; });
    return this.modelPromise;
  }

  /**
   * The lake's damaged files now (unreadable damage information counts as none: the queries still name what they
   * hit). Cards asked together share one read (on Athena it lists the lake's objects).
   */
  private damage(): Promise<LakeProblem[]> {
    if (!this.damageRead) {
      const read = this.readDamage().catch(() => [] as LakeProblem[]);
      this.damageRead = read;
      void read.finally(() => { if (this.damageRead === read) this.damageRead = undefined; });
    }
    return this.damageRead;
  }

  /**
   * What the run manifest recorded for the dashboard, if anything (each part is checked where it is used). Nothing
   * while a table is damaged: the record describes the files the run wrote, so each card asks the lake and a card
   * over a damaged table says so.
   */
  private async recorded(): Promise<Partial<RecordedDashboard> | undefined> {
    if ((await this.damage()).length) return undefined;
    const manifest = await this.readManifest().catch(() => undefined);
    const dashboard: unknown = manifest?.dashboard;
    return typeof dashboard === 'object' && dashboard !== null ? dashboard as Partial<RecordedDashboard> : undefined;
  }

  /** A dataset answered from the run manifest: the rows the pipeline's run of this very query gave. */
  private fromRecord(id: DatasetId, query: NamedQuery, params: QueryParams, answer: RecordedAnswer): DatasetResult {
    return {
      id, title: DATASET_TITLES[id], columns: answer.columns, rows: answer.rows, elapsedMs: 0, recorded: true,
      sql: recordedSql([sqlForCopy(query, 'star-v1', params)]),
    };
  }

  /** A card answered by one query (`tally` holds the queries run before it for the same answer, if any). */
  private async table(id: DatasetId, query: NamedQuery, params: QueryParams, signal?: AbortSignal, tally = new QueryTally()): Promise<DatasetResult> {
    if (RECORDED_QUERIES.includes(query.id)) {
      const answer: unknown = (await this.recorded())?.answers?.[query.id];
      if (isRecordedAnswer(answer)) return this.fromRecord(id, query, params, answer);
    }
    const result = await this.run(query, params, signal, tally);
    return { id, title: DATASET_TITLES[id], columns: result.columns, rows: result.rows, sql: result.sql, ...tally.totals() };
  }

  /**
   * Rows offset+1 .. offset+limit of the detailed aggregate, with a `totalRows` column like the plain query's. When the
   * lake has a run manifest, the per-date group counts are counted once per run (or read from the manifest, where the
   * pipeline recorded them) and each page then groups only the
   * facts of its own dates (salesDetailPage); without one (or with undated facts) the self-contained salesDetail runs.
   */
  async salesDetail(offset: number, limit: number, signal?: AbortSignal, onPartial?: (partial: DatasetResult) => void): Promise<DatasetResult> {
    // Every query run for this answer (a partial first page's included): the card shows what they took together.
    const tally = new QueryTally();
    const model = await this.model(signal);
    const manifest = await this.readManifest().catch(() => undefined);
    const run = manifest?.runId ? `${manifest.runId}@${manifest.finishedAt ?? ''}@${model}` : undefined;
    // Counted by the pipeline when it recorded the dashboard's answers (star-v1 runs only): nothing to count here.
    const recordedAnswer: unknown = run && this.detailDates?.run !== run && model === 'star-v1' ? (await this.recorded())?.answers?.salesDetailDates : undefined;
    const recordedDates = isRecordedAnswer(recordedAnswer) ? detailDatesFromRows(recordedAnswer.rows) : undefined;
    if (run && this.detailDates?.run !== run && !recordedDates && offset === 0 && onPartial) {
      // Counting the groups per date reads every fact (slow on a big lake, bench/dashboard.md): show the first page
      // before that.
      const first = await this.salesDetailFirstPage(limit, signal, tally);
      if (first && this.detailDates?.run !== run) {
        onPartial(first);
        // The other cards come first: counting now would slow them down on a small machine.
        await this.whenQuiet();
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
      return this.table('salesDetail', QUERIES.salesDetail, { offset, limit }, signal, tally);
    }
    const window = salesDetailWindow(dates, offset, limit);
    const datesSql = counted?.recorded
      ? recordedSql([sqlForCopy(QUERIES.salesDetailDates, model)]) : sqlForCopy(QUERIES.salesDetailDates, model);
    if (window.firstDate === undefined || window.lastDate === undefined) {
      const columns = ['orderDate', 'productLine', 'productName', 'country', 'totalSales', 'quantity', 'totalRows'];
      return { id: 'salesDetail', title: DATASET_TITLES.salesDetail, columns: columns.map((name) => ({ name, type: '' })), rows: [],
        sql: datesSql, ...tally.totals() };
    }
    const page = await this.run(QUERIES.salesDetailPage,
      { firstDate: window.firstDate, lastDate: window.lastDate, groupsBefore: window.groupsBefore, offset, limit }, signal, tally);
    return {
      id: 'salesDetail',
      title: DATASET_TITLES.salesDetail,
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
      : this.run(QUERIES.salesDetailDates, {}, controller.signal).then((r) => ({ dates: detailDatesFromRows(r.rows), stats: r.stats }));
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
    // Without a signal this answer never leaves: the count runs for it to the end.
    if (!signal) return count.dates;
    let leave = (): void => {};
    const cancelled = new Promise<never>((_, reject) => {
      leave = () => {
        reject(new CancelledError('Query'));
        count.waiting--;
        if (count.waiting > 0 || count.settled) return;
        if (this.detailDates === count) this.detailDates = undefined;
        count.controller.abort();
      };
    });
    if (signal.aborted) leave();
    else signal.addEventListener('abort', leave, { once: true });
    try {
      return await Promise.race([count.dates, cancelled]);
    } finally {
      signal.removeEventListener('abort', leave);
    }
  }

  /**
   * The detailed aggregate's first rows without counting every group: the page query numbers the groups of whole
   * dates from the first order date on, so when the dates from the first one to a few days later hold `limit` groups,
   * those are rows 1..limit of the whole aggregate (undated facts sort last). Undefined when they hold fewer.
   */
  private async salesDetailFirstPage(limit: number, signal: AbortSignal | undefined, tally: QueryTally): Promise<DatasetResult | undefined> {
    const recorded = (await this.recorded())?.filterOptions;
    const [firstDate, lastDate] = isFilterOptions(recorded) ? [recorded.firstOrderDate || undefined, recorded.lastOrderDate || undefined]
      : ((await this.run(QUERIES.orderDateRange, {}, signal, tally)).rows[0] ?? []).map((v) => (v === null || v === undefined ? undefined : String(v)));
    if (!firstDate || !lastDate) return undefined;
    for (const days of [0, 31]) {
      const until = addDays(firstDate, days);
      const page = await this.run(QUERIES.salesDetailPage, { firstDate, lastDate: until, groupsBefore: 0, offset: 0, limit }, signal, tally);
      if (page.rows.length === limit) {
        return {
          id: 'salesDetail', title: DATASET_TITLES.salesDetail, columns: page.columns, rows: page.rows, sql: page.sql,
          ...tally.totals(), page: { index: 0, size: limit, totalRows: limit, totalPending: true },
        };
      }
      if (until >= lastDate) return undefined;
    }
    return undefined;
  }

  /** From the run manifest when the pipeline recorded them there, otherwise asked of the lake. */
  private async filterOptions(signal?: AbortSignal): Promise<DatasetResult> {
    const started = performance.now();
    const recorded = (await this.recorded())?.filterOptions;
    const fromManifest = isFilterOptions(recorded);
    let options: FilterOptions;
    let sql: string;
    let stats: QueryTotals;
    if (fromManifest) {
      options = recorded;
      sql = recordedSql(FILTER_OPTION_QUERIES.map((q) => sqlForCopy(q, 'star-v1')));
      stats = { elapsedMs: performance.now() - started };
    } else {
      const tally = new QueryTally();
      const answers = await Promise.all(FILTER_OPTION_QUERIES.map((q) => this.run(q, {}, signal, tally)));
      options = filterOptionsFromRows(answers[0].rows, answers[1].rows, answers[2].rows);
      sql = answers.map((a) => a.sql).join('\n');
      stats = tally.totals();
    }
    return {
      id: 'filterOptions',
      title: DATASET_TITLES.filterOptions,
      columns: [{ name: 'option', type: 'VARCHAR' }, { name: 'value', type: 'VARCHAR' }],
      rows: [
        ...options.countries.map((c) => ['country', c]),
        ...options.productLines.map((p) => ['productLine', p]),
        ['firstOrderDate', options.firstOrderDate],
        ['lastOrderDate', options.lastOrderDate],
      ],
      sql,
      ...stats,
      filterOptions: options,
      ...(fromManifest ? { recorded: true } : {}),
    };
  }

  private async lakeStatus(signal?: AbortSignal): Promise<DatasetResult> {
    const tally = new QueryTally();
    this.invalidate();
    const problems = await this.damage();
    const damaged = new Set(problems.map((p) => p.table));
    // A query the open check did not see coming (DuckDB could not read a footer) fails with lakeDamaged: that table
    // is damaged too, and the status still answers.
    const unlessDamaged = <T>(table: string, work: () => Promise<T>): Promise<T | undefined> => damaged.has(table) ? Promise.resolve(undefined)
      : work().catch((err: unknown) => {
        if (!(err instanceof LabError && err.code === 'lakeDamaged')) throw err;
        damaged.add(table);
        return undefined;
      });
    const [modelRead, rowCount, manifest] = await Promise.all([
      unlessDamaged('dim_locations', () => this.model(signal, tally)),
      unlessDamaged('fact_orders', () => this.counted(QUERIES.factRows.sql('star-v1'), signal, tally)),
      this.readManifest().catch(() => undefined),
    ]);
    // dim_locations damaged: the model can not be read off it; the pipeline writes star-v1.
    const model: LakeModel = modelRead ?? 'star-v1';
    const factRows = rowCount ? Number(rowCount.rows[0]?.[0] ?? 0) : undefined;
    // Counting distinct order lines reads every fact row. A reconciled run whose manifest still matches the facts
    // (same row count, the row check passed) already proved one row per order line; otherwise count them.
    const proven = manifest?.ok === true && manifest.tables?.fact_orders?.rows === factRows &&
      manifest.checks.some((c) => c.name === 'fact_rows_match_source' && c.ok) && manifest.source.counts.orderdetails === factRows;
    const orderLines = factRows === undefined ? undefined : proven ? factRows
      : Number((await this.counted(QUERIES.factOrderLines.sql('star-v1'), signal, tally)).rows[0]?.[1] ?? 0);
    const run = summarizeManifest(manifest);
    const status = assessLake({ engine: this.engine.kind, source: this.engine.description, model, factRows, orderLines, run,
      damaged: [...damaged].sort() }, problems);
    return {
      id: 'lakeStatus',
      title: DATASET_TITLES.lakeStatus,
      columns: [{ name: 'item', type: 'VARCHAR' }, { name: 'value', type: 'VARCHAR' }],
      rows: [
        ['engine', status.engine],
        ['source', status.source],
        ['model', status.model],
        ['factRows', status.factRows ?? null],
        ['orderLines', status.orderLines ?? null],
        ['lastRun', status.run?.finishedAt ?? null],
        ['checksPassed', status.run ? `${status.run.checks.filter((c) => c.ok).length}/${status.run.checks.length}` : null],
        ['damaged', status.damaged.join(', ') || null],
        ['inflated', status.inflated],
      ],
      sql: [QUERIES.dimLocationsColumns.sql(model), QUERIES.factRows.sql(model), QUERIES.factOrderLines.sql(model)].join(';\n'),
      ...tally.totals(),
      lakeStatus: status,
    };
  }

  /** One of the lake status's own queries, counted in `tally`. */
  private async counted(sql: string, signal: AbortSignal | undefined, tally: QueryTally): Promise<QueryResult> {
    const result = await this.engine.query(sql, {}, signal);
    tally.add(result.stats);
    return result;
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

/** Moves the `totalRows` window column of a paged query into `page`. */
function withPage(result: DatasetResult, index: number, size: number): DatasetResult {
  const totalIndex = result.columns.findIndex((c) => c.name === 'totalRows');
  const totalRows = totalIndex >= 0 && result.rows.length ? Number(result.rows[0][totalIndex]) : 0;
  if (totalIndex >= 0) {
    result.columns = result.columns.filter((_, i) => i !== totalIndex);
    result.rows = result.rows.map((r) => r.filter((_, i) => i !== totalIndex));
  }
  result.page = { index, size, totalRows };
  return result;
}

/** "Copy SQL" of an answer read from the run manifest: what the pipeline ran, under a line saying so. */
function recordedSql(statements: string[]): string {
  return `-- Answered from the run manifest (gold/_manifest.json): the pipeline ran ${statements.length === 1 ? 'this query' : 'these queries'} on the tables it wrote.\n${statements.join('\n')}`;
}

/**
 * What the pipeline records in the run manifest for the dashboard (recorded.ts), asked through DashboardData itself
 * on an engine over the run's new tables: the filter options, the parameterless cards and the unfiltered Top-N.
 */
export async function recordDashboard(engine: QueryEngine, signal?: AbortSignal): Promise<RecordedDashboard> {
  const data = new DashboardData(engine);
  const filterOptions = (await data.dataset({ id: 'filterOptions' }, signal)).filterOptions!;
  const answers: RecordedDashboard['answers'] = {};
  for (const id of RECORDED_QUERIES) {
    const { columns, rows } = await data.run(QUERIES[id], {}, signal);
    answers[id] = { columns, rows };
  }
  const filter = recordedTopProductsFilter(filterOptions);
  const top = await data.run(QUERIES.topProducts, topProductsParams(filter), signal);
  return { filterOptions, answers, topProducts: { columns: top.columns, rows: top.rows, startDate: filter.startDate, endDate: filter.endDate, n: filter.n } };
}
