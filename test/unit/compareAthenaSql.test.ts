import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { compareLakes } from '../../src/core/compare';
import { connectionEngine } from '../../src/core/query/connectionEngine';
import type { QueryEngine } from '../../src/core/query/engine';

const CHECKER = path.resolve(__dirname, '../../../test/aws/athena_sql_check.py');

/**
 * Compare Lakes reads an AWS lake through Athena with the same SQL it sends DuckDB: every statement a comparison sends
 * (schema, counts and sums, the key-ordered packed rows) must parse with Athena's engine-3 (Trino) grammar and use
 * nothing DuckDB-only (sqlglot, read='athena', via test/aws/athena_sql_check.py; skipped locally without sqlglot).
 */
suite('Compare Lakes: its SQL parses as Athena SQL (sqlglot)', function () {
  this.timeout(60_000);
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;

  suiteSetup(function () {
    const probe = spawnSync('python3', [CHECKER, '--version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      if (process.env.CI === 'true') assert.fail(`sqlglot is not importable in CI (run scripts/setup.sh --test): ${probe.stderr}`);
      this.skip();
    }
  });

  suiteTeardown(() => {
    connection?.closeSync();
    instance?.closeSync();
  });

  test('every statement of a comparison with decimal, integer, date, text, boolean, float and timestamp columns', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await connection.run(`create table fact_t ("orderNumber" integer, "productCode" varchar, amount decimal(18,2), day date,
      shipped boolean, ratio double, seen timestamp)`);
    await connection.run(`insert into fact_t values (1, 'a', 1.50, '2003-01-06', true, 0.5, '2003-01-06 10:00:00')`);
    const sent: string[] = [];
    const inner = connectionEngine(connection, 'recorded DuckDB');
    const recording: QueryEngine = {
      kind: inner.kind,
      description: inner.description,
      query: (sql, params, signal) => { sent.push(sql); return inner.query(sql, params, signal); },
      stream: (sql, params, options) => { sent.push(sql); return inner.stream(sql, params, options); },
      close: () => inner.close(),
    };
    const result = await compareLakes({ name: 'A', engine: recording }, { name: 'B', engine: recording },
      [{ name: 'fact_t', key: ['orderNumber', 'productCode'], keyFrom: 'primary_key' }]);
    assert.equal(result.equal, true);
    assert.ok(sent.some((sql) => /ORDER BY/.test(sql)), 'the rows were read in key order');
    const run = spawnSync('python3', [CHECKER], { input: JSON.stringify(sent.map((sql, i) => ({ id: String(i), sql }))), encoding: 'utf8', timeout: 60_000 });
    assert.ok(run.stdout, `the checker printed nothing (exit ${run.status}): ${run.stderr}`);
    const failed = (JSON.parse(run.stdout) as Array<{ id: string; ok: boolean; problems: string[] }>).filter((c) => !c.ok);
    assert.deepEqual(failed.map((c) => `${sent[Number(c.id)]}: ${c.problems.join('; ')}`), []);
  });
});
