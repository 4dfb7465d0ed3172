/**
 * `lifecycle-lab check` on the integration lab (the repo's local MariaDB with the dump): healthy with a lake the
 * pipeline just wrote, and failing (exit 1) with the pipeline never run (an empty lake folder).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckReport } from '../../src/core/check/checks';
import { findModelDir } from '../../src/core/lake/model';
import { runPipeline } from '../../src/core/lake/pipeline';
import { labTarget, runCli } from './fixture';

suite('lifecycle-lab check (CLI, local lab)', function () {
  this.timeout(120_000);
  let tmp: string;

  suiteSetup(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-check-'));
  });

  suiteTeardown(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('healthy lab: every check passes, exit 0, the reconciliation to the cent in the detail', async () => {
    const target = await labTarget();
    const lakeDir = path.join(tmp, 'lake');
    await runPipeline({ target, lakeDir, modelDir: findModelDir(__dirname) });
    const { code, stdout, stderr } = await runCli(['check', '--json'], { LIFECYCLE_LAB_LOCAL_LAKEDIR: lakeDir });
    const report = JSON.parse(stdout) as CheckReport;
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.equal(report.ok, true);
    assert.equal(report.mode, 'local');
    assert.deepEqual(report.items.map((i) => [i.id, i.status]), [['source', 'pass'], ['pipeline', 'pass'], ['lake', 'pass'], ['dashboard', 'pass']]);
    assert.match(report.items[1].detail, /2,996 fact rows = 2,996 order lines; total sales 9604190\.61 = source 9604190\.61/);
    const text = await runCli(['check'], { LIFECYCLE_LAB_LOCAL_LAKEDIR: lakeDir });
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^PASS {2}Source reachable with its 8 tables: classicmodels on the local lab/m);
    assert.match(text.stdout, /Lab checked: all 4 checks passed \(local mode\)\.$/m);
  });

  test('pipeline never run: exit 1; pipeline and lake fail with the fix, the source passes', async () => {
    await labTarget();
    const empty = path.join(tmp, 'empty-lake');
    await fs.mkdir(empty);
    const { code, stdout } = await runCli(['check', '--json'], { LIFECYCLE_LAB_LOCAL_LAKEDIR: empty });
    assert.equal(code, 1, stdout);
    const report = JSON.parse(stdout) as CheckReport;
    const status = Object.fromEntries(report.items.map((i) => [i.id, i.status]));
    assert.deepEqual(status, { source: 'pass', pipeline: 'fail', lake: 'fail', dashboard: 'skip' });
    const pipeline = report.items.find((i) => i.id === 'pipeline')!;
    assert.deepEqual(pipeline.fix, { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run', cli: 'lifecycle-lab pipeline run' });
    const text = await runCli(['check'], { LIFECYCLE_LAB_LOCAL_LAKEDIR: empty });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /fix: Run Pipeline \(lifecycle-lab pipeline run\)/);
  });
});
