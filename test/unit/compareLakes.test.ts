import * as assert from 'node:assert/strict';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { compareLakes, comparisonLines, comparisonMarkdown, type CompareTable } from '../../src/core/compare';
import { CancelledError } from '../../src/core/errors';
import { connectionEngine } from '../../src/core/query/connectionEngine';

/**
 * compareLakes over two DuckDB databases through the QueryEngine interface, as it reads two real lakes: the SQL it
 * writes (schema, counts, exact sums, rows ordered by key), columns matched across spellings (Glue lower-cases
 * names), decimals of other scales, and a table only one side has.
 */
suite('Compare Lakes: two engines side by side', () => {
  let instances: DuckDBInstance[] = [];
  let connections: DuckDBConnection[] = [];

  async function database(statements: string[]): Promise<DuckDBConnection> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    instances.push(instance);
    connections.push(connection);
    for (const sql of statements) await connection.run(sql);
    return connection;
  }

  teardown(() => {
    for (const c of connections) c.closeSync();
    for (const i of instances) i.closeSync();
    connections = [];
    instances = [];
  });

  const TABLES: CompareTable[] = [
    { name: 'dim_things', key: ['thingKey'], keyFrom: 'unique' },
    { name: 'fact_sales', key: ['orderNumber', 'line'], keyFrom: 'primary_key' },
  ];

  async function sides() {
    const left = await database([
      'create table dim_things ("thingKey" integer, name varchar, price decimal(10,2), since date)',
      "insert into dim_things values (1, 'a', 1.10, '2003-01-06'), (2, 'b', 2.20, '2003-02-01'), (3, 'c', 3.30, null), (10, null, null, null)",
      'create table fact_sales ("orderNumber" integer, line smallint, amount decimal(18,2))',
      'insert into fact_sales values (10100, 1, 10.01), (10100, 2, 0.01), (10101, 1, 9999999999999999.99)',
    ]);
    const right = await database([
      // Glue's spelling of the same columns; price at another scale; an extra column.
      'create table dim_things (thingkey integer, name varchar, price decimal(12,4), since date, extra varchar)',
      "insert into dim_things values (1, 'a', 1.1, '2003-01-06', 'x'), (2, 'b', 2.25, '2003-02-01', 'x'), (10, null, null, null, 'x'), (11, '<img src=x onerror=alert(1)>|', 5.5, '2004-01-01', 'x')",
    ]);
    return {
      left: { name: 'A lake', engine: connectionEngine(left, 'left DuckDB') },
      right: { name: 'B lake', engine: connectionEngine(right, 'right DuckDB') },
    };
  }

  test('rows, exact money totals, keys on one side only and the differing row, per table', async () => {
    const { left, right } = await sides();
    const result = await compareLakes(left, right, TABLES, { limit: 5 });
    assert.equal(result.equal, false);
    const things = result.tables[0];
    assert.equal(things.table, 'dim_things');
    assert.deepEqual([things.leftRows, things.rightRows], [4, 4]);
    assert.deepEqual(things.money, [{ column: 'price', left: '6.6000', right: '8.8500', equal: false }]);
    assert.deepEqual(things.onlyRightColumns, ['extra']);
    assert.deepEqual(things.columns.map((c) => c.name), ['thingKey', 'name', 'price', 'since']);
    assert.deepEqual(things.rows?.onlyLeft, [['3', 'c', '3.3000', null]]);
    assert.deepEqual(things.rows?.onlyRight, [['11', '<img src=x onerror=alert(1)>|', '5.5000', '2004-01-01']]);
    assert.deepEqual(things.rows?.differing, [{ key: ['2'], left: ['2', 'b', '2.2000', '2003-02-01'], right: ['2', 'b', '2.2500', '2003-02-01'], columns: ['price'] }]);
    assert.equal(things.rows?.equalRows, 2, '1.10 and 1.1000 are one value; the all-NULL row 10 equals its copy');

    const sales = result.tables[1];
    assert.equal(sales.leftRows, 3);
    assert.equal(sales.rightRows, undefined);
    assert.match(sales.rightError ?? '', /fact_sales/);
    assert.equal(sales.equal, false);
  });

  test('a lake compared with itself is equal, and its money total is exact to the cent at 16 digits before the point', async () => {
    const { left } = await sides();
    const result = await compareLakes(left, { name: 'same', engine: left.engine }, TABLES);
    assert.equal(result.equal, true, JSON.stringify(result.tables.map((t) => [t.table, t.equal])));
    assert.deepEqual(result.tables[1].money, [{ column: 'amount', left: '10000000000000010.01', right: '10000000000000010.01', equal: true }]);
    assert.deepEqual(result.tables[1].key, ['orderNumber', 'line']);
    assert.match(comparisonLines(result).at(-1)!, /The lakes are equal: 2 tables/);
  });

  test('progress reports the rows compared, and an abort then ends the comparison cancelled with both queries let go', async () => {
    const make = () => database(['create table big as select range as "thingKey", \'x\' as name from range(200000)']);
    const [left, right] = [connectionEngine(await make(), 'left'), connectionEngine(await make(), 'right')];
    const controller = new AbortController();
    const messages: string[] = [];
    await assert.rejects(compareLakes({ name: 'A', engine: left }, { name: 'B', engine: right }, [{ name: 'big', key: ['thingKey'], keyFrom: 'unique' }], {
      signal: controller.signal,
      onProgress: (p) => {
        messages.push(p.message);
        if (/rows compared/.test(p.message)) controller.abort();
      },
    }), (err) => err instanceof CancelledError);
    assert.match(messages.find((m) => /rows compared/.test(m)) ?? '', /^big: 10,000 of 400,000 rows compared$/);
    // A connection engine runs one statement at a time: this answers only once the aborted streams have let go.
    assert.deepEqual((await left.query('select 1')).rows, [[1]]);
    assert.deepEqual((await right.query('select 1')).rows, [[1]]);
  });

  test('the reports name the differences, and Markdown shows a lake value as text, never as markup', async () => {
    const { left, right } = await sides();
    const result = await compareLakes(left, right, TABLES);
    const lines = comparisonLines(result).join('\n');
    assert.match(lines, /dim_things \(key thingKey\): DIFFERENT/);
    assert.match(lines, /keys only in A: 1\n {4}thingKey=3/);
    assert.match(lines, /thingKey=2: price A 2\.2000 \| B 2\.2500/);
    assert.match(lines, /B cannot read it: .*fact_sales/);
    const markdown = comparisonMarkdown(result);
    assert.doesNotMatch(markdown, /(^|[^\\])</m, 'a < that is not escaped could open an HTML tag');
    assert.ok(markdown.includes('\\<img src\\=x onerror\\=alert\\(1\\)\\>\\|'), markdown);
  });
});
