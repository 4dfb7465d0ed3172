import { LabError, throwIfCancelled, untilCancelled } from '../errors';
import type { QueryEngine, QueryParams, QueryResult } from '../query/engine';
import type { LakeManifest } from '../run/manifest';
import { lakeDamagedError } from '../query/lakeDamage';
import type { LakeProblem } from '../run/lakeCheck';
import {
  FILTER_OPTION_QUERIES, filterOptionsFromRows, isFilterOptions, isRecordedAnswer, RECORDED_QUERIES, recordedTopProductsFilter,
  recordedSql, topProductsFromRecord, type RecordedAnswer, type RecordedDashboard,
} from './recorded';
import { assessLake, summarizeManifest } from './lakeStatus';
import { QueryTally, type QueryTotals } from './tally';
import type { DatasetId, DatasetRequest, DatasetResult, FilterOptions } from './model';
import { QUERIES, sqlForCopy, type LakeModel, type NamedQuery, type QueryId } from './queries';
import {
  PRODUCTS_PAGE_SIZE, productsParams, SALES_DETAIL_PAGE_SIZE, salesDetailParams, topProductsParams, validateProductsQuery,
  validateTopProductsFilter,
} from './parameters';
import { SalesDetailPages } from './salesDetail';

/** Reads the lake's run manifest (JSON), or undefined when the lake has none. */
export type ManifestReader = () => Promise<LakeManifest | undefined>;

/** What is wrong with the lake's files now (the check done when a lake version is opened); empty when intact. */
export type DamageReader = () => Promise<LakeProblem[]>;

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
  /** The detailed sales card's pages, which share one count of groups per date for each lake run. */
  private readonly salesDetailPages = new SalesDetailPages({
    run: (query, params, signal, tally) => this.run(query, params, signal, tally),
    model: (signal) => this.model(signal),
    readManifest: () => this.readManifest(),
    recorded: () => this.recorded(),
    whenQuiet: () => this.whenQuiet(),
    plainSalesDetail: (params, signal, tally) => this.table('salesDetail', QUERIES.salesDetail, params, signal, tally),
  });

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
    // salesDetailPages' count of groups per date is keyed by the lake's run (and model), so a rewritten lake never
    // reuses it.
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

  /**
   * The lake's model, asked once and shared by every card asking meanwhile; `tally` counts the query when this call is
   * the one that asks it. The shared question runs under no caller's signal (it reads one table's column names):
   * a card cancelled while it runs stops waiting, and the others still get the model.
   */
  model(signal?: AbortSignal, tally?: QueryTally): Promise<LakeModel> {
    this.modelPromise ??= (async () => {
      const columns = await this.engine.query(QUERIES.dimLocationsColumns.sql('star-v1'), {});
      tally?.add(columns.stats);
      const names = columns.rows.map((r) => String(r[0]));
      const damaged = names.length ? [] : (await this.damage()).filter((p) => p.table === 'dim_locations');
      if (damaged.length) throw lakeDamagedError(damaged);
      if (!names.length) throw new LabError('lakeMissing', 'The lake has no dim_locations table.', { nextStep: { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' } });
      return names.includes('locationkey') ? 'star-v1' : 'legacy';
    })();
    const asked = this.modelPromise;
    asked.catch(() => { if (this.modelPromise === asked) this.modelPromise = undefined; });
    return untilCancelled(asked, signal, 'Query');
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
   * Rows offset+1 .. offset+limit of the detailed aggregate, with a `totalRows` column like the plain query's, paged by
   * SalesDetailPages (salesDetail.ts). `onPartial` may receive the first page before its total is known.
   */
  salesDetail(offset: number, limit: number, signal?: AbortSignal, onPartial?: (partial: DatasetResult) => void): Promise<DatasetResult> {
    return this.salesDetailPages.page(offset, limit, signal, onPartial);
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

/**
 * What the pipeline records in the run manifest for the dashboard (recorded.ts), asked through DashboardData itself
 * on an engine over the run's new tables: the filter options, the parameterless questions (`questions`, by default
 * RECORDED_QUERIES; bench/recording.ts measures fewer) and the unfiltered Top-N.
 */
export async function recordDashboard(engine: QueryEngine, signal?: AbortSignal, questions: readonly QueryId[] = RECORDED_QUERIES): Promise<RecordedDashboard> {
  const data = new DashboardData(engine);
  const filterOptions = (await data.dataset({ id: 'filterOptions' }, signal)).filterOptions!;
  const answers: RecordedDashboard['answers'] = {};
  for (const id of questions) {
    const { columns, rows } = await data.run(QUERIES[id], {}, signal);
    answers[id] = { columns, rows };
  }
  const filter = recordedTopProductsFilter(filterOptions);
  const top = await data.run(QUERIES.topProducts, topProductsParams(filter), signal);
  return { filterOptions, answers, topProducts: { columns: top.columns, rows: top.rows, startDate: filter.startDate, endDate: filter.endDate, n: filter.n } };
}
