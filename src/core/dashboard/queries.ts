import type { QueryParams } from '../query/engine';

/**
 * The dashboard's questions, defined once as named, parameterised SQL that DuckDB and Athena (Trino) both run:
 * `:name` placeholders (each engine binds them its own way), CAST(... AS DATE) around date parameters, '' for
 * "All" in optional filters (Athena execution parameters cannot be NULL), OFFSET before LIMIT (Trino's order).
 * User input only ever reaches a query as a parameter value.
 */

/**
 * How locations join to facts. `star-v1` (this project's pipeline): a surrogate `locationKey`. `legacy` (the lab's
 * original job): locations keyed by postalCode, which repeats an order line for each location sharing its code.
 */
export type LakeModel = 'star-v1' | 'legacy';

export type QueryId =
  | 'kpis'
  | 'salesByCountryTop10'
  | 'salesByProductLine'
  | 'monthlySales'
  | 'topProducts'
  | 'products'
  | 'salesDetail'
  | 'filterCountries'
  | 'filterProductLines'
  | 'orderDateRange'
  | 'dimLocationsColumns'
  | 'factRows'
  | 'factOrderLines';

export interface NamedQuery {
  id: QueryId;
  title: string;
  /** Parameter names the SQL uses (`:name`), for validation and for "Copy SQL". */
  params: readonly string[];
  sql(model: LakeModel): string;
}

/** Chosen by code from the lake's shape, never from user input. */
function locationJoin(model: LakeModel): string {
  return model === 'legacy'
    ? 'join dim_locations l on f.postalCode = l.postalCode'
    : 'join dim_locations l on f.locationKey = l.locationKey';
}

/** The column facts and locations join on, for key-set filters. */
function locationKeyOf(model: LakeModel, alias: string): string {
  return model === 'legacy' ? `${alias}.postalCode` : `${alias}.locationKey`;
}

function fixed(sql: string): (model: LakeModel) => string {
  return () => sql;
}

/** Columns the products grid can sort by. */
export const PRODUCT_SORT_COLUMNS = ['productCode', 'productName', 'productLine', 'productScale', 'productVendor', 'productDescription'] as const;
export type ProductSortColumn = (typeof PRODUCT_SORT_COLUMNS)[number];

const PRODUCT_SORT_CASE = `case :sortColumn ${PRODUCT_SORT_COLUMNS.map((c) => `when '${c}' then ${c}`).join(' ')} end`;

export const QUERIES: Record<QueryId, NamedQuery> = {
  kpis: {
    id: 'kpis',
    title: 'Key figures',
    params: [],
    sql: fixed(`select
  sum(f.orderAmount) as totalSales,
  count(distinct f.orderNumber) as orders,
  count(distinct f.customerNumber) as customers,
  sum(f.orderAmount) / count(distinct f.orderNumber) as averageOrderValue,
  count(*) as orderLines
from fact_orders f`),
  },
  salesByCountryTop10: {
    id: 'salesByCountryTop10',
    title: 'Total sales by country (top 10)',
    params: [],
    sql: (model) => `select l.country as country, sum(f.orderAmount) as totalSales
from fact_orders f
${locationJoin(model)}
group by l.country
order by totalSales desc, country
limit 10`,
  },
  salesByProductLine: {
    id: 'salesByProductLine',
    title: 'Sales by product line',
    params: [],
    // Aggregating per product before the join hashes the product codes once per product, not once per order line.
    sql: fixed(`with by_product as (
  select productCode, sum(orderAmount) as totalSales, sum(quantityOrdered) as quantity
  from fact_orders
  group by productCode
)
select p.productLine as productLine, sum(b.totalSales) as totalSales, sum(b.quantity) as quantity
from by_product b
join dim_products p on b.productCode = p.productCode
group by p.productLine
order by totalSales desc, productLine`),
  },
  monthlySales: {
    id: 'monthlySales',
    title: 'Monthly sales',
    params: [],
    // Per day first (an order has one date, so daily distinct orders add up to monthly ones), then per month.
    sql: fixed(`with by_day as (
  select orderDate, sum(orderAmount) as totalSales, count(distinct orderNumber) as orders
  from fact_orders
  group by orderDate
)
select cast(date_trunc('month', orderDate) as date) as month, sum(totalSales) as totalSales, sum(orders) as orders
from by_day
group by cast(date_trunc('month', orderDate) as date)
order by month`),
  },
  topProducts: {
    id: 'topProducts',
    title: 'Top products',
    params: ['startDate', 'endDate', 'country', 'productLine', 'n'],
    // Filters on the dimensions become key sets, the facts are summed per product, and names are joined last.
    sql: (model) => `with matching as (
  select f.productCode, sum(f.orderAmount) as totalSales, sum(f.quantityOrdered) as quantity
  from fact_orders f
  where f.orderDate between cast(:startDate as date) and cast(:endDate as date)
    and ${locationKeyOf(model, 'f')} in (select ${locationKeyOf(model, 'l')} from dim_locations l where :country = '' or l.country = :country)
    and f.productCode in (select p.productCode from dim_products p where :productLine = '' or p.productLine = :productLine)
  group by f.productCode
)
select p.productName as productName, p.productLine as productLine, m.totalSales as totalSales, m.quantity as quantity
from matching m
join dim_products p on m.productCode = p.productCode
order by totalSales desc, productName
limit :n`,
  },
  products: {
    id: 'products',
    title: 'Products',
    params: ['search', 'pattern', 'sortColumn', 'descending', 'offset', 'limit'],
    // One page of the grid. Every column is text, so one CASE picks the sort column from a parameter
    // (ORDER BY cannot take a column name as a parameter, and the SQL text never varies with input).
    sql: fixed(`select productCode, productName, productLine, productScale, productVendor, productDescription,
  count(*) over () as totalRows
from dim_products
where :search = ''
  or lower(productCode) like :pattern escape '\\'
  or lower(productName) like :pattern escape '\\'
  or lower(productLine) like :pattern escape '\\'
  or lower(productVendor) like :pattern escape '\\'
order by
  case when :descending = 0 then ${PRODUCT_SORT_CASE} end asc,
  case when :descending = 1 then ${PRODUCT_SORT_CASE} end desc,
  productCode
offset :offset
limit :limit`),
  },
  salesDetail: {
    id: 'salesDetail',
    title: 'Sales by order date, product line, product and country',
    params: ['offset', 'limit'],
    sql: (model) => `select f.orderDate as orderDate, p.productLine as productLine, p.productName as productName, l.country as country,
  sum(f.orderAmount) as totalSales, sum(f.quantityOrdered) as quantity, count(*) over () as totalRows
from fact_orders f
join dim_products p on f.productCode = p.productCode
${locationJoin(model)}
group by f.orderDate, p.productLine, p.productName, l.country
order by orderDate, productLine, productName, country
offset :offset
limit :limit`,
  },
  filterCountries: {
    id: 'filterCountries',
    title: 'Countries',
    params: [],
    sql: fixed(`select distinct country from dim_locations where country is not null order by country`),
  },
  filterProductLines: {
    id: 'filterProductLines',
    title: 'Product lines',
    params: [],
    sql: fixed(`select distinct productLine from dim_products where productLine is not null order by productLine`),
  },
  orderDateRange: {
    id: 'orderDateRange',
    title: 'Order dates',
    params: [],
    sql: fixed(`select min(orderDate) as firstOrderDate, max(orderDate) as lastOrderDate from fact_orders`),
  },
  dimLocationsColumns: {
    id: 'dimLocationsColumns',
    title: 'Columns of dim_locations',
    params: [],
    sql: fixed(`select lower(column_name) as columnName from information_schema.columns where table_name = 'dim_locations'`),
  },
  factRows: {
    id: 'factRows',
    title: 'Fact rows',
    params: [],
    sql: fixed(`select count(*) as factRows from fact_orders`),
  },
  factOrderLines: {
    id: 'factOrderLines',
    title: 'Fact rows and distinct order lines',
    params: [],
    sql: fixed(`select count(*) as factRows,
  (select count(*) from (select orderNumber, orderLineNumber from fact_orders group by orderNumber, orderLineNumber) d) as orderLines
from fact_orders`),
  },
};

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

/** The SQL as a user can paste it elsewhere: placeholders kept, the values used listed in a leading comment. */
export function sqlForCopy(query: NamedQuery, model: LakeModel, params: QueryParams = {}): string {
  const header = `-- ${query.title} (Lifecycle Lab dashboard, query "${query.id}")`;
  const values = Object.entries(params).map(([k, v]) => `--   :${k} = ${JSON.stringify(v)}`);
  return [header, ...(values.length ? ['-- parameters:', ...values] : []), query.sql(model), ''].join('\n');
}
