import type { QueryValue } from '../query/engine';
import type { FilterOptions } from './model';
import { QUERIES, type NamedQuery } from './queries';

/**
 * The Top-N filter's choices come from three small questions. The pipeline asks them of the star tables it has just
 * built and records the answer in the run manifest, so the dashboard reads its filters from there instead of asking
 * the lake (an Athena round trip each in AWS mode); a lake without them in its manifest is asked directly.
 */
export const FILTER_OPTION_QUERIES: readonly [NamedQuery, NamedQuery, NamedQuery] = [QUERIES.filterCountries, QUERIES.filterProductLines, QUERIES.orderDateRange];

/** The options from the rows of FILTER_OPTION_QUERIES, in that order. */
export function filterOptionsFromRows(countries: QueryValue[][], productLines: QueryValue[][], dateRange: QueryValue[][]): FilterOptions {
  return {
    countries: countries.map((r) => String(r[0])),
    productLines: productLines.map((r) => String(r[0])),
    firstOrderDate: String(dateRange[0]?.[0] ?? ''),
    lastOrderDate: String(dateRange[0]?.[1] ?? ''),
  };
}

/** Whether a value read from a manifest (JSON, possibly edited by hand) has the shape of filter options. */
export function isFilterOptions(value: unknown): value is FilterOptions {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  return strings(v.countries) && strings(v.productLines) && typeof v.firstOrderDate === 'string' && typeof v.lastOrderDate === 'string';
}
