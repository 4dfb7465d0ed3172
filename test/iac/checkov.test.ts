/**
 * checkov over terraform/ (offline, from its own virtualenv): no failed check, and every skipped check is listed
 * in terraform/.checkov.yaml with a reason.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKOV, requireTool, run, tail, TERRAFORM_DIR } from './tools';

const CONFIG = path.join(TERRAFORM_DIR, '.checkov.yaml');

interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number; resource_count: number; checkov_version: string };
  results: { failed_checks: { check_id: string; check_name: string; resource: string; file_path: string }[] };
}

suite('checkov', function () {
  this.timeout(180_000);

  suiteSetup(function () {
    requireTool(this, fs.existsSync(CHECKOV), 'checkov (.venv/checkov)', 'bash scripts/setup.sh --test (installs checkov into .venv/checkov)');
  });

  test('checkov passes every check it runs over terraform/', async () => {
    // --skip-download and BC_SKIP_MAPPING keep it offline and quiet.
    const r = await run(CHECKOV, ['--config-file', CONFIG, '-d', TERRAFORM_DIR, '--skip-download', '--quiet', '--compact', '-o', 'json'],
      { env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' }, timeoutMs: 170_000 });
    let report: CheckovReport;
    try {
      const parsed = JSON.parse(r.stdout) as CheckovReport | CheckovReport[];
      report = Array.isArray(parsed) ? parsed.find((x) => x.summary)! : parsed;
    } catch {
      assert.fail(`checkov gave no JSON report (exit ${r.code}):\n${tail(r.output)}`);
    }
    const failed = report.results?.failed_checks ?? [];
    assert.deepEqual(failed.map((c) => `${c.check_id} ${c.check_name} (${c.resource}, ${c.file_path})`), [], 'failed checks');
    assert.equal(r.code, 0, tail(r.output));
    assert.ok(report.summary.passed >= 25, `only ${report.summary.passed} checks ran`);
    assert.equal(report.summary.parsing_errors, 0);
  });

  test('each skipped check in terraform/.checkov.yaml has its reason', () => {
    const lines = fs.readFileSync(CONFIG, 'utf8').split('\n');
    const start = lines.findIndex((l) => l.startsWith('skip-check:'));
    assert.ok(start >= 0, 'no skip-check list');
    const skips: string[] = [];
    for (let i = start + 1; i < lines.length && /^\s/.test(lines[i]); i++) {
      const id = /^\s+-\s+(CKV\w+)/.exec(lines[i])?.[1];
      if (!id) continue;
      skips.push(id);
      assert.match(lines[i - 1], /^\s+# reason: .{30,}/, `${id} has no reason line above it`);
    }
    assert.ok(skips.length > 0);
  });
});
