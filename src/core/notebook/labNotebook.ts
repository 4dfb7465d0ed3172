import { MODEL_TABLES } from '../run/manifest';
import type { QueryParams } from '../query/engine';
import { serializeNotebook, type LabCell, type LabNotebook } from './format';

/** The file Open Lab Notebook creates beside the lab (see lab/location.ts). */
export const LAB_NOTEBOOK_FILE = 'lab.labnb';

/** The Top-N question's parameters as the lab notebook ships them ('' would mean every country or product line). */
export const LAB_TOP_N_PARAMS: QueryParams = { startDate: '2003-01-01', endDate: '2005-12-31', country: 'USA', productLine: 'Classic Cars', n: 5 };

/**
 * Which dashboard dataset each of the lab notebook's SQL cells answers (by the cell's `question` metadata), so a test
 * can hold the notebook's answers against the dashboard's.
 */
export type LabQuestion = 'tableRows' | 'tableColumns' | 'salesByCountry' | 'salesByProductLine' | 'monthlySales' | 'topProducts';

const md = (source: string): LabCell => ({ kind: 'md', source });
const sql = (question: LabQuestion, source: string): LabCell => ({ kind: 'sql', source, metadata: { question } });

const tableList = MODEL_TABLES.map((t) => `'${t}'`).join(', ');

/**
 * The lab's analysis as a notebook: the star schema, then the questions the lab's Jupyter notebook asked of Athena,
 * written against the lake tables. The same SQL runs on DuckDB (local lake) and Athena; the answers equal the
 * dashboard's (the extension tests compare them).
 */
export function labNotebook(): LabNotebook {
  const cells: LabCell[] = [
    md(`# Lifecycle Lab: analysing the star schema

Each SQL cell runs on the lab's query engine: DuckDB over the local lake, or Athena in AWS mode. Run a cell with
the ▷ button (or Run All); the result comes back as a table (sortable, paged, copy as CSV/TSV) and, when its shape
suits one, a chart. \`:name\` placeholders take their values from the parameters cell above them.`),
    md(`## 1. The star schema

The pipeline turned the eight classicmodels tables into one fact table, \`fact_orders\` (one row per order line,
with \`orderAmount = quantityOrdered × priceEach\`), and three dimensions it joins to: \`dim_customers\`
(on \`customerNumber\`), \`dim_products\` (on \`productCode\`) and \`dim_locations\` (on \`locationKey\`).`),
    sql('tableRows', `-- Rows per lake table
select 'dim_customers' as tableName, count(*) as rowCount from dim_customers
union all select 'dim_locations', count(*) from dim_locations
union all select 'dim_products', count(*) from dim_products
union all select 'fact_orders', count(*) from fact_orders
order by tableName`),
    sql('tableColumns', `-- Columns of each lake table
select table_name as tableName, column_name as columnName, data_type as dataType
from information_schema.columns
where table_name in (${tableList})
order by table_name, ordinal_position`),
    md(`## 2. Top-10 countries by sales

Facts join to their location on the surrogate \`locationKey\`: one location per key, so no order line counts twice.`),
    sql('salesByCountry', `select l.country as country, sum(f.orderAmount) as totalSales
from fact_orders f
join dim_locations l on f.locationKey = l.locationKey
group by l.country
order by totalSales desc, country
limit 10`),
    md(`## 3. Sales by product line`),
    sql('salesByProductLine', `select p.productLine as productLine, sum(f.orderAmount) as totalSales, sum(f.quantityOrdered) as quantity
from fact_orders f
join dim_products p on f.productCode = p.productCode
group by p.productLine
order by totalSales desc, productLine`),
    md(`## 4. Sales per month

One point per month of order dates: the chart is a line.`),
    sql('monthlySales', `select cast(date_trunc('month', orderDate) as date) as month, sum(orderAmount) as totalSales,
  count(distinct orderNumber) as orders
from fact_orders
group by cast(date_trunc('month', orderDate) as date)
order by month`),
    md(`## 5. Top-N products for a country, product line and date range

Change the values in the parameters cell and run the query again. An empty text (\`""\`) for \`country\` or
\`productLine\` means all of them. The values are bound by the engine, never pasted into the SQL.`),
    { kind: 'params', source: JSON.stringify(LAB_TOP_N_PARAMS, null, 2) },
    sql('topProducts', `select p.productName as productName, p.productLine as productLine,
  sum(f.orderAmount) as totalSales, sum(f.quantityOrdered) as quantity
from fact_orders f
join dim_locations l on f.locationKey = l.locationKey
join dim_products p on f.productCode = p.productCode
where f.orderDate between cast(:startDate as date) and cast(:endDate as date)
  and (:country = '' or l.country = :country)
  and (:productLine = '' or p.productLine = :productLine)
group by p.productName, p.productLine
order by totalSales desc, productName
limit :n`),
  ];
  return { metadata: {}, cells };
}

export function labNotebookText(): string {
  return serializeNotebook(labNotebook());
}
