/**
 * checkov over terraform/ (offline, from its own virtualenv): no failed check, and every skipped check is listed
 * in terraform/.checkov.yaml with a reason.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

  /** checkov's JSON report over the module (offline and quiet: --skip-download and BC_SKIP_MAPPING). */
  async function checkov(extra: string[] = [], quiet = true): Promise<{ report: CheckovReport; code: number; output: string }> {
    const r = await run(CHECKOV, ['--config-file', CONFIG, '-d', TERRAFORM_DIR, '--skip-download', ...(quiet ? ['--quiet'] : []), '--compact', '-o', 'json', ...extra],
      { env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' }, timeoutMs: 170_000 });
    try {
      const parsed = JSON.parse(r.stdout) as CheckovReport | CheckovReport[];
      return { report: Array.isArray(parsed) ? parsed.find((x) => x.summary)! : parsed, code: r.code, output: r.output };
    } catch {
      assert.fail(`checkov gave no JSON report (exit ${r.code}):\n${tail(r.output)}`);
    }
  }

  function assertPassed({ report, code, output }: { report: CheckovReport; code: number; output: string }): void {
    const failed = report.results?.failed_checks ?? [];
    assert.deepEqual(failed.map((c) => `${c.check_id} ${c.check_name} (${c.resource}, ${c.file_path})`), [], 'failed checks');
    assert.equal(code, 0, tail(output));
    assert.ok(report.summary.passed >= 25, `only ${report.summary.passed} checks ran`);
    assert.equal(report.summary.parsing_errors, 0);
  }

  test('checkov passes every check it runs over terraform/', async () => {
    assertPassed(await checkov());
  });

  test('with the password in a secret under its own key (the editor\'s route): the role\'s policy passes too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-checkov-'));
    try {
      const vars = path.join(dir, 'secret.tfvars');
      fs.writeFileSync(vars, [
        'password_secret_arn         = "arn:aws:secretsmanager:us-east-1:123456789012:secret:de-c1w2-db-AbCdEf"',
        'password_secret_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555"',
      ].join('\n'));
      const result = await checkov(['--var-file', vars], false);
      assertPassed(result);
      const passed = (result.report.results as { passed_checks?: { check_id: string; resource: string }[] }).passed_checks ?? [];
      const policy = passed.filter((c) => c.resource === 'aws_iam_role_policy.glue').map((c) => c.check_id).sort();
      // No statement allows every action, nor every action on every resource.
      assert.deepEqual(policy, ['CKV_AWS_62', 'CKV_AWS_63'], "checkov's checks over the role's policy");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
