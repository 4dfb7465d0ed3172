/**
 * The requests a dashboard page makes when it loads, defined once for the page and for the host: the host starts
 * them as the panel opens (before the page has asked), so the page's own requests find them running or answered.
 * No Node, DOM or vscode APIs: the page bundle includes this file.
 */
import type { DatasetRequest, FilterOptions, ProductsQuery, TopProductsFilter } from '../core/dashboard/model';
import { TOP_N_DEFAULT } from '../core/dashboard/parameters';

export const DEFAULT_PRODUCTS_QUERY: ProductsQuery = { page: 0, search: '', sortColumn: 'productCode', descending: false };

/** What a page remembers between loads that changes its first requests (a new panel starts from the defaults). */
export interface InitialPageState {
  products: ProductsQuery;
  salesDetailPage: number;
}

export const NEW_PAGE_STATE: InitialPageState = { products: DEFAULT_PRODUCTS_QUERY, salesDetailPage: 0 };

/** The Top-N filter of a page without a saved one: the lake's whole date range, every country and product line. */
export function defaultTopProductsFilter(options: FilterOptions): TopProductsFilter {
  return { startDate: options.firstOrderDate, endDate: options.lastOrderDate, country: '', productLine: '', n: TOP_N_DEFAULT };
}

/**
 * Every card's first request, in the order the page sends them. The filter options come early: the Top-N request
 * waits for them (its default filter is the lake's date range).
 */
export function initialRequests(state: InitialPageState): DatasetRequest[] {
  return [
    { id: 'filterOptions' }, { id: 'lakeStatus' }, { id: 'kpis' }, { id: 'salesByCountry' }, { id: 'salesByProductLine' },
    { id: 'monthlySales' }, { id: 'products', query: state.products }, { id: 'salesDetail', page: state.salesDetailPage },
  ];
}
