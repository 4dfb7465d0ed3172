import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LabError } from '../../src/core/errors';
import { runDataTests, testCheck } from '../../src/core/lake/dataTests';
import { findModelDir } from '../../src/core/lake/model';
import { describeEvent } from '../../src/core/run/describe';
import { loadDataTests, parseSchemaTests, parseSingularTest, type DataTest } from '../../src/core/model';
import { connectionEngine } from '../../src/core/query/connectionEngine';
import { expectLabError } from '../helpers';

const MODELS = ['dim_customers', 'dim_products', 'fact_orders'];

function parseError(text: string): LabError {
  try {
    parseSchemaTests(text, '/m/schema.yml', MODELS);
  } catch (err) {
    assert.ok(err instanceof LabError, String(err));
    return err;
  }
  return assert.fail('expected the declarations to be refused');
}

suite('Declared data tests: schema.yml and singular tests', () => {
  test('the repository declares the generic tests the reconciliation used to hard-code, and a singular test', async () => {
    const tests = await loadDataTests(findModelDir());
    const ids = tests.map((t) => `${t.id}:${t.severity}`);
    for (const id of [
      'unique_dim_customers_customerNumber:error', 'unique_dim_products_productCode:error', 'unique_dim_locations_locationKey:error',
      'relationships_fact_orders_customerNumber_to_dim_customers:error', 'relationships_fact_orders_productCode_to_dim_products:error',
      'relationships_fact_orders_locationKey_to_dim_locations:error', 'not_null_dim_products_productLineDescription:error',
      'accepted_values_fact_orders_status:warn', 'fact_orders_shipped_before_ordered:error',
    ]) assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
  });

  test('each kind compiles to one query of the failing rows (the spec the Glue job meets too)', async () => {
    // test/fixtures/data-tests/compile.json: glue/tests/test_glue_job.py holds glue_job.py to the same files and SQL.
    const spec = JSON.parse(await fs.readFile(path.join(__dirname, '../../../test/fixtures/data-tests/compile.json'), 'utf8')) as {
      models: string[]; files: Record<string, string>; expected: [string, string, string, string][];
    };
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-datatests-'));
    try {
      for (const model of spec.models) await fs.writeFile(path.join(dir, `${model}.sql`), 'select 1 as a');
      await fs.mkdir(path.join(dir, 'tests'));
      for (const [name, text] of Object.entries(spec.files)) await fs.writeFile(path.join(dir, name), text);
      const tests = await loadDataTests(dir);
      assert.deepEqual(tests.map((t) => [t.id, t.kind, t.severity, t.sql]), spec.expected);
      assert.deepEqual(tests.map((t) => t.model), ['fact_orders', 'fact_orders', 'fact_orders', 'fact_orders', 'fact_orders']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('a bad declaration is refused naming the file and the entry', () => {
    const cases: [string, RegExp][] = [
      ['models: [ { name: fact_orders', /\/m\/schema\.yml are not valid: line \d+: not YAML/],
      ['models:\n  - name: fact_orders\n    columns:\n      - name: status\n        tests: [uniq]', /fact_orders\.status test 1: unknown test 'uniq'/],
      ['models:\n  - name: fact_orders\n    columns:\n      - name: status\n        tests:\n          - unique\n          - accepted_values: { values: [] }',
        /fact_orders\.status test 2: accepted_values values: values must list at least one value/],
      ['models:\n  - name: fact_orders\n    columns:\n      - name: c\n        tests:\n          - not_null: { config: { severity: fatal } }',
        /fact_orders\.c test 1: not_null config\.severity: severity must be 'error' or 'warn'/],
      ['models:\n  - name: fact_orders\n    columns:\n      - name: c\n        tests:\n          - relationships: { to: dim_products, field: c }',
        /relationships to: to must be ref\('<model>'\)/],
      ['models:\n  - name: fact_orders\n    columns:\n      - name: c\n        tests:\n          - relationships: { to: "ref(\'dim_nope\')", field: c }',
        /fact_orders\.c test 1: relationships to: there is no dim_nope\.sql beside it/],
      ['models:\n  - name: fact_order\n    columns: []', /model fact_order: there is no fact_order\.sql beside it/],
      ['models:\n  - name: "fact_orders; drop"', /models\.0\.name: a model name must be a plain identifier/],
      ["models:\n  - name: fact_orders\n    columns:\n      - name: s\n        tests:\n          - accepted_values: { values: [\"O'Hara\"] }",
        /accepted value may not contain a quote/],
      ['models:\n  - name: fact_orders\n    columns:\n      - name: s\n        tests: [unique, unique]', /unique_fact_orders_s is declared twice/],
    ];
    for (const [text, expected] of cases) {
      const err = parseError(text);
      assert.equal(err.code, 'config');
      assert.match(err.message, expected);
      assert.match(err.message, /\/m\/schema\.yml/);
    }
  });

  test('a singular test: error unless its leading comment says warn, listed under the first model it reads', () => {
    assert.equal(parseSingularTest('select 1 from dim_products p join fact_orders f on 1 = 1', '/m/tests/x.sql', MODELS).model, 'dim_products');
    assert.equal(parseSingularTest('select 1 from dim_customers', '/m/tests/x.sql', MODELS).severity, 'error');
    assert.throws(() => parseSingularTest('-- severity: loud\nselect 1 from fact_orders', '/m/tests/x.sql', MODELS), /x\.sql are not valid: severity/);
    assert.throws(() => parseSingularTest('delete from fact_orders', '/m/tests/x.sql', MODELS), /one SELECT returning the failing rows/);
  });

  test('a folder with schema.yml and tests/: a singular test named like a generic one is refused', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-datatests-'));
    try {
      await fs.writeFile(path.join(dir, 'fact_orders.sql'), 'select 1 as a');
      await fs.writeFile(path.join(dir, 'schema.yml'), 'models:\n  - name: fact_orders\n    columns:\n      - name: a\n        tests: [unique]\n');
      await fs.mkdir(path.join(dir, 'tests'));
      await fs.writeFile(path.join(dir, 'tests', 'unique_fact_orders_a.sql'), 'select * from fact_orders');
      const err = await expectLabError(loadDataTests(dir), 'config');
      assert.match(err.message, /unique_fact_orders_a\.sql.*also declared in schema\.yml/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

suite('Declared data tests run on DuckDB', () => {
  let instance: DuckDBInstance;
  let duck: DuckDBConnection;
  let declared: DataTest[];

  suiteSetup(async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    instance = await DuckDBInstance.create(':memory:');
    duck = await instance.connect();
    await duck.run(`create table dim_customers as select * from (values (1, 'A'), (2, 'B'), (2, 'B2')) t(customerNumber, customerName)`);
    await duck.run(`create table dim_products as select * from (values ('P1', 'Cars'), ('P2', null)) t(productCode, productLineDescription)`);
    await duck.run(`create table fact_orders as select * from (values
      (10, 1, 1, 'P1', 'Shipped'), (10, 2, 1, 'P9', 'Shipped'), (11, 1, 2, 'P1', 'Lost'), (12, 1, null, 'P2', 'Shipped'))
      t(orderNumber, orderLineNumber, customerNumber, productCode, status)`);
    declared = parseSchemaTests(`
models:
  - name: dim_customers
    columns:
      - name: customerNumber
        tests: [unique, not_null]
  - name: dim_products
    columns:
      - name: productLineDescription
        tests: [not_null]
  - name: fact_orders
    columns:
      - name: customerNumber
        tests:
          - relationships: { to: "ref('dim_customers')", field: customerNumber }
      - name: productCode
        tests:
          - relationships: { to: "ref('dim_products')", field: productCode }
      - name: status
        tests:
          - accepted_values: { values: [Shipped], config: { severity: warn } }
`, '/m/schema.yml', MODELS);
  });

  suiteTeardown(() => {
    duck?.closeSync();
    instance?.closeSync();
  });

  test('each test counts its failing rows and names them; a warn test warns, an error test fails', async () => {
    const results = await runDataTests(connectionEngine(duck, 'test DuckDB'), declared);
    assert.deepEqual(results.map((r) => [r.id, r.status, r.failingRows]), [
      ['unique_dim_customers_customerNumber', 'fail', 1],
      ['not_null_dim_customers_customerNumber', 'pass', 0],
      ['not_null_dim_products_productLineDescription', 'fail', 1],
      // a NULL key is not_null's to report, not an orphan
      ['relationships_fact_orders_customerNumber_to_dim_customers', 'pass', 0],
      ['relationships_fact_orders_productCode_to_dim_products', 'fail', 1],
      ['accepted_values_fact_orders_status', 'warn', 1],
    ]);
    assert.deepEqual(results[0].sample, [{ customerNumber: 2, duplicate_rows: 2 }]);
    assert.deepEqual(results[4].sample, [{ orderNumber: 10, orderLineNumber: 2, customerNumber: 1, productCode: 'P9', status: 'Shipped' }]);
    const check = testCheck(results[4]);
    assert.equal(check.ok, false);
    assert.match(check.message, /^1 failing row in fact_orders\.productCode: \(orderNumber=10, orderLineNumber=2, customerNumber=1, productCode=P9, status=Shipped\)$/);
    const warn = testCheck(results[5]);
    assert.deepEqual([warn.ok, warn.warning], [true, true]);
    assert.match(describeEvent({ kind: 'check', check: warn })!.text, /^ {2}WARN accepted_values_fact_orders_status: 1 failing row .*\(severity warn\): .*status=Lost/);
  });

  test('a test whose query the engine refuses fails naming the test and its file', async () => {
    const broken = { ...declared[0], id: 'unique_dim_customers_nope', sql: 'select nope from dim_customers' };
    const err = await expectLabError(runDataTests(connectionEngine(duck, 'test DuckDB'), [broken]), 'queryFailed');
    assert.match(err.message, /The data test unique_dim_customers_nope \(\/m\/schema\.yml\) failed to run on test DuckDB/);
  });
});
