/**
 * The page's side of the webview: the VS Code API (acquired once), messages to the host, and the page state
 * (filters and table settings) that survives hide/show and a window reload.
 */
import type { TopProductsFilter } from '../../src/core/dashboard/model';
import { validateProductsQuery, validateTopProductsFilter, type ProductsQuery } from '../../src/core/dashboard/parameters';
import { DEFAULT_PRODUCTS_QUERY } from '../../src/webview/dashboardRequests';
import type { PageMessage, RenderedReport } from '../../src/webview/protocol';
import { sendTimingsWith, testHooks } from './timing';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): unknown;
  setState(state: PageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface PageState {
  filter?: TopProductsFilter;
  salesDetailPage: number;
  products: ProductsQuery;
}

const vscode = acquireVsCodeApi();
export const state: PageState = restoreState(vscode.getState());

function restoreState(raw: unknown): PageState {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Partial<PageState>;
  return {
    filter: s.filter && validateTopProductsFilter(s.filter) === undefined ? s.filter : undefined,
    salesDetailPage: Number.isInteger(s.salesDetailPage) && (s.salesDetailPage as number) >= 0 ? (s.salesDetailPage as number) : 0,
    products: s.products && validateProductsQuery(s.products) === undefined ? s.products : { ...DEFAULT_PRODUCTS_QUERY },
  };
}

export function saveState(): void {
  vscode.setState(state);
}

export function post(message: PageMessage): void {
  vscode.postMessage(message);
}

sendTimingsWith((marks) => post({ type: 'timings', marks }));

/** The stats line each card showed last (rows, engine time, bytes scanned and cost on Athena). */
const shownMeta = new Map<string, string>();

export function noteMeta(dataset: string, meta: string): void {
  shownMeta.set(dataset, meta);
}

/** Tells the host what a card rendered (a data report with the stats line the card shows), when its test hooks listen. */
export function report(r: RenderedReport): void {
  if (!testHooks) return;
  const meta = r.state === 'data' ? shownMeta.get(r.dataset) : undefined;
  post({ type: 'rendered', report: meta === undefined ? r : { ...r, meta } });
}
