/**
 * The typed messages between the dashboard panel (extension host) and its page (media/dashboard). Each message is a
 * valibot schema and its type is inferred from it, so the check and the type cannot drift apart. Both sides
 * validate what they receive with the parse functions here; anything that does not parse is dropped and logged.
 * No Node or DOM APIs here: the page bundle includes this file.
 */
import * as v from 'valibot';
import { DATASET_IDS, type DatasetId, type DatasetRequest, type DatasetResult, type TopProductsFilter } from '../core/dashboard/model';
import { PRODUCT_SORT_COLUMNS, validateProductsQuery, validateTopProductsFilter, type ProductsQuery } from '../core/dashboard/parameters';

export const DASHBOARD_VIEW_TYPE = 'lifecycleLab.dashboard';

/** Commands the page may ask the host to run (next-step buttons); nothing else goes through. */
export const PAGE_COMMANDS = [
  'lifecycleLab.pipeline.run', 'lifecycleLab.lake.verify', 'lifecycleLab.showLog', 'lifecycleLab.openSettings', 'lifecycleLab.switchMode',
  'lifecycleLab.startLocalLab',
] as const;
export type PageCommand = (typeof PAGE_COMMANDS)[number];

// ---- building blocks ---------------------------------------------------------------------------------------

const text = (max = 10_000) => v.pipe(v.string(), v.maxLength(max));
const int = v.pipe(v.number(), v.integer());
const finite = v.pipe(v.number(), v.finite());
const list = <T extends v.GenericSchema>(item: T, max = 10_000) => v.pipe(v.array(item), v.maxLength(max));
const datasetId = v.picklist(DATASET_IDS);
const queryValue = v.union([v.null(), v.string(), v.boolean(), finite]);
const pageCommand = v.picklist(PAGE_COMMANDS);

const TopProductsFilterSchema = v.pipe(
  v.object({ startDate: text(10), endDate: text(10), country: text(200), productLine: text(200), n: int }),
  v.check((f) => validateTopProductsFilter(f) === undefined, 'Not a valid Top-N filter.'),
);

/** Part of a filter: only its own keys, each well-formed. */
const PartialFilterSchema = v.strictObject({
  startDate: v.optional(text(10)), endDate: v.optional(text(10)), country: v.optional(text(200)), productLine: v.optional(text(200)), n: v.optional(int),
});

const ProductsQuerySchema = v.pipe(
  v.object({ page: int, search: text(200), sortColumn: v.picklist(PRODUCT_SORT_COLUMNS), descending: v.boolean() }),
  v.check((q) => validateProductsQuery(q) === undefined, 'Not a valid products query.'),
);

const OTHER_DATASETS = DATASET_IDS.filter((id): id is Exclude<DatasetId, 'topProducts' | 'salesDetail' | 'products'> =>
  id !== 'topProducts' && id !== 'salesDetail' && id !== 'products');

const DatasetRequestSchema = v.variant('id', [
  v.object({ id: v.literal('topProducts'), filter: TopProductsFilterSchema }),
  v.object({ id: v.literal('salesDetail'), page: v.pipe(int, v.minValue(0)) }),
  v.object({ id: v.literal('products'), query: ProductsQuerySchema }),
  v.object({ id: v.picklist(OTHER_DATASETS) }),
]);

const RenderedReportSchema = v.object({
  dataset: datasetId,
  state: v.picklist(['data', 'empty', 'error']),
  rowCount: int,
  /** Chart labels (or first column) as shown, in order. */
  labels: list(text()),
  /** Chart values (or the main numeric column), in order. */
  values: list(finite),
  /** The error message shown, for state 'error'. */
  message: v.optional(text()),
  /** The Top-N filter the card was rendered for. */
  filter: v.optional(TopProductsFilterSchema),
  /** Page of a paged card. */
  page: v.optional(int),
  /** The stats line the card shows: rows, engine time, and on Athena bytes scanned and estimated cost. */
  meta: v.optional(text()),
});

/** A moment of a page load in epoch milliseconds (performance.timeOrigin + performance.now()). */
const TimingMarkSchema = v.object({ name: text(200), at: finite });

const PageMessageSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  /** `fresh`: run the query even when the host has this answer for the current lake (the Refresh button). */
  v.object({ type: v.literal('load'), requestId: int, request: DatasetRequestSchema, fresh: v.optional(v.boolean()) }),
  v.object({ type: v.literal('cancel'), requestId: int }),
  v.object({ type: v.literal('rendered'), report: RenderedReportSchema }),
  /** Only when the host asked for it (test and bench hooks): every timing mark of this page load so far. */
  v.object({ type: v.literal('timings'), marks: list(TimingMarkSchema, 1000) }),
  v.object({ type: v.literal('exportCsv'), dataset: datasetId }),
  // A PNG data URL from canvas.toDataURL; capped at 20 MB of text.
  v.object({ type: v.literal('exportPng'), dataset: datasetId, dataUrl: v.pipe(text(20_000_000), v.startsWith('data:image/png;base64,')) }),
  v.object({ type: v.literal('copySql'), dataset: datasetId }),
  v.object({ type: v.literal('showLineage'), dataset: datasetId }),
  v.object({ type: v.literal('runCommand'), command: pageCommand }),
]);

const ErrorInfoSchema = v.object({
  code: text(),
  message: text(),
  nextStep: v.optional(v.object({ label: text(), command: v.optional(pageCommand) })),
});

const LakeStatusSchema = v.object({
  engine: text(),
  source: text(),
  model: v.picklist(['star-v1', 'legacy']),
  factRows: v.optional(finite),
  orderLines: v.optional(finite),
  run: v.optional(v.object({
    runId: text(),
    startedAt: v.optional(text()),
    finishedAt: v.optional(text()),
    model: v.optional(text()),
    engine: v.optional(text()),
    ok: v.boolean(),
    checks: list(v.object({ name: text(), ok: v.boolean(), detail: v.optional(text()) })),
    sourceOrderLines: v.optional(finite),
  })),
  damaged: list(text(200), 1000),
  inflated: v.boolean(),
  warnings: list(text()),
});

const DatasetResultSchema = v.pipe(
  v.object({
    id: datasetId,
    title: text(),
    columns: list(v.object({ name: text(), type: text() })),
    rows: v.array(v.array(queryValue)),
    sql: text(100_000),
    elapsedMs: finite,
    bytesScanned: v.optional(finite),
    costUsd: v.optional(finite),
    page: v.optional(v.object({ index: int, size: int, totalRows: int, totalPending: v.optional(v.boolean()) })),
    lakeStatus: v.optional(LakeStatusSchema),
    filterOptions: v.optional(v.object({ countries: list(text()), productLines: list(text()), firstOrderDate: text(), lastOrderDate: text() })),
    recorded: v.optional(v.boolean()),
  }),
  v.check((r) => r.rows.every((row) => row.length === r.columns.length), 'Every row must have one value per column.'),
);

const HostMessageSchema = v.variant('type', [
  v.object({ type: v.literal('result'), requestId: int, result: DatasetResultSchema }),
  v.object({ type: v.literal('error'), requestId: int, dataset: datasetId, error: ErrorInfoSchema }),
  v.object({ type: v.literal('cancelled'), requestId: int, dataset: datasetId }),
  /** Reload every card (the lake changed, or the user asked); `fresh` skips the host's answers cache. */
  v.object({ type: v.literal('refresh'), fresh: v.optional(v.boolean()) }),
  /** Apply a Top-N filter as if the user had set the controls (partial: the rest keeps its value). */
  v.object({ type: v.literal('setFilter'), filter: PartialFilterSchema }),
]);

// ---- the message types, inferred from the schemas ----------------------------------------------------------

export type RenderState = RenderedReport['state'];
/** What the page drew for one card, reported back so tests (and the log) can see the rendered result. */
export type RenderedReport = v.InferOutput<typeof RenderedReportSchema>;
export type ErrorInfo = v.InferOutput<typeof ErrorInfoSchema>;
export type TimingMark = v.InferOutput<typeof TimingMarkSchema>;
/** Page -> host. */
export type PageMessage = v.InferOutput<typeof PageMessageSchema>;
/** Host -> page. */
export type HostMessage = v.InferOutput<typeof HostMessageSchema>;

// The schemas describe the dashboard's own types exactly: a field added to one and not the other fails to compile.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : never;
const schemasMatchModel: [
  Same<v.InferOutput<typeof TopProductsFilterSchema>, TopProductsFilter>,
  Same<v.InferOutput<typeof ProductsQuerySchema>, ProductsQuery>,
  Same<v.InferOutput<typeof DatasetRequestSchema>, DatasetRequest>,
  Same<v.InferOutput<typeof DatasetResultSchema>, DatasetResult>,
] = [true, true, true, true];
void schemasMatchModel;

// ---- parsing -------------------------------------------------------------------------------------------------

export function isTopProductsFilter(value: unknown): value is TopProductsFilter {
  return v.is(TopProductsFilterSchema, value);
}

/** Validates a message from the page; undefined when it is not one the host accepts. Unknown fields are dropped. */
export function parsePageMessage(raw: unknown): PageMessage | undefined {
  const parsed = v.safeParse(PageMessageSchema, raw);
  if (!parsed.success) return undefined;
  const message = parsed.output;
  if (message.type === 'load' && message.fresh === false) delete message.fresh;
  return message;
}

/** Validates a message from the host; undefined when the page should ignore it. Unknown fields are dropped. */
export function parseHostMessage(raw: unknown): HostMessage | undefined {
  const parsed = v.safeParse(HostMessageSchema, raw);
  if (!parsed.success) return undefined;
  const message = parsed.output;
  if (message.type === 'refresh' && message.fresh === false) delete message.fresh;
  return message;
}
