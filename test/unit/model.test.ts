import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { stageTableDdl } from '../../src/core/lake/extract';
import { MODEL_TABLES } from '../../src/core/run/manifest';
import { findModelDir, loadModel, type ModelFile } from '../../src/core/lake/model';
import { SOURCE_TABLES } from '../../src/core/lake/sourceSchema';
import { lineageGraph } from '../../src/core/lineage/graph';
import { SqlParser } from '../../src/core/model';
import { sqlLiteral } from '../../src/core/query/sqlText';

/**
 * The model SQL on DuckDB over small hand-made source tables with the awkward cases the lab dump has
 * (shared postal codes, NULL and blank parts, stray whitespace), so the corrected location logic is pinned down.
 */
const CUSTOMERS = [
  // customerNumber, name, last, first, phone, addr1, addr2, city, state, postalCode, country, creditLimit
  [1, 'A', 'l', 'f', 'p', 'a1', null, 'San Rafael', 'CA', '97562', 'USA', '100.00'],
  [2, 'B', 'l', 'f', 'p', 'a1', null, 'San Francisco', 'CA', '94217', 'USA', '0.00'],
  [3, 'C', 'l', 'f', 'p', 'a1', null, 'Burbank', 'CA', '94217', 'USA', null], // same postal code, another city
  [4, 'D', 'l', 'f', 'p', 'a1', 'x', 'Madrid', null, null, 'Spain', '10.50'],
  [5, 'E', 'l', 'f', 'p', 'a1', null, 'Madrid', '', '', 'Spain', '1.00'], // blank = NULL: same location as 4
  [6, 'F', 'l', 'f', 'p', 'a1', null, ' San Francisco ', 'CA', ' 94217', 'USA', '2.00'], // stray spaces: same as 2
];
const ORDERS = [
  [10, '2003-01-06', '2003-01-13', '2003-01-10', 'Shipped', 1],
  [11, '2004-02-29', '2004-03-05', null, 'In Process', 2],
  [12, '2005-05-31', '2005-06-09', '2005-06-01', 'Shipped', 3],
  [13, '2005-05-31', '2005-06-09', '2005-06-01', 'Shipped', 4],
  [14, '2005-05-31', '2005-06-09', '2005-06-01', 'Shipped', 5],
  [15, '2005-05-31', '2005-06-09', '2005-06-01', 'Shipped', 6],
];
const DETAILS = [
  [10, 'P1', 30, '136.00', 1], [10, 'P2', 50, '55.09', 2], [11, 'P1', 1, '0.01', 1], [12, 'P2', 20, '99.99', 1],
  [13, 'P1', 3, '10.10', 1], [14, 'P2', 4, '20.20', 1], [15, 'P1', 5, '30.30', 1],
];
const PRODUCTS = [
  ['P1', 'Car', 'Classic Cars', '1:10', 'V', 'd', '50.00', '150.00'],
  ['P2', 'Ship', 'Ships', '1:700', 'V', 'd', '20.00', '70.00'],
];
const LINES = [['Classic Cars', 'Cars text'], ['Ships', null]];

function sqlValue(v: unknown): string {
  return v === null ? 'null' : typeof v === 'number' ? String(v) : sqlLiteral(String(v));
}

async function runModel(models: ModelFile[], customerOrder: unknown[][]): Promise<{ instance: DuckDBInstance; duck: DuckDBConnection }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  const rows: Record<string, unknown[][]> = { customers: customerOrder, orders: ORDERS, orderdetails: DETAILS, products: PRODUCTS, productlines: LINES };
  for (const table of SOURCE_TABLES) {
    await duck.run(stageTableDdl(table));
    await duck.run(`insert into "${table.name}" values ${rows[table.name].map((r) => `(${r.map(sqlValue).join(', ')})`).join(', ')}`);
  }
  for (const m of models) await duck.run(`create table "${m.table}" as ${m.sql}`);
  return { instance, duck };
}

async function all(duck: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await duck.runAndReadAll(sql)).getRowsJS() as unknown[][];
}

suite('model SQL on DuckDB', function () {
  this.timeout(30_000);
  let models: ModelFile[];

  suiteSetup(async () => {
    models = await loadModel(findModelDir(__dirname));
  });

  test('the model runs staging, then dimensions, then the fact, and publishes exactly the star tables', () => {
    assert.deepEqual(models.map((m) => m.table), ['stg_customer_locations', 'dim_customers', 'dim_locations', 'dim_products', 'fact_orders']);
    assert.deepEqual(models.filter((m) => m.published).map((m) => m.table).sort(), [...MODEL_TABLES].sort());
  });

  test('each model is one SELECT whose work is in named CTEs (parsed, not matched as text)', async () => {
    const parser = new SqlParser();
    try {
      const parsed = await parser.parse(models.map((m) => m.sql), models.map((m) => m.table));
      parsed.forEach(({ node }, i) => {
        assert.equal(node.type, 'SELECT_NODE', models[i].table);
        const ctes = (node.cte_map as { map: { key: string }[] }).map.map((c) => c.key);
        assert.ok(ctes.includes('final'), `${models[i].table} names its last step final (CTEs: ${ctes.join(', ')})`);
      });
      await assert.rejects(parser.parse(['select 1; select 2'], ['two statements']), /more than one statement/);
    } finally {
      parser.close();
    }
  });

  test('locations: one per distinct trimmed natural key (NULL = blank), and exactly one fact row per order line', async () => {
    const { instance, duck } = await runModel(models, CUSTOMERS);
    try {
      const locations = await all(duck, 'select locationKey, postalCode, city, state, country from dim_locations order by locationKey');
      assert.deepEqual(locations, [
        [1, null, 'Madrid', null, 'Spain'],
        [2, '94217', 'Burbank', 'CA', 'USA'],
        [3, '94217', 'San Francisco', 'CA', 'USA'],
        [4, '97562', 'San Rafael', 'CA', 'USA'],
      ]);
      assert.deepEqual(await all(duck, 'select cast(count(*) as int) from fact_orders'), [[DETAILS.length]]);
      const byCustomer = await all(duck, 'select customerNumber, min(locationKey), max(locationKey) from fact_orders group by 1 order by 1');
      assert.deepEqual(byCustomer, [[1, 4, 4], [2, 3, 3], [3, 2, 2], [4, 1, 1], [5, 1, 1], [6, 3, 3]]);
      assert.deepEqual(await all(duck, 'select cast(sum(orderAmount) as varchar) from fact_orders'), [['9096.91']]);
      const types = await all(duck, `select column_name, column_type from (describe fact_orders)
        where column_name in ('orderDate', 'shippedDate', 'priceEach', 'orderAmount', 'buyPrice', 'MSRP', 'locationKey', 'orderLineNumber')
        order by column_name`);
      assert.deepEqual(types, [
        ['MSRP', 'DECIMAL(10,2)'], ['buyPrice', 'DECIMAL(10,2)'], ['locationKey', 'INTEGER'], ['orderAmount', 'DECIMAL(18,2)'],
        ['orderDate', 'DATE'], ['orderLineNumber', 'SMALLINT'], ['priceEach', 'DECIMAL(10,2)'], ['shippedDate', 'DATE'],
      ]);
      assert.deepEqual(await all(duck, "select productLineDescription from dim_products order by productCode"), [['Cars text'], [null]]);
      assert.deepEqual((await all(duck, 'select * from dim_customers limit 0')).length, 0);
      const customerColumns = (await duck.runAndReadAll('select * from dim_customers limit 0')).columnNames();
      assert.deepEqual(customerColumns, ['customerNumber', 'customerName', 'contactLastName', 'contactFirstName', 'phone', 'addressLine1', 'addressLine2', 'creditLimit']);
    } finally {
      duck.closeSync();
      instance.closeSync();
    }
  });

  test('a missing star table or a file outside the layers is named', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-'));
    try {
      for (const m of models) await fs.writeFile(path.join(dir, `${m.table}.sql`), m.sql);
      await fs.rm(path.join(dir, 'dim_products.sql'));
      await assert.rejects(loadModel(dir), /dim_products\.sql is missing/);
      await fs.writeFile(path.join(dir, 'dim_products.sql'), 'select 1;');
      await fs.writeFile(path.join(dir, 'report.sql'), 'select 1');
      await assert.rejects(loadModel(dir), /report\.sql is not named stg_\*, dim_\* or fact_\*/);
      await fs.rm(path.join(dir, 'report.sql'));
      assert.equal((await loadModel(dir)).find((m) => m.table === 'dim_products')?.sql, 'select 1');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('the location natural key is written once: only the staging model reads the customers\' location columns', async () => {
    const graph = await lineageGraph(findModelDir(__dirname));
    const LOCATION = ['postalCode', 'city', 'state', 'country'];
    const direct = graph.columns.filter((c) => c.reads.some((r) => r.table === 'customers' && LOCATION.includes(r.column)));
    assert.deepEqual([...new Set(direct.map((c) => c.table))], ['stg_customer_locations']);
    const key = direct.find((c) => c.column === 'locationKey');
    assert.deepEqual(key?.reads.map((r) => r.column).sort(), [...LOCATION].sort(), 'the key ranks all four parts');
  });

  test('location keys do not depend on the order rows arrive in', async () => {
    const a = await runModel(models, CUSTOMERS);
    const b = await runModel(models, [...CUSTOMERS].reverse());
    try {
      const sql = 'select locationKey, postalCode, city, state, country from dim_locations order by locationKey';
      assert.deepEqual(await all(b.duck, sql), await all(a.duck, sql));
    } finally {
      for (const x of [a, b]) { x.duck.closeSync(); x.instance.closeSync(); }
    }
  });
});
