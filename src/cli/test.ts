import { cancelOnSigint, lakeDirOption, type CliArgs, type CliContext } from './context';
import { describeTestResult, runDataTests } from '../core/lake/dataTests';
import { findModelDir } from '../core/lake/model';
import { loadDataTests } from '../core/model/tests';
import { DuckDbLakeEngine } from '../core/query/duckdb';

/**
 * `lifecycle-lab test`: the declared data tests (glue/sql/schema.yml, glue/sql/tests) on the current local lake,
 * read-only, the same queries a pipeline run runs before it publishes. Exit 1 when an `error` test has failing rows
 * (a `warn` one is reported), 0 otherwise. Ctrl-C stops it.
 */
export async function run(args: CliArgs, ctx: CliContext): Promise<number> {
  const lakeDir = lakeDirOption(args, ctx);
  const tests = await loadDataTests(findModelDir());
  const engine = new DuckDbLakeEngine(lakeDir, { materializeMaxBytes: 0 });
  try {
    const results = await cancelOnSigint((signal) => runDataTests(engine, tests, signal));
    const failed = results.filter((r) => r.status === 'fail');
    const warned = results.filter((r) => r.status === 'warn');
    if (ctx.json) {
      ctx.out(JSON.stringify({ ok: failed.length === 0, lakeDir, tests: results }));
    } else {
      for (const r of results) ctx.out(`  ${{ pass: 'PASS', warn: 'WARN', fail: 'FAIL' }[r.status]} ${r.id}: ${describeTestResult(r)}`);
      ctx.out(`${failed.length ? `${failed.length} of ${results.length} data tests failed` : `All ${results.length} data tests passed`}`
        + `${warned.length ? ` (${warned.length} warned)` : ''} on ${lakeDir}.`);
    }
    return failed.length ? 1 : 0;
  } finally {
    await engine.close();
  }
}
