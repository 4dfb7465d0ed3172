import type { QueryParams } from '../query/engine';

/**
 * What the dashboard page may ask for (the Top-N filter, the products grid's page, search and sort, the detailed
 * sales page), checked before it reaches a query, and the parameter values each becomes. The page imports this file,
 * never the SQL (queries.ts).
 */

/** Columns the products grid can sort by. */
export const PRODUCT_SORT_COLUMNS = ['productCode', 'productName', 'productLine', 'productScale', 'productVendor', 'productDescription'] as const;
export type ProductSortColumn = (typeof PRODUCT_SORT_COLUMNS)[number];

/** The Top-N chart's filters; '' means All for country and product line. */
export interface TopProductsFilter {
  startDate: string;
  endDate: string;
  country: string;
  productLine: string;
  n: number;
}

export const TOP_N_MIN = 1;
export const TOP_N_MAX = 10;
export const TOP_N_DEFAULT = 5;
export const SALES_DETAIL_PAGE_SIZE = 50;
export const PRODUCTS_PAGE_SIZE = 100;

export interface ProductsQuery {
  page: number;
  /** Matched case-insensitively, as plain text, against code, name, line and vendor. */
  search: string;
  sortColumn: ProductSortColumn;
  descending: boolean;
}

export function validateProductsQuery(q: ProductsQuery): string | undefined {
  if (!Number.isInteger(q.page) || q.page < 0) return 'Page must be a whole number from 0.';
  if (typeof q.search !== 'string' || q.search.length > 200) return 'Search text is too long.';
  if (!(PRODUCT_SORT_COLUMNS as readonly string[]).includes(q.sortColumn)) return 'Unknown sort column.';
  if (typeof q.descending !== 'boolean') return 'Sort direction is not valid.';
  return undefined;
}

export function productsParams(q: ProductsQuery, pageSize = PRODUCTS_PAGE_SIZE): QueryParams {
  const search = q.search.trim().toLowerCase();
  // LIKE wildcards typed by the user are matched literally.
  const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return { search, pattern, sortColumn: q.sortColumn, descending: q.descending ? 1 : 0, offset: q.page * pageSize, limit: pageSize };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks a filter from the page before it becomes parameters; returns a message for the first problem. */
export function validateTopProductsFilter(filter: TopProductsFilter): string | undefined {
  if (!ISO_DATE.test(filter.startDate) || Number.isNaN(Date.parse(filter.startDate))) return 'Start date must be a date (YYYY-MM-DD).';
  if (!ISO_DATE.test(filter.endDate) || Number.isNaN(Date.parse(filter.endDate))) return 'End date must be a date (YYYY-MM-DD).';
  if (filter.startDate > filter.endDate) return 'Start date is after end date.';
  if (!Number.isInteger(filter.n) || filter.n < TOP_N_MIN || filter.n > TOP_N_MAX) return `N must be a whole number from ${TOP_N_MIN} to ${TOP_N_MAX}.`;
  if (typeof filter.country !== 'string' || filter.country.length > 200) return 'Country is not valid.';
  if (typeof filter.productLine !== 'string' || filter.productLine.length > 200) return 'Product line is not valid.';
  return undefined;
}

export function topProductsParams(filter: TopProductsFilter): QueryParams {
  return { startDate: filter.startDate, endDate: filter.endDate, country: filter.country, productLine: filter.productLine, n: filter.n };
}

export function salesDetailParams(page: number, pageSize = SALES_DETAIL_PAGE_SIZE): QueryParams {
  return { offset: Math.max(0, Math.floor(page)) * pageSize, limit: pageSize };
}

/** Groups of the detailed aggregate on one order date (a salesDetailDates row). */
export interface DetailDate {
  orderDate: string;
  groupCount: number;
}

/**
 * Which dates hold rows offset+1 .. offset+limit of the detailed aggregate (dates in order, as salesDetailDates
 * returns them), with the groups before the first of them and the total; undefined dates when the window is past the end.
 */
export function salesDetailWindow(dates: readonly DetailDate[], offset: number, limit: number):
  { firstDate?: string; lastDate?: string; groupsBefore: number; totalRows: number } {
  let before = 0;
  let firstDate: string | undefined;
  let lastDate: string | undefined;
  let groupsBefore = 0;
  for (const d of dates) {
    const end = before + d.groupCount;
    if (end > offset && before < offset + limit) {
      if (firstDate === undefined) { firstDate = d.orderDate; groupsBefore = before; }
      lastDate = d.orderDate;
    }
    before = end;
  }
  return { firstDate, lastDate, groupsBefore, totalRows: before };
}
