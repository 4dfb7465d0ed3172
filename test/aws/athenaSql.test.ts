/**
 * The dashboard's named queries run unchanged on Athena: each one, compiled for Athena (`?` placeholders), must parse
 * with a real Trino/Athena grammar (sqlglot, read='athena') and use nothing DuckDB-only. sqlglot comes from
 * `scripts/setup.sh --test`; without it the suite skips locally and fails in CI.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { QUERIES, type LakeModel } from '../../src/core/dashboard/queries';
import { compileParams } from '../../src/core/query/params';

const CHECKER = path.resolve(__dirname, '../../../test/aws/athena_sql_check.py');

interface Checked {
  id: string;
  ok: boolean;
  problems: string[];
}

function check(items: Array<{ id: string; sql: string }>): Checked[] {
  const run = spawnSync('python3', [CHECKER], { input: JSON.stringify(items), encoding: 'utf8', timeout: 60_000 });
  assert.ok(run.stdout, `the checker printed nothing (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Checked[];
}

suite('dashboard queries parse as Athena SQL (sqlglot)', function () {
  this.timeout(60_000);

  suiteSetup(function () {
    const probe = spawnSync('python3', [CHECKER, '--version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      if (process.env.CI === 'true') assert.fail(`sqlglot is not importable in CI (run scripts/setup.sh --test): ${probe.stderr}`);
      this.skip();
    }
  });

  test('every named query, for both lake models, compiled for Athena', () => {
    const items = Object.values(QUERIES).flatMap((query) => (['star-v1', 'legacy'] as LakeModel[]).map((model) => {
      const params = Object.fromEntries(query.params.map((name) => [name, 'x']));
      return { id: `${query.id}/${model}`, sql: compileParams(query.sql(model), params, 'positional').sql };
    }));
    assert.ok(items.length >= 2 * 15, `${items.length} queries`);
    const failed = check(items).filter((r) => !r.ok);
    assert.deepEqual(failed, [], failed.map((f) => `${f.id}: ${f.problems.join('; ')}`).join('\n'));
  });

  test('negative controls: DuckDB-only forms are refused', () => {
    const duckdbOnly = {
      doubleColonCast: 'select orderDate::date from fact_orders',
      listLiteral: 'select [1, 2, 3] as l',
      structLiteral: "select {'a': 1} as s",
      starExclude: 'select * exclude (orderDate) from fact_orders',
      fromFirst: 'from fact_orders select orderNumber',
      duckdbFunction: "select * from read_parquet('gold/fact_orders/*.parquet')",
      qualify: 'select orderNumber from fact_orders qualify row_number() over (order by orderNumber) = 1',
      twoStatements: 'select 1; select 2',
    };
    const results = check(Object.entries(duckdbOnly).map(([id, sql]) => ({ id, sql })));
    for (const r of results) assert.ok(!r.ok && r.problems.length, `${r.id} should be refused`);
    // And a Trino form that DuckDB also runs passes: the checker is not refusing everything.
    assert.deepEqual(check([{ id: 'ok', sql: "select cast(? as date), array[1, 2][1] from t where a is not distinct from b offset ? limit ?" }])[0].problems, []);
  });
});
