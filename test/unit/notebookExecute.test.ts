import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { DuckDBPreparedStatement } from '@duckdb/node-api';
import { LabError } from '../../src/core/errors';
import {
  bindCellParams, chartShape, exportQueryCsv, MAX_ROWS_SHOWN, parseParamsCell, placeholdersOf, runSqlCell, summaryLine, toDelimited, toPlainText,
} from '../../src/core/notebook/execute';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import type { QueryEngine } from '../../src/core/query/engine';
import { expectLabError } from '../helpers';
import { buildTestLake, LOCATIONS, ORDER_LINES, orderAmount } from './dashboardLakeFixture';

suite('notebook cell execution (core)', function () {
  this.timeout(60_000);
  let lakeDir: string;
  let engine: DuckDbLakeEngine;

  suiteSetup(async () => {
    lakeDir = await buildTestLake();
    engine = new DuckDbLakeEngine(lakeDir, { materializeMaxBytes: 0 });
  });

  suiteTeardown(async () => {
    await engine?.close();
    if (lakeDir) await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('parameters are bound by the engine from what the notebook offers; unused ones are left out', async () => {
    const sql = `select l.country, sum(f.orderAmount) as totalSales from fact_orders f
join dim_locations l on f.locationKey = l.locationKey where l.country = :country group by l.country`;
    const run = await runSqlCell(engine, sql, { country: "Côte d'Ivoire' or 1=1 --", n: 5 });
    assert.deepEqual(run.output.rows, [], 'the value is data, never SQL');
    const france = await runSqlCell(engine, sql, { country: 'France', n: 5 });
    const expected = ORDER_LINES.filter((l) => LOCATIONS.find((x) => x.locationKey === l.locationKey)!.country === 'France')
      .reduce((a, l) => a + orderAmount(l), 0);
    assert.equal(france.output.rows.length, 1);
    assert.equal(Math.round(Number(france.output.rows[0][1]) * 100), Math.round(expected * 100));
    assert.deepEqual(france.output.params, { country: 'France' });
    assert.equal(france.output.engine, 'duckdb');
    assert.ok(france.output.stats.elapsedMs >= 0);
  });

  test('placeholders are found outside strings, comments and :: casts', () => {
    assert.deepEqual(placeholdersOf("select ':x', a::int, :b -- :c\n from t where d = :d or e = :b /* :f */"), ['b', 'd']);
  });

  test('a missing parameter names itself and where to give it', async () => {
    const err = await expectLabError(runSqlCell(engine, 'select * from dim_products where productLine = :line', {}), 'queryFailed');
    assert.match(err.message, /uses :line but no value was given: add it to a parameters cell above it/);
    assert.throws(() => bindCellParams('select :a, :b', { a: 1 }), /:b/);
  });

  test('parameters cells: JSON objects of text, numbers and null; anything else is a readable error', () => {
    assert.deepEqual(parseParamsCell('{"country": "USA", "n": 5, "none": null}'), { country: 'USA', n: 5, none: null });
    assert.deepEqual(parseParamsCell('  '), {});
    assert.throws(() => parseParamsCell('{"n": 5,}'), (e: unknown) => e instanceof LabError && /not valid JSON/.test(e.message));
    assert.throws(() => parseParamsCell('[1]'), /must be a JSON object .* got a list/);
    assert.throws(() => parseParamsCell('{"n": [5]}'), /:n is a list; a parameter is text, a number or null/);
    assert.throws(() => parseParamsCell('{"flag": true}'), /:flag is true; use 1 or 0/);
    assert.throws(() => parseParamsCell('{"bad name": 1}'), /"bad name" is not a parameter name/);
  });

  test('a parameter of the wrong type is a readable error that names the values', async () => {
    const err = await expectLabError(runSqlCell(engine, 'select productName from dim_products order by productName limit :n', { n: 'five' }), 'queryFailed');
    assert.match(err.message, /parameters: :n = "five"/);
  });

  test('a syntax error, a blank cell and a write are errors of that cell', async () => {
    await expectLabError(runSqlCell(engine, 'selec * form fact_orders', {}), 'queryFailed');
    await expectLabError(runSqlCell(engine, '-- nothing here\n', {}), 'queryFailed');
    const onlyComment = await expectLabError(runSqlCell(engine, '-- nothing here\n;\n', {}), 'queryFailed');
    assert.match(onlyComment.message, /no SQL/);
    assert.doesNotMatch(onlyComment.message, /native callback/i);
    const write = await expectLabError(runSqlCell(engine, "copy dim_products to '/tmp/x.csv'", {}), 'queryFailed');
    assert.match(write.message, /reads only the lake/);
  });

  test('a huge result is cut at MAX_ROWS_SHOWN and says how many rows there were', async () => {
    const run = await runSqlCell(engine, `select range as i, 'row ' || range as label from range(${MAX_ROWS_SHOWN + 123})`, {});
    assert.equal(run.output.rows.length, MAX_ROWS_SHOWN);
    assert.equal(run.output.totalRows, MAX_ROWS_SHOWN + 123);
    assert.equal(run.output.truncated, true);
    assert.match(summaryLine(run.output), /^5,000 of 5,123 rows shown \(export for all\)/);
  });

  test('a cell keeps only the rows it shows: the result is streamed, never read whole, and the run holds no more than MAX_ROWS_SHOWN rows', async () => {
    const streamOnly: QueryEngine = {
      kind: engine.kind,
      description: engine.description,
      query: () => Promise.reject(new Error('the whole result was read into memory')),
      stream: (sql, params, options) => engine.stream(sql, params, options),
      close: async () => undefined,
    };
    const run = await runSqlCell(streamOnly, 'select range as i from range(200000)', {});
    assert.equal(run.output.totalRows, 200_000);
    assert.equal(run.output.rows.length, MAX_ROWS_SHOWN);
    const held = JSON.stringify(run).length;
    assert.ok(held < JSON.stringify(run.output).length * 2, `the run holds ${held} characters of rows beyond its output`);
  });

  test('export re-runs the query into the file batch by batch (every row, in order, CSV-quoted)', async () => {
    const writes: string[] = [];
    const rows = await exportQueryCsv(engine, "select range as i, case when range % 2 = 0 then null else 'odd, \"q\"' end as parity from range(:n)", { n: 10_000 },
      (text) => { writes.push(text); });
    assert.equal(rows, 10_000);
    assert.ok(writes.length > 2, `written in ${writes.length} pieces, as the rows arrive`);
    const lines = writes.join('').trimEnd().split('\r\n');
    assert.equal(lines.length, 10_001);
    assert.deepEqual(lines.slice(0, 3), ['i,parity', '0,', '1,"odd, ""q"""']);
    assert.equal(lines[10_000], '9999,"odd, ""q"""');
  });

  test('cancelling interrupts the running DuckDB query', async () => {
    // A query that runs for seconds inside one DuckDB call (the aggregate is computed before the first row can be
    // read), so only DuckDB's interrupt can stop it: the engine's own checks between batches come after it.
    const sql = 'select sum((a.range * b.range) % 7) as s from range(15000) a, range(15000) b';
    // What DuckDB's execution call came to: a result (the query ran to its end) or an error (it was stopped).
    const prototype = DuckDBPreparedStatement.prototype;
    const original = prototype.stream;
    let handedToDuckDb: (() => void) | undefined;
    const executing = new Promise<void>((resolve) => { handedToDuckDb = resolve; });
    let duckDbOutcome: Promise<string> | undefined;
    prototype.stream = function (this: DuckDBPreparedStatement) {
      const execution = original.call(this);
      duckDbOutcome = execution.then(() => 'a result', (err: unknown) => `stopped: ${(err as Error).message}`);
      handedToDuckDb?.();
      return execution;
    };
    const controller = new AbortController();
    try {
      const work = runSqlCell(engine, sql, {}, controller.signal);
      let settled = false;
      work.then(() => { settled = true; }, () => { settled = true; });
      // The abort must land once DuckDB is executing (an interrupt that arrives before the query starts is lost and
      // the query runs to its end): the statement was handed to DuckDB and the process has since used CPU time
      // while this thread only waited.
      await Promise.race([executing, work.catch(() => undefined)]);
      await cpuTimeSpent(250, () => settled);
      controller.abort();
      await expectLabError(work, 'cancelled');
    } finally {
      prototype.stream = original;
    }
    const outcome = await duckDbOutcome!;
    assert.match(outcome, /^stopped: .*interrupt/i, `DuckDB's execution ended with ${outcome}, not interrupted before its result existed`);
  });

  test('outputs: CSV quoting and NULLs, TSV, plain text with NULL and the summary, chart shape from the result', () => {
    const columns = [{ name: 'name', type: 'VARCHAR' }, { name: 'totalSales', type: 'DECIMAL(18,2)' }];
    const rows = [['a, "b"', 1.5], [null, 2]];
    assert.equal(toDelimited(columns, rows, ','), 'name,totalSales\r\n"a, ""b""",1.5\r\n,2\r\n');
    assert.equal(toDelimited(columns, [['x\ty', null]], '\t'), 'name\ttotalSales\r\nx y\t\r\n');
    const output = { columns, rows, totalRows: 2, truncated: false, stats: { elapsedMs: 1500, bytesScanned: 2048, costUsd: 0.0000048 }, engine: 'athena', params: {} };
    const text = toPlainText(output);
    assert.match(text, /^name\s+totalSales\n/);
    assert.match(text, /NULL\s+2/);
    assert.match(text, /2 rows · 1\.5 s · 2\.0 KB scanned · ~\$0\.0000048 \(estimated\) · athena$/);
    assert.equal(chartShape(output), 'bar');
    assert.equal(chartShape({ columns: [{ name: 'month', type: 'DATE' }, columns[1]], rows: [['2003-01-01', 1], ['2003-02-01', 2]] }), 'line');
    assert.equal(chartShape({ columns, rows: [rows[0]] }), 'none', 'one row');
    assert.equal(chartShape({ columns: [columns[0], { name: 'other', type: 'VARCHAR' }], rows: [['a', 'b'], ['c', 'd']] }), 'none', 'no numbers');
  });
});

/** Resolves once this process (every thread, DuckDB's included) has used `ms` of CPU time from now, or once `done`. */
async function cpuTimeSpent(ms: number, done: () => boolean): Promise<void> {
  const start = process.cpuUsage();
  while (!done()) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
