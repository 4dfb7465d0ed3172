/**
 * The Terraform module, offline: fmt, validate, `terraform test` (mock provider; one mocha test per run block),
 * and the message of each variable's validation. One `terraform init` serves them all.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EDITOR_OUTPUTS, initModule, requireTool, scriptJobArguments, tail, terraform, terraformAvailable, TERRAFORM_DIR, TERRAFORM_ENABLE, type RunResult } from './tools';

const TESTS_DIR = path.join(TERRAFORM_DIR, 'tests');

/** `run "name"` blocks of each .tftest.hcl file, read when mocha loads this file. */
function runBlocks(): { file: string; run: string }[] {
  const out: { file: string; run: string }[] = [];
  for (const file of fs.readdirSync(TESTS_DIR).filter((f) => f.endsWith('.tftest.hcl')).sort()) {
    for (const m of fs.readFileSync(path.join(TESTS_DIR, file), 'utf8').matchAll(/^run "([^"]+)"/gm)) out.push({ file, run: m[1] });
  }
  return out;
}

/**
 * Bad values, one per validated variable, and a piece of the message each must give. The messages test
 * runs them all in one plan (Terraform reports every variable's validation at once).
 */
const BAD_VARIABLES: Record<string, { value: string; message: string }> = {
  project: { value: '"De_C1W2"', message: 'project must be 3 to 32 characters: lower-case letters, digits and hyphens' },
  region: { value: '"us-east"', message: 'region must be an AWS region code such as us-east-1' },
  vpc_id: { value: '"my-vpc"', message: 'vpc_id must look like vpc-0123456789abcdef0' },
  subnet_id: { value: '"subnet-xyz"', message: 'subnet_id must look like subnet-0123456789abcdef0' },
  db_sg_id: { value: '"default"', message: 'db_sg_id must look like sg-0123456789abcdef0' },
  host: { value: '"db.example.internal:3306"', message: 'host must be a DNS name or IP address without a port or scheme' },
  port: { value: '70000', message: 'port must be a whole number from 1 to 65535' },
  database: { value: '"classic models"', message: 'database must be a MySQL database name' },
  username: { value: '"admin user"', message: 'username must be 1 to 80 letters' },
  password: { value: 'null', message: 'Set password_secret_arn (preferred) or password' },
  data_lake_bucket: { value: '"My_Lake"', message: 'data_lake_bucket must be a valid S3 bucket name' },
  scripts_bucket: { value: '"s3://lab-scripts"', message: 'scripts_bucket must be a valid S3 bucket name' },
  glue_version: { value: '"2.0"', message: 'glue_version must be 4.0 or 5.0' },
  job_timeout_minutes: { value: '1', message: 'job_timeout_minutes must be between 5 and 480' },
  log_retention_days: { value: '10', message: "log_retention_days must be one of CloudWatch's values" },
  athena_bytes_scanned_cutoff: { value: '1000', message: 'athena_bytes_scanned_cutoff must be at least 10485760' },
  aws_endpoint: { value: '"localhost:5000"', message: 'aws_endpoint must be a URL such as http://127.0.0.1:5000' },
};

/** password_secret_arn is checked on its own: a bad ARN satisfies the password's "one of the two" rule. */
const BAD_SECRET_ARN = { value: '"de-c1w2-db"', message: 'password_secret_arn must be a Secrets Manager secret ARN' };

suite('terraform module: fmt, validate, terraform test', function () {
  this.timeout(300_000);
  let tfTest: Promise<RunResult> | undefined;

  suiteSetup(async function () {
    requireTool(this, terraformAvailable(), 'terraform with the AWS provider mirror', TERRAFORM_ENABLE);
    const init = await initModule();
    assert.equal(init.code, 0, `terraform init failed:\n${tail(init.output)}`);
  });

  test('terraform fmt -check -recursive', async () => {
    const r = await terraform(['fmt', '-check', '-recursive', '-diff']);
    assert.equal(r.code, 0, `badly formatted files (run terraform fmt -recursive terraform):\n${tail(r.output)}`);
  });

  test('terraform validate', async () => {
    const r = await terraform(['validate']);
    assert.equal(r.code, 0, tail(r.output));
    assert.match(r.stdout, /The configuration is valid/);
  });

  // One `terraform test` run (every run block starts the provider, so it runs once); a mocha test per run block.
  const blocks = runBlocks();
  test('terraform test: every .tftest.hcl file passes', async () => {
    tfTest ??= terraform(['test']);
    const r = await tfTest;
    assert.equal(r.code, 0, tail(r.output, 80));
    assert.match(r.stdout, new RegExp(`Success! ${blocks.length} passed, 0 failed`), tail(r.output));
  });
  for (const { file, run } of blocks) {
    test(`terraform test: ${file.replace('.tftest.hcl', '')} / ${run}`, async () => {
      tfTest ??= terraform(['test']);
      const r = await tfTest;
      const line = new RegExp(`^\\s*run "${run}"\\.\\.\\. (\\w+)`, 'm').exec(r.stdout);
      assert.ok(line, `run "${run}" does not appear in terraform test's output:\n${tail(r.output)}`);
      assert.equal(line[1], 'pass', `run "${run}": ${line[1]}\n${tail(r.output, 80)}`);
    });
  }

  test('the job arguments in terraform/glue.tf are the ones glue_job.py reads', () => {
    // The terraform test reads the script's JOB_ARGUMENTS with a regex; this checks that regex reads what Python does.
    const args = scriptJobArguments();
    assert.ok(args.length >= 5, `JOB_ARGUMENTS: ${args.join(', ')}`);
    const glueTf = fs.readFileSync(path.join(TERRAFORM_DIR, 'glue.tf'), 'utf8');
    const block = /job_arguments = \{([\s\S]*?)\n {2}\}/.exec(glueTf)?.[1] ?? '';
    assert.deepEqual([...block.matchAll(/"--([a-z_]+)"/g)].map((m) => m[1]).sort(), [...args].sort());
  });

  test('outputs are exactly what the editor reads, none built from a secret', () => {
    // terraform test checks the values; this catches any output added later (terraform output -json prints
    // sensitive outputs in clear, so `sensitive = true` would not help).
    const text = fs.readFileSync(path.join(TERRAFORM_DIR, 'outputs.tf'), 'utf8');
    const outputs = [...text.matchAll(/^output "([^"]+)" \{([\s\S]*?)^\}/gm)];
    assert.deepEqual(outputs.map((m) => m[1]).sort(), EDITOR_OUTPUTS);
    for (const [, name, body] of outputs) {
      assert.doesNotMatch(body, /var\.password|password_secret_arn|connection_properties|credential_properties|sensitive/, `output ${name}`);
    }
    for (const f of fs.readdirSync(TERRAFORM_DIR).filter((n) => n.endsWith('.tf') && n !== 'outputs.tf')) {
      assert.doesNotMatch(fs.readFileSync(path.join(TERRAFORM_DIR, f), 'utf8'), /^output "/m, `${f} declares an output`);
    }
  });

  test('each bad variable fails with a message that says what to give', async () => {
    const messages = await runMessagesTest('all_bad', Object.fromEntries(Object.entries(BAD_VARIABLES).map(([k, v]) => [k, v.value])));
    for (const [name, { message }] of Object.entries(BAD_VARIABLES)) {
      assert.ok(messages.includes(message), `no "${message}" for a bad ${name}:\n${messages}`);
    }
    const secret = await runMessagesTest('bad_secret', { password_secret_arn: BAD_SECRET_ARN.value });
    assert.ok(secret.includes(BAD_SECRET_ARN.message), secret);
    const key = await runMessagesTest('bad_secret_key', { password_secret_kms_key_arn: '"alias/aws/secretsmanager"' });
    assert.ok(key.includes('password_secret_kms_key_arn must be a KMS key ARN'), key);
    assert.ok(key.includes('password_secret_kms_key_arn is the key of password_secret_arn\'s secret: set password_secret_arn too'), key);
  });
});

const GOOD: Record<string, string> = {
  vpc_id: '"vpc-0123456789abcdef0"', subnet_id: '"subnet-0123456789abcdef0"', db_sg_id: '"sg-0123456789abcdef0"',
  host: '"db.example.internal"', password: '"test-only-not-a-secret"', data_lake_bucket: '"lab-data-lake"', scripts_bucket: '"lab-scripts"',
};

/**
 * Plans with the given variables through a run block without expect_failures (so Terraform prints each
 * validation's message), in a test folder of its own inside the module (Terraform requires that), then removes it.
 * Returns the output with line breaks folded, since Terraform wraps messages.
 */
async function runMessagesTest(name: string, vars: Record<string, string>): Promise<string> {
  const dir = path.join(TERRAFORM_DIR, `.messages-test-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  const body = Object.entries({ ...GOOD, ...vars }).map(([k, v]) => `  ${k} = ${v}`).join('\n');
  fs.writeFileSync(path.join(dir, `${name}.tftest.hcl`), `mock_provider "aws" {}\n\nrun "${name}" {\n  command = plan\n  variables {\n${body}\n  }\n}\n`);
  try {
    const r = await terraform(['test', `-test-directory=${path.basename(dir)}`]);
    assert.notEqual(r.code, 0, `the bad variables passed:\n${tail(r.output)}`);
    return r.output.replace(/\s+/g, ' ');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
