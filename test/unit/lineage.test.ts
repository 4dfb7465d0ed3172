import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { columnView, lineageFocus, lineageGraph, type LineageGraph } from '../../src/core/lineage/graph';
import { findModelDir } from '../../src/core/lake/model';

/** What a reader of glue/sql expects: every lake column's source columns, written from reading the SQL. */
const EXPECTED_SOURCES: Record<string, string[]> = {
  'dim_customers.customerNumber': ['customers.customerNumber'],
  'dim_customers.customerName': ['customers.customerName'],
  'dim_customers.contactLastName': ['customers.contactLastName'],
  'dim_customers.contactFirstName': ['customers.contactFirstName'],
  'dim_customers.phone': ['customers.phone'],
  'dim_customers.addressLine1': ['customers.addressLine1'],
  'dim_customers.addressLine2': ['customers.addressLine2'],
  'dim_customers.creditLimit': ['customers.creditLimit'],
  'dim_products.productCode': ['products.productCode'],
  'dim_products.productName': ['products.productName'],
  'dim_products.productLine': ['products.productLine'],
  'dim_products.productScale': ['products.productScale'],
  'dim_products.productVendor': ['products.productVendor'],
  'dim_products.productDescription': ['products.productDescription'],
  'dim_products.productLineDescription': ['productlines.textDescription'],
  'dim_locations.locationKey': ['customers.city', 'customers.country', 'customers.postalCode', 'customers.state'],
  'dim_locations.postalCode': ['customers.postalCode'],
  'dim_locations.city': ['customers.city'],
  'dim_locations.state': ['customers.state'],
  'dim_locations.country': ['customers.country'],
  'fact_orders.orderNumber': ['orderdetails.orderNumber'],
  'fact_orders.orderLineNumber': ['orderdetails.orderLineNumber'],
  'fact_orders.orderDate': ['orders.orderDate'],
  'fact_orders.requiredDate': ['orders.requiredDate'],
  'fact_orders.shippedDate': ['orders.shippedDate'],
  'fact_orders.status': ['orders.status'],
  'fact_orders.customerNumber': ['orders.customerNumber'],
  'fact_orders.productCode': ['orderdetails.productCode'],
  'fact_orders.locationKey': ['customers.city', 'customers.country', 'customers.postalCode', 'customers.state'],
  'fact_orders.quantityOrdered': ['orderdetails.quantityOrdered'],
  'fact_orders.priceEach': ['orderdetails.priceEach'],
  'fact_orders.orderAmount': ['orderdetails.priceEach', 'orderdetails.quantityOrdered'],
  'fact_orders.buyPrice': ['products.buyPrice'],
  'fact_orders.MSRP': ['products.MSRP'],
};

const names = (refs: { table: string; column: string }[]) => refs.map((r) => `${r.table}.${r.column}`).sort();

function lakeSources(graph: LineageGraph): Record<string, string[]> {
  return Object.fromEntries(graph.columns.filter((c) => c.published).map((c) => [`${c.table}.${c.column}`, names(c.sources)]));
}

/** A copy of glue/sql with `edit` applied to one file. */
function changedModel(file: string, edit: (sql: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-model-'));
  fs.cpSync(findModelDir(), dir, { recursive: true });
  const target = path.join(dir, file);
  const before = fs.readFileSync(target, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, `the edit changed ${file}`);
  fs.writeFileSync(target, after);
  return dir;
}

suite('Lineage from the model SQL (DuckDB parser)', function () {
  this.timeout(30_000);
  let shipped: LineageGraph;
  suiteSetup(async () => { shipped = await lineageGraph(findModelDir()); });

  test('every column of the four lake tables comes from the source columns a reader of the SQL expects', () => {
    assert.deepEqual(lakeSources(shipped), Object.fromEntries(Object.entries(EXPECTED_SOURCES).map(([k, v]) => [k, [...v].sort()])));
  });

  test('expressions, staging hops, joins and positions are those of the SQL', () => {
    const col = (n: string) => shipped.columns.find((c) => `${c.table}.${c.column}` === n)!;
    const amount = col('fact_orders.orderAmount');
    assert.match(amount.expression, /^CAST\(\(order_lines\.quantityOrdered \* order_lines\.priceEach\) AS DECIMAL\(18,2\)\)$/);
    assert.equal(path.basename(amount.file), 'fact_orders.sql');
    assert.match(fs.readFileSync(amount.file, 'utf8').split('\n')[amount.line - 1], /as orderAmount/);
    assert.deepEqual(amount.joins, [], 'order lines are the root of the fact query: no join feeds their columns');

    const location = col('fact_orders.locationKey');
    assert.deepEqual(names(location.reads), ['stg_customer_locations.locationKey'], 'read through the staging model');
    assert.deepEqual(location.joins.map((j) => j.condition), [
      '(order_lines.orderNumber = order_headers.orderNumber)',
      '(order_headers.customerNumber = customer_locations.customerNumber)',
    ]);
    assert.deepEqual(names(location.joins[1].reads), ['orders.customerNumber', 'stg_customer_locations.customerNumber']);
    const staged = col('stg_customer_locations.locationKey');
    assert.equal(staged.published, false);
    assert.match(staged.expression, /dense_rank\(\) OVER \(ORDER BY countryKey, stateKey, cityKey, postalCodeKey\)/);
    assert.match(fs.readFileSync(staged.file, 'utf8').split('\n')[staged.line - 1], /dense_rank|as locationKey/);
    assert.deepEqual(col('stg_customer_locations.postalCodeKey').expression, "COALESCE(trim(postalCode), '')");
    assert.deepEqual(col('dim_products.productLineDescription').joins.map((j) => j.kind), ['LEFT']);
  });

  test('every dashboard card and notebook cell names the lake columns its SQL reads', () => {
    const reader = (kind: string, id: string) => shipped.readers.find((r) => r.kind === kind && r.id === id)!;
    assert.deepEqual(names(reader('card', 'filterCountries').reads), ['dim_locations.country']);
    assert.deepEqual(names(reader('card', 'salesByProductLine').reads),
      ['dim_products.productCode', 'dim_products.productLine', 'fact_orders.orderAmount', 'fact_orders.productCode', 'fact_orders.quantityOrdered']);
    assert.deepEqual(names(reader('card', 'kpis').reads), ['fact_orders.customerNumber', 'fact_orders.orderAmount', 'fact_orders.orderNumber']);
    assert.deepEqual(names(reader('cell', 'salesByCountry').reads),
      ['dim_locations.country', 'dim_locations.locationKey', 'fact_orders.locationKey', 'fact_orders.orderAmount']);
    for (const r of shipped.readers) {
      assert.deepEqual(r.missing, [], `${r.kind} ${r.id} reads only existing lake columns`);
      assert.ok(r.tables.length > 0, `${r.kind} ${r.id} reads a lake table`);
    }
    assert.ok(shipped.readers.filter((r) => r.kind === 'card').length >= 10);
  });

  test('a source column shows every model column and card that depends on it', () => {
    const view = columnView(shipped, 'customers.postalCode');
    assert.ok('source' in view);
    assert.deepEqual(view.downstream.map((c) => `${c.table}.${c.column}`).sort(), [
      'dim_locations.locationKey', 'dim_locations.postalCode', 'fact_orders.locationKey',
      'stg_customer_locations.locationKey', 'stg_customer_locations.postalCodeKey',
    ]);
    assert.ok(view.readers.some((r) => r.id === 'salesByCountryTop10'));
    assert.ok(!view.readers.some((r) => r.id === 'filterProductLines'));
    assert.throws(() => columnView(shipped, 'fact_orders.nope'), /neither a column of the model/);
  });

  test('a dashboard card\'s lineage: the lake columns its SQL reads, what makes them, and their source columns', () => {
    const focus = lineageFocus(shipped, 'dataset:salesByCountry');
    const lane = (l: string) => focus.nodes.filter((n) => n.lane === l).map((n) => n.label).sort();
    assert.equal(focus.focus, 'card:salesByCountryTop10');
    assert.deepEqual(lane('reader'), ['Dashboard: Total sales by country (top 10)']);
    assert.deepEqual(lane('lake'), ['dim_locations.country', 'dim_locations.locationKey', 'fact_orders.locationKey', 'fact_orders.orderAmount']);
    assert.deepEqual(lane('staging'), ['stg_customer_locations.countryKey', 'stg_customer_locations.locationKey']);
    assert.deepEqual(lane('source'), ['customers.city', 'customers.country', 'customers.postalCode', 'customers.state', 'orderdetails.priceEach', 'orderdetails.quantityOrdered']);
    assert.ok(focus.edges.some((e) => e.from === 'model:fact_orders.orderAmount' && e.to === 'card:salesByCountryTop10'));
    assert.ok(focus.edges.some((e) => e.from === 'source:orderdetails.priceEach' && e.to === 'model:fact_orders.orderAmount'));
    const filters = lineageFocus(shipped, 'dataset:filterOptions');
    assert.equal(filters.nodes.filter((n) => n.lane === 'reader').length, 3, 'the filter card asks three queries');
    assert.throws(() => lineageFocus(shipped, 'card:nope'), /No dashboard card nope/);
  });

  test('a changed model changes the lineage: locations keyed by postalCode alone, as the original lab did', async () => {
    const dir = changedModel('fact_orders.sql', (sql) => sql.replace('customer_locations.locationKey,', 'customer_locations.postalCodeKey as locationKey,'));
    try {
      const changed = lakeSources(await lineageGraph(dir));
      assert.deepEqual(changed['fact_orders.locationKey'], ['customers.postalCode']);
      const { ['fact_orders.locationKey']: _, ...rest } = changed;
      const { ['fact_orders.locationKey']: __, ...expectedRest } = lakeSources(shipped);
      assert.deepEqual(rest, expectedRest, 'the other columns are unchanged');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a model change that drops a column the cards read is reported by each card that reads it', async () => {
    const dir = changedModel('fact_orders.sql', (sql) => sql.replace(/\n\s*cast\(order_lines\.quantityOrdered \* order_lines\.priceEach as decimal\(18,2\)\) as orderAmount,/, ''));
    try {
      const graph = await lineageGraph(dir);
      const broken = graph.readers.filter((r) => r.missing.length).map((r) => `${r.kind} ${r.id}`).sort();
      assert.deepEqual(broken, [
        'card kpis', 'card monthlySales', 'card salesByCountryTop10', 'card salesByProductLine', 'card salesDetail', 'card topProducts',
        'cell monthlySales', 'cell salesByCountry', 'cell salesByProductLine', 'cell topProducts',
      ]);
      assert.ok(graph.readers.filter((r) => r.missing.length).every((r) => r.missing.every((m) => /orderAmount/.test(m))));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a model that reads a column the source does not have is an error naming the file and the column', async () => {
    const dir = changedModel('dim_products.sql', (sql) => sql.replace('product_rows.productVendor,', 'product_rows.productMaker,'));
    try {
      await assert.rejects(lineageGraph(dir), /dim_products\.sql: no table it reads has a column product_rows\.productMaker/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
