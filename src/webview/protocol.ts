/**
 * The typed messages between the dashboard panel (extension host) and its page (media/dashboard). Both sides
 * validate what they receive with the parse functions here; anything that does not parse is dropped and logged.
 * No Node or DOM APIs here: the page bundle includes this file.
 */
import {
  DATASET_IDS, type DatasetId, type DatasetRequest, type DatasetResult, type QueryValue, type TopProductsFilter,
} from '../core/dashboard/model';
import { validateProductsQuery, validateTopProductsFilter, type ProductsQuery } from '../core/dashboard/queries';

export const DASHBOARD_VIEW_TYPE = 'lifecycleLab.dashboard';

/** Commands the page may ask the host to run (next-step buttons); nothing else goes through. */
export const PAGE_COMMANDS = ['lifecycleLab.pipeline.run', 'lifecycleLab.showLog', 'lifecycleLab.openSettings', 'lifecycleLab.switchMode', 'lifecycleLab.startLocalLab'] as const;
export type PageCommand = (typeof PAGE_COMMANDS)[number];

export type RenderState = 'data' | 'empty' | 'error';

/** What the page drew for one card, reported back so tests (and the log) can see the rendered result. */
export interface RenderedReport {
  dataset: DatasetId;
  state: RenderState;
  rowCount: number;
  /** Chart labels (or first column) as shown, in order. */
  labels: string[];
  /** Chart values (or the main numeric column), in order. */
  values: number[];
  /** The error message shown, for state 'error'. */
  message?: string;
  /** The Top-N filter the card was rendered for. */
  filter?: TopProductsFilter;
  /** Page of a paged card. */
  page?: number;
}

export interface ErrorInfo {
  code: string;
  message: string;
  nextStep?: { label: string; command?: PageCommand };
}

/** Page -> host. */
export type PageMessage =
  | { type: 'ready' }
  /** `fresh`: run the query even when the host has this answer for the current lake (the Refresh button). */
  | { type: 'load'; requestId: number; request: DatasetRequest; fresh?: boolean }
  | { type: 'cancel'; requestId: number }
  | { type: 'rendered'; report: RenderedReport }
  | { type: 'exportCsv'; dataset: DatasetId }
  | { type: 'exportPng'; dataset: DatasetId; dataUrl: string }
  | { type: 'copySql'; dataset: DatasetId }
  | { type: 'runCommand'; command: PageCommand };

/** Host -> page. */
export type HostMessage =
  | { type: 'result'; requestId: number; result: DatasetResult }
  | { type: 'error'; requestId: number; dataset: DatasetId; error: ErrorInfo }
  | { type: 'cancelled'; requestId: number; dataset: DatasetId }
  /** Reload every card (the lake changed, or the user asked); `fresh` skips the host's answers cache. */
  | { type: 'refresh'; fresh?: boolean }
  /** Apply a Top-N filter as if the user had set the controls (partial: the rest keeps its value). */
  | { type: 'setFilter'; filter: Partial<TopProductsFilter> };

// ---- validation helpers -------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = 10_000): v is string => typeof v === 'string' && v.length <= max;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isDataset = (v: unknown): v is DatasetId => typeof v === 'string' && (DATASET_IDS as readonly string[]).includes(v);
const isQueryValue = (v: unknown): v is QueryValue => v === null || typeof v === 'string' || typeof v === 'boolean' || isNum(v);
const isCommand = (v: unknown): v is PageCommand => typeof v === 'string' && (PAGE_COMMANDS as readonly string[]).includes(v);

export function isTopProductsFilter(v: unknown): v is TopProductsFilter {
  return isObj(v) && isStr(v.startDate, 10) && isStr(v.endDate, 10) && isStr(v.country, 200) && isStr(v.productLine, 200) &&
    isInt(v.n) && validateTopProductsFilter(v as unknown as TopProductsFilter) === undefined;
}

function isPartialFilter(v: unknown): v is Partial<TopProductsFilter> {
  if (!isObj(v)) return false;
  const keys = ['startDate', 'endDate', 'country', 'productLine', 'n'];
  if (Object.keys(v).some((k) => !keys.includes(k))) return false;
  return (v.startDate === undefined || isStr(v.startDate, 10)) && (v.endDate === undefined || isStr(v.endDate, 10)) &&
    (v.country === undefined || isStr(v.country, 200)) && (v.productLine === undefined || isStr(v.productLine, 200)) &&
    (v.n === undefined || isInt(v.n));
}

function isRequest(v: unknown): v is DatasetRequest {
  if (!isObj(v) || !isDataset(v.id)) return false;
  if (v.id === 'topProducts') return isTopProductsFilter(v.filter);
  if (v.id === 'salesDetail') return isInt(v.page) && v.page >= 0;
  if (v.id === 'products') {
    const q = v.query;
    return isObj(q) && isInt(q.page) && isStr(q.search, 200) && isStr(q.sortColumn, 40) && typeof q.descending === 'boolean' &&
      validateProductsQuery(q as unknown as ProductsQuery) === undefined;
  }
  return true;
}

function isReport(v: unknown): v is RenderedReport {
  return isObj(v) && isDataset(v.dataset) && (v.state === 'data' || v.state === 'empty' || v.state === 'error') &&
    isInt(v.rowCount) && Array.isArray(v.labels) && v.labels.length <= 10_000 && v.labels.every((l) => isStr(l)) &&
    Array.isArray(v.values) && v.values.length <= 10_000 && v.values.every(isNum) &&
    (v.message === undefined || isStr(v.message)) && (v.filter === undefined || isTopProductsFilter(v.filter)) &&
    (v.page === undefined || isInt(v.page));
}

/** Validates a message from the page; undefined when it is not one the host accepts. */
export function parsePageMessage(raw: unknown): PageMessage | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'load':
      return isInt(raw.requestId) && isRequest(raw.request) && (raw.fresh === undefined || typeof raw.fresh === 'boolean')
        ? { type: 'load', requestId: raw.requestId, request: raw.request, ...(raw.fresh ? { fresh: true } : {}) } : undefined;
    case 'cancel':
      return isInt(raw.requestId) ? { type: 'cancel', requestId: raw.requestId } : undefined;
    case 'rendered':
      return isReport(raw.report) ? { type: 'rendered', report: raw.report } : undefined;
    case 'exportCsv':
    case 'copySql':
      return isDataset(raw.dataset) ? { type: raw.type, dataset: raw.dataset } : undefined;
    case 'exportPng':
      // A PNG data URL from canvas.toDataURL; capped at 20 MB of text.
      return isDataset(raw.dataset) && isStr(raw.dataUrl, 20_000_000) && raw.dataUrl.startsWith('data:image/png;base64,')
        ? { type: 'exportPng', dataset: raw.dataset, dataUrl: raw.dataUrl } : undefined;
    case 'runCommand':
      return isCommand(raw.command) ? { type: 'runCommand', command: raw.command } : undefined;
    default:
      return undefined;
  }
}

function isResult(v: unknown): v is DatasetResult {
  if (!isObj(v) || !isDataset(v.id) || !isStr(v.title) || !isStr(v.sql, 100_000) || !isNum(v.elapsedMs)) return false;
  if (!Array.isArray(v.columns) || !v.columns.every((c) => isObj(c) && isStr(c.name) && isStr(c.type))) return false;
  const width = v.columns.length;
  if (!Array.isArray(v.rows) || !v.rows.every((r) => Array.isArray(r) && r.length === width && r.every(isQueryValue))) return false;
  if (v.page !== undefined && !(isObj(v.page) && isInt(v.page.index) && isInt(v.page.size) && isInt(v.page.totalRows) &&
    (v.page.totalPending === undefined || typeof v.page.totalPending === 'boolean'))) return false;
  if (v.filterOptions !== undefined) {
    const o = v.filterOptions;
    if (!isObj(o) || !Array.isArray(o.countries) || !o.countries.every((c) => isStr(c)) || !Array.isArray(o.productLines) ||
      !o.productLines.every((c) => isStr(c)) || !isStr(o.firstOrderDate) || !isStr(o.lastOrderDate)) return false;
  }
  if (v.lakeStatus !== undefined) {
    const s = v.lakeStatus;
    if (!isObj(s) || !isStr(s.engine) || !isStr(s.source) || (s.model !== 'star-v1' && s.model !== 'legacy') || !isNum(s.factRows) ||
      !isNum(s.orderLines) || typeof s.inflated !== 'boolean' || !Array.isArray(s.warnings) || !s.warnings.every((w) => isStr(w))) return false;
    if (s.run !== undefined) {
      const r = s.run;
      if (!isObj(r) || !isStr(r.runId) || typeof r.ok !== 'boolean' || !Array.isArray(r.checks) ||
        !r.checks.every((c) => isObj(c) && isStr(c.name) && typeof c.ok === 'boolean' && (c.detail === undefined || isStr(c.detail)))) return false;
      if ((r.startedAt !== undefined && !isStr(r.startedAt)) || (r.finishedAt !== undefined && !isStr(r.finishedAt))) return false;
    }
  }
  return true;
}

function isErrorInfo(v: unknown): v is ErrorInfo {
  return isObj(v) && isStr(v.code) && isStr(v.message) &&
    (v.nextStep === undefined || (isObj(v.nextStep) && isStr(v.nextStep.label) && (v.nextStep.command === undefined || isCommand(v.nextStep.command))));
}

/** Validates a message from the host; undefined when the page should ignore it. */
export function parseHostMessage(raw: unknown): HostMessage | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'result':
      return isInt(raw.requestId) && isResult(raw.result) ? { type: 'result', requestId: raw.requestId, result: raw.result } : undefined;
    case 'error':
      return isInt(raw.requestId) && isDataset(raw.dataset) && isErrorInfo(raw.error)
        ? { type: 'error', requestId: raw.requestId, dataset: raw.dataset, error: raw.error } : undefined;
    case 'cancelled':
      return isInt(raw.requestId) && isDataset(raw.dataset) ? { type: 'cancelled', requestId: raw.requestId, dataset: raw.dataset } : undefined;
    case 'refresh':
      return raw.fresh === undefined || typeof raw.fresh === 'boolean' ? { type: 'refresh', ...(raw.fresh ? { fresh: true } : {}) } : undefined;
    case 'setFilter':
      return isPartialFilter(raw.filter) ? { type: 'setFilter', filter: raw.filter } : undefined;
    default:
      return undefined;
  }
}
