import type { QueryParams } from '../query/engine';
import { PRODUCT_SORT_COLUMNS } from './parameters';

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
  | 'salesDetailDates'
  | 'salesDetailPage'
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

const QUERY_TITLE_SALES_DETAIL = 'Sales by order date, product line, product and country';

/**
 * CTEs ending in `groups_per_date (orderDate, groupCount)`: the detailed aggregate's groups counted per date on
 * integer ranks (dense_rank orders equal (line, name) pairs and equal countries as the aggregate's ORDER BY does),
 * which is cheaper than grouping by the names themselves.
 */
function groupsPerDateCtes(model: LakeModel): string {
  return `product_ranks as (
  select productCode, dense_rank() over (order by productLine, productName) as productRank
  from dim_products
),
location_ranks as (
  select ${locationKeyOf(model, 'l')} as joinKey, dense_rank() over (order by l.country) as countryRank
  from dim_locations l
),
groups_per_date as (
  select orderDate, count(*) as groupCount
  from (
    select f.orderDate, p.productRank, l.countryRank
    from fact_orders f
    join product_ranks p on f.productCode = p.productCode
    join location_ranks l on ${locationKeyOf(model, 'f')} = l.joinKey
    group by f.orderDate, p.productRank, l.countryRank
  ) g
  group by orderDate
)`;
}

function fixed(sql: string): (model: LakeModel) => string {
  return () => sql;
}

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
    // star-v1: summed per location key first (a few dozen keys), then joined to the locations (unique keys), which
    // gives the sums of joining every fact row. legacy: postal codes repeat in dim_locations, each match repeats a
    // fact, so every fact row is joined as the original job did.
    sql: (model) => model === 'legacy'
      ? `select l.country as country, sum(f.orderAmount) as totalSales
from fact_orders f
${locationJoin(model)}
group by l.country
order by totalSales desc, country
limit 10`
      : `with by_location as (
  select f.locationKey, sum(f.orderAmount) as totalSales
  from fact_orders f
  group by f.locationKey
)
select l.country as country, sum(b.totalSales) as totalSales
from by_location b
join dim_locations l on b.locationKey = l.locationKey
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
    // Facts are filtered by date and country and summed per product; the product line is a property of the product,
    // so it filters the (far fewer) per-product sums, and names are joined last. star-v1: locationKey is unique
    // (the pipeline checks it), so a join on it filters without repeating rows. legacy: postal codes repeat, so the
    // country filter stays a key set (IN), never multiplying facts.
    sql: (model) => `with matching as (
  select f.productCode, sum(f.orderAmount) as totalSales, sum(f.quantityOrdered) as quantity
  from fact_orders f
  ${model === 'legacy' ? '' : 'join dim_locations l on f.locationKey = l.locationKey\n  '}where f.orderDate between cast(:startDate as date) and cast(:endDate as date)
    and ${model === 'legacy'
    ? "f.postalCode in (select l.postalCode from dim_locations l where :country = '' or l.country = :country)"
    : "(:country = '' or l.country = :country)"}
  group by f.productCode
)
select p.productName as productName, p.productLine as productLine, m.totalSales as totalSales, m.quantity as quantity
from matching m
join dim_products p on m.productCode = p.productCode
where :productLine = '' or p.productLine = :productLine
order by totalSales desc, productName
limit :n`,
  },
  products: {
    id: 'products',
    title: 'Products',
    params: ['search', 'pattern', 'sortColumn', 'descending', 'offset', 'limit'],
    // One page of the grid. Every column is text, so one CASE picks the sort column from a parameter
    // (ORDER BY cannot take a column name as a parameter, and the SQL text never varies with input). The page's
    // codes are picked first from the codes and sort keys alone, and the wide columns (descriptions) joined for
    // those rows only; productCode is unique in dim_products (the pipeline checks it), so the join adds no rows.
    sql: fixed(`with page as (
  select productCode, count(*) over () as totalRows,
    case when :descending = 0 then ${PRODUCT_SORT_CASE} end as ascendingKey,
    case when :descending = 1 then ${PRODUCT_SORT_CASE} end as descendingKey
  from dim_products
  where :search = ''
    or lower(productCode) like :pattern escape '\\'
    or lower(productName) like :pattern escape '\\'
    or lower(productLine) like :pattern escape '\\'
    or lower(productVendor) like :pattern escape '\\'
  order by ascendingKey asc, descendingKey desc, productCode
  offset :offset
  limit :limit
)
select p.productCode, p.productName, p.productLine, p.productScale, p.productVendor, p.productDescription, page.totalRows
from page
join dim_products p on p.productCode = page.productCode
order by page.ascendingKey asc, page.descendingKey desc, p.productCode`),
  },
  salesDetail: {
    id: 'salesDetail',
    title: QUERY_TITLE_SALES_DETAIL,
    params: ['offset', 'limit'],
    // The rows of the plain `select ... group by orderDate, productLine, productName, country order by those
    // offset :offset limit :limit` plus the group count, without naming and sorting ~3M groups to show 50: groups
    // are counted per order date on small integer ranks (salesDetailDates); the running count says which dates hold
    // the page, and only their facts are grouped by name and numbered. Rows, order and totalRows equal the plain
    // query's (the tests compare both). The dashboard caches the per-date counts per lake run and then asks
    // salesDetailPage, the same steps split in two.
    sql: (model) => `with ${groupsPerDateCtes(model)},
placed as (
  select orderDate, groupCount,
    coalesce(sum(groupCount) over (order by orderDate rows between unbounded preceding and 1 preceding), 0) as groupsBefore,
    sum(groupCount) over () as totalRows
  from groups_per_date
),
page_dates as (
  select orderDate, groupsBefore, totalRows
  from placed
  where groupsBefore < :offset + :limit and groupsBefore + groupCount > :offset
),
page_groups as (
  select f.orderDate as orderDate, p.productLine as productLine, p.productName as productName, l.country as country,
    sum(f.orderAmount) as totalSales, sum(f.quantityOrdered) as quantity
  from fact_orders f
  join dim_products p on f.productCode = p.productCode
  ${locationJoin(model)}
  where f.orderDate between (select min(orderDate) from page_dates) and (select max(orderDate) from page_dates)
    or (f.orderDate is null and exists (select 1 from page_dates where orderDate is null))
  group by f.orderDate, p.productLine, p.productName, l.country
),
numbered as (
  select g.orderDate, g.productLine, g.productName, g.country, g.totalSales, g.quantity, d.totalRows,
    d.groupsBefore + row_number() over (partition by g.orderDate order by g.productLine, g.productName, g.country) as rowNumber
  from page_groups g
  join page_dates d on g.orderDate is not distinct from d.orderDate
)
select orderDate, productLine, productName, country, totalSales, quantity, totalRows
from numbered
where rowNumber > :offset and rowNumber <= :offset + :limit
order by rowNumber`,
  },
  salesDetailDates: {
    id: 'salesDetailDates',
    title: 'Groups of the detailed aggregate per order date',
    params: [],
    // How many (productLine, productName, country) groups each order date has, in date order.
    sql: (model) => `with ${groupsPerDateCtes(model)}
select orderDate, groupCount
from groups_per_date
order by orderDate`,
  },
  salesDetailPage: {
    id: 'salesDetailPage',
    title: QUERY_TITLE_SALES_DETAIL,
    params: ['firstDate', 'lastDate', 'groupsBefore', 'offset', 'limit'],
    // One page of the detailed aggregate, given the dates that hold it (from salesDetailDates) and how many groups
    // come before the first of them: only those dates' facts are grouped and numbered.
    sql: (model) => `with page_groups as (
  select f.orderDate as orderDate, p.productLine as productLine, p.productName as productName, l.country as country,
    sum(f.orderAmount) as totalSales, sum(f.quantityOrdered) as quantity
  from fact_orders f
  join dim_products p on f.productCode = p.productCode
  ${locationJoin(model)}
  where f.orderDate between cast(:firstDate as date) and cast(:lastDate as date)
  group by f.orderDate, p.productLine, p.productName, l.country
),
numbered as (
  select orderDate, productLine, productName, country, totalSales, quantity,
    :groupsBefore + row_number() over (order by orderDate, productLine, productName, country) as rowNumber
  from page_groups
)
select orderDate, productLine, productName, country, totalSales, quantity
from numbered
where rowNumber > :offset and rowNumber <= :offset + :limit
order by rowNumber`,
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

/** The SQL as a user can paste it elsewhere: placeholders kept, the values used listed in a leading comment. */
export function sqlForCopy(query: NamedQuery, model: LakeModel, params: QueryParams = {}): string {
  const header = `-- ${query.title} (Lifecycle Lab dashboard, query "${query.id}")`;
  const values = Object.entries(params).map(([k, v]) => `--   :${k} = ${JSON.stringify(v)}`);
  return [header, ...(values.length ? ['-- parameters:', ...values] : []), query.sql(model), ''].join('\n');
}
