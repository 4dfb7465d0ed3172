import { backendOptions, withBackend } from './backend';
import { cancelOnSigint, type CliArgs, type CliContext } from './context';
import { describeTestResult, runDataTests } from '../core/lake/dataTests';
import { findModelDir } from '../core/lake/model';
import { loadDataTests } from '../core/model/tests';

/**
 * `lifecycle-lab test`: the declared data tests (glue/sql/schema.yml, glue/sql/tests) on the configured mode's lake
 * through its query engine, read-only, the same queries a pipeline run runs before it publishes. Exit 1 when an
 * `error` test has failing rows (a `warn` one is reported), 0 otherwise. Ctrl-C stops it.
 */
export async function run(args: CliArgs, ctx: CliContext): Promise<number> {
  const tests = await loadDataTests(findModelDir());
  return withBackend(ctx, backendOptions(args), async (backend) => {
    const lake = backend.lake.location;
    const results = await cancelOnSigint((signal) => runDataTests(backend.query, tests, signal));
    const failed = results.filter((r) => r.status === 'fail');
    const warned = results.filter((r) => r.status === 'warn');
    if (ctx.json) {
      ctx.out(JSON.stringify({ ok: failed.length === 0, lake, tests: results }));
    } else {
      for (const r of results) ctx.out(`  ${{ pass: 'PASS', warn: 'WARN', fail: 'FAIL' }[r.status]} ${r.id}: ${describeTestResult(r)}`);
      ctx.out(`${failed.length ? `${failed.length} of ${results.length} data tests failed` : `All ${results.length} data tests passed`}`
        + `${warned.length ? ` (${warned.length} warned)` : ''} on ${lake}.`);
    }
    return failed.length ? 1 : 0;
  });
}
