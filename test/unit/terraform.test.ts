import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveLabConfig, type RawSettings } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { checkModuleDir, runTerraformCapture, shellCommand, TERMINAL_ARGS } from '../../src/core/terraform/cli';
import { networkOfInstance } from '../../src/core/terraform/discovery';
import { strandedState, strandedStateError, syncWorkDir, terraformLocation } from '../../src/core/terraform/location';
import { outputsToSettings } from '../../src/core/terraform/outputs';
import { describeResources, formatPlanLine, parsePlanJson, parseStateList } from '../../src/core/terraform/plan';
import { createRedactor, REDACTED } from '../../src/core/terraform/redact';
import { protectStateFiles, removePlanFiles } from '../../src/core/terraform/stateFiles';
import { describeMissing, terraformProcessEnv, terraformVariables } from '../../src/core/terraform/variables';

const JSON_DIR = path.resolve(__dirname, '../../../test/fixtures/terraform-json');
/** The password the fixture JSON was made with (see its README); Terraform writes it there in clear. */
const FIXTURE_PASSWORD = 'fixture-Pa55"word\\x';
const readFixture = (name: string) => fs.readFileSync(path.join(JSON_DIR, name), 'utf8');

/** Every form the password could be carried on in: as is and JSON-escaped. */
function assertNoPassword(text: string, what: string): void {
  assert.ok(!text.includes(FIXTURE_PASSWORD), `${what} holds the password`);
  assert.ok(!text.includes(JSON.stringify(FIXTURE_PASSWORD).slice(1, -1)), `${what} holds the password (escaped)`);
  assert.ok(!text.includes('fixture-Pa55'), `${what} holds part of the password`);
}

const FULL: RawSettings = {
  mode: 'aws', 'mysql.host': 'db.example.internal', 'aws.region': 'eu-west-2', 'aws.lakePath': 's3://my-lake',
  'terraform.variables': { vpc_id: 'vpc-0123456789abcdef0', subnet_id: 'subnet-0123456789abcdef0', db_sg_id: 'sg-0123456789abcdef0', scripts_bucket: 'my-scripts' },
};

suite('terraform: variables from settings, discovery and the password', () => {
  test('everything given: TF_VAR_* for each variable, nothing missing; the password never, the stored secret\'s ARN instead', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:lifecycle-lab/de-c1w2/source-database-AbCdEf';
    const vars = terraformVariables(resolveLabConfig(FULL, '/ws'), { password: 's3cret-pass', passwordSecretArn: arn });
    assert.deepEqual(vars.missing, []);
    assert.equal(vars.env.TF_VAR_host, 'db.example.internal');
    assert.equal(vars.env.TF_VAR_port, '3306');
    assert.equal(vars.env.TF_VAR_region, 'eu-west-2');
    assert.equal(vars.env.TF_VAR_data_lake_bucket, 'my-lake', 'the lake bucket comes from the lake path setting');
    assert.equal(vars.env.TF_VAR_scripts_bucket, 'my-scripts');
    assert.equal(vars.env.TF_VAR_password_secret_arn, arn);
    assert.equal(vars.sources.password_secret_arn, 'secrets manager');
    assert.ok(!('TF_VAR_password' in vars.env), 'Terraform never gets the password');
    assert.ok(!JSON.stringify(vars.env).includes('s3cret-pass'), 'no variable holds the password');
    assert.deepEqual(vars.secrets, ['s3cret-pass'], 'still what the redactor removes from captured output');
    assert.ok(!('TF_VAR_aws_endpoint' in vars.env) && !('TF_VAR_profile' in vars.env), 'unset settings pass no variable');
    assert.ok(!JSON.stringify(vars.sources).includes('s3cret-pass'));
  });

  test('a password in secret storage but no secret in AWS yet: nothing missing, no password and no ARN passed', () => {
    const vars = terraformVariables(resolveLabConfig(FULL, '/ws'), { password: 's3cret-pass' });
    assert.deepEqual(vars.missing, []);
    assert.ok(!('TF_VAR_password' in vars.env) && !('TF_VAR_password_secret_arn' in vars.env));
  });

  test('nothing given: each required variable is listed with what fills it', () => {
    const vars = terraformVariables(resolveLabConfig({ mode: 'aws' }, '/ws'));
    assert.deepEqual(vars.missing.map((m) => m.name), ['host', 'vpc_id', 'subnet_id', 'db_sg_id', 'data_lake_bucket', 'scripts_bucket', 'password']);
    const byName = Object.fromEntries(vars.missing.map((m) => [m.name, m]));
    assert.equal(byName.password.fill.command, 'lifecycleLab.setDatabasePassword');
    assert.equal(byName.password.secret, true);
    assert.equal(byName.host.fill.command, 'lifecycleLab.source.discoverRds');
    assert.equal(byName.vpc_id.fill.setting, 'lifecycleLab.terraform.variables');
    const text = describeMissing(vars.missing);
    assert.match(text, /^host \(.*Discover RDS Instance\), vpc_id \(.*lifecycleLab\.terraform\.variables\).*password \(.*Set Database Password\)$/);
  });

  test('the variables setting wins over discovery, discovery over the other settings', () => {
    const config = resolveLabConfig({ ...FULL, 'terraform.variables': { subnet_id: 'subnet-00000000000000001' } }, '/ws');
    const vars = terraformVariables(config, {
      network: { host: 'rds.discovered', port: 3307, vpcId: 'vpc-0000000000000000d', subnetId: 'subnet-0000000000000000d', securityGroupId: 'sg-0000000000000000d' },
    });
    assert.equal(vars.env.TF_VAR_subnet_id, 'subnet-00000000000000001');
    assert.equal(vars.sources.subnet_id, 'variables setting');
    assert.equal(vars.env.TF_VAR_vpc_id, 'vpc-0000000000000000d');
    assert.equal(vars.env.TF_VAR_host, 'rds.discovered');
    assert.equal(vars.env.TF_VAR_port, '3307');
    assert.equal(vars.sources.host, 'discovery');
  });

  test('password_secret_arn in the variables: no password needed, none passed', () => {
    const config = resolveLabConfig({ ...FULL, 'terraform.variables': { ...(FULL['terraform.variables'] as object), password_secret_arn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:lab' } }, '/ws');
    const vars = terraformVariables(config, { password: 'not-used-here' });
    assert.deepEqual(vars.missing, []);
    assert.ok(!('TF_VAR_password' in vars.env));
    assert.deepEqual(vars.secrets, []);
  });

  test('the variables setting refuses a password, a bad name and a nested value; the CLI may give it as JSON', () => {
    for (const bad of [{ password: 'x' }, { db_password: 'x' }, { 'bad name': 'x' }, { tags: { a: 'b' } }, ['vpc-1'], 'not json']) {
      assert.throws(() => resolveLabConfig({ 'terraform.variables': bad }, '/ws'),
        (e: unknown) => e instanceof LabError && e.nextStep?.setting === 'lifecycleLab.terraform.variables', JSON.stringify(bad));
    }
    const fromEnv = resolveLabConfig({ 'terraform.variables': '{"vpc_id":"vpc-0123456789abcdef0","create_buckets":false}' }, '/ws');
    assert.deepEqual(fromEnv.terraform.variables, { vpc_id: 'vpc-0123456789abcdef0', create_buckets: 'false' });
    // No module setting: the module the extension ships (core/terraform/location.ts), never the workspace's terraform/.
    assert.equal(resolveLabConfig({}, '/ws').terraform.moduleDir, undefined);
    assert.equal(resolveLabConfig({ 'terraform.moduleDir': 'infra/tf' }, '/ws').terraform.moduleDir, '/ws/infra/tf');
  });

  test('the process environment: no prompts, automation, region, and profile and endpoint only when set', () => {
    assert.deepEqual(terraformProcessEnv(resolveLabConfig({}, '/')), { TF_IN_AUTOMATION: '1', TF_INPUT: '0', AWS_REGION: 'us-east-1' });
    const env = terraformProcessEnv(resolveLabConfig({ 'aws.profile': 'lab', 'aws.endpoint': 'http://127.0.0.1:5000' }, '/'));
    assert.equal(env.AWS_PROFILE, 'lab');
    assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:5000');
  });

  test('RDS discovery: VPC, the subnet in the instance zone, the active security group, the endpoint', () => {
    const net = networkOfInstance({
      Endpoint: { Address: 'de-c1w2-rds.x.us-east-1.rds.amazonaws.com', Port: 3306 }, AvailabilityZone: 'us-east-1b',
      DBSubnetGroup: { VpcId: 'vpc-1', Subnets: [{ SubnetIdentifier: 'subnet-a', SubnetAvailabilityZone: { Name: 'us-east-1a' } }, { SubnetIdentifier: 'subnet-b', SubnetAvailabilityZone: { Name: 'us-east-1b' } }] },
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-old', Status: 'inactive' }, { VpcSecurityGroupId: 'sg-db', Status: 'active' }],
    });
    assert.deepEqual(net, { host: 'de-c1w2-rds.x.us-east-1.rds.amazonaws.com', port: 3306, vpcId: 'vpc-1', subnetId: 'subnet-b', securityGroupId: 'sg-db' });
  });
});

suite('terraform: plans, outputs and state', () => {
  test('show -json of a first plan: three to add, with their addresses', () => {
    const summary = parsePlanJson(readFixture('create.json'));
    assert.deepEqual([summary.add, summary.change, summary.destroy, summary.replace], [3, 0, 0, 0]);
    assert.deepEqual(summary.resources, [
      { address: 'terraform_data.connection', action: 'create' },
      { address: 'terraform_data.job', action: 'create' },
      { address: 'terraform_data.workgroup', action: 'create' },
    ]);
    assert.equal(formatPlanLine(summary), 'Plan: 3 to add, 0 to change, 0 to destroy.');
  });

  test("a plan with an update and a replacement counts like Terraform's own Plan: line (1 to add, 1 to change, 1 to destroy)", () => {
    const summary = parsePlanJson(readFixture('change.json'));
    assert.deepEqual([summary.add, summary.change, summary.destroy, summary.replace], [1, 1, 1, 1]);
    assert.deepEqual(summary.resources, [
      { address: 'terraform_data.job', action: 'update' },
      { address: 'terraform_data.workgroup', action: 'replace' },
    ], 'the no-op resource is left out');
    assert.equal(formatPlanLine(summary), 'Plan: 1 to add, 1 to change, 1 to destroy (1 replaced).');
    assert.match(describeResources(summary.resources), /^update in place: terraform_data\.job\nreplace \(destroy, then create\): terraform_data\.workgroup$/);
    assert.equal(formatPlanLine(parsePlanJson('{"format_version":"1.2","resource_changes":[]}')), 'No changes.');
  });

  test('the password in the plan JSON and the outputs never reaches the summary or the settings', () => {
    for (const name of ['create.json', 'change.json', 'outputs.json']) {
      assert.ok(readFixture(name).includes('fixture-Pa55'), `${name} holds the password as Terraform wrote it (else this test proves nothing)`);
    }
    assertNoPassword(JSON.stringify(parsePlanJson(readFixture('create.json'))), 'the first plan summary');
    assertNoPassword(JSON.stringify(parsePlanJson(readFixture('change.json'))), 'the second plan summary');
    const read = outputsToSettings(readFixture('outputs.json'));
    assertNoPassword(JSON.stringify(read), 'the outputs read');
  });

  test('output -json: the settings it fills, the lake path as the lake root, the sensitive output named only', () => {
    const read = outputsToSettings(readFixture('outputs.json'));
    assert.deepEqual(read.settings, {
      'aws.glueJobName': 'de-c1w2-etl-job', 'aws.catalogDatabase': 'de_c1w2_lake', 'aws.lakePath': 's3://fixture-lake',
      'aws.athenaWorkgroup': 'de-c1w2-workgroup', 'aws.athenaOutputLocation': 's3://fixture-lake/athena-results/',
    });
    assert.deepEqual(read.sensitive, ['source_dsn']);
    assert.ok(read.names.includes('source_dsn'));
  });

  test('output -json: a known name marked sensitive, an unflagged one, a non-string or a bad URL is never written', () => {
    const read = outputsToSettings(JSON.stringify({
      job_name: { sensitive: true, value: 'secret-job' },
      catalog_database: { value: 'no-flag' },
      athena_workgroup: { sensitive: false, value: ['wg'] },
      lake_path: { sensitive: false, value: 'not-a-url' },
      athena_result_location: { sensitive: false, value: 's3://ok-bucket/results/' },
    }));
    assert.deepEqual(read.settings, { 'aws.athenaOutputLocation': 's3://ok-bucket/results/' });
    assert.throws(() => outputsToSettings('Error: no state'), (e: unknown) => e instanceof LabError && !e.message.includes('no state'));
    assert.throws(() => parsePlanJson('{"not":"a plan"}'), LabError);
  });

  test('state list: managed resources only, data sources left out also inside modules', () => {
    assert.deepEqual(parseStateList(readFixture('state-list.txt')), ['terraform_data.connection', 'terraform_data.job', 'terraform_data.workgroup']);
    assert.deepEqual(parseStateList('data.aws_caller_identity.me\naws_s3_bucket.data\nmodule.data.aws_iam_role.r\nmodule.m["a"].data.aws_region.r\n\n'),
      ['aws_s3_bucket.data', 'module.data.aws_iam_role.r']);
  });

  test('command lines: the plan file and odd paths quoted for the shell', () => {
    assert.equal(shellCommand(TERMINAL_ARGS.plan('/tmp/x y/plan.tfplan')), "terraform plan -input=false '-out=/tmp/x y/plan.tfplan'");
    assert.equal(shellCommand(TERMINAL_ARGS.apply("/s/it's.tfplan")), "terraform apply -input=false '/s/it'\\''s.tfplan'");
    assert.equal(shellCommand(TERMINAL_ARGS.destroy()), 'terraform destroy -input=false -auto-approve');
  });

  test('a folder without .tf files is not a module: the error names the setting', () => {
    assert.throws(() => checkModuleDir(os.tmpdir() + '/no-such-module'), (e: unknown) => e instanceof LabError && e.nextStep?.setting === 'lifecycleLab.terraform.moduleDir');
    assert.equal(checkModuleDir(path.resolve(__dirname, '../../../test/fixtures/terraform')), path.resolve(__dirname, '../../../test/fixtures/terraform'));
  });
});

suite('terraform: where the module is read and Terraform writes', () => {
  const REPO = path.resolve(__dirname, '../../..');
  let tmp: string;
  setup(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-tfloc-')); });
  teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /**
   * The module folder's entries with size and mtime, to tell that nothing was written there (its dot entries, which the
   * repository's own Terraform runs in test/iac write, are left out).
   */
  const snapshotTree = (dir: string): string[] => fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort()
    .map((f) => { const st = fs.statSync(path.join(dir, f)); return `${f} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`; });

  test('no setting: the module and the Glue job from the extension\'s install path, Terraform run in the lab\'s folder', () => {
    const extension = path.join(tmp, 'extensions', 'data-eng-labs.lifecycle-lab-0.1.0');
    fs.mkdirSync(path.join(extension, 'terraform'), { recursive: true });
    fs.writeFileSync(path.join(extension, 'terraform', 'main.tf'), 'locals {}\n');
    const workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(path.join(workspace, 'terraform'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'terraform', 'main.tf'), '# the user\'s folder: never the module unless the setting says so\n');
    const labDir = path.join(tmp, 'storage', 'lab');
    const config = resolveLabConfig({}, workspace);
    const location = terraformLocation(config.terraform.moduleDir, extension, labDir);
    assert.deepEqual(location, {
      sourceDir: path.join(extension, 'terraform'), workDir: path.join(labDir, 'terraform'), glueDir: path.join(extension, 'glue'), shipped: true,
    });
    // An extension installed without its module says so (and names the setting), instead of looking in the workspace.
    assert.throws(() => terraformLocation(undefined, path.join(tmp, 'no-extension'), labDir),
      (e: unknown) => e instanceof LabError && /installed extension lacks its terraform\//.test(e.message) && e.nextStep?.setting === 'lifecycleLab.terraform.moduleDir');
    // A module of the user's own: Terraform runs in it.
    const own = resolveLabConfig({ 'terraform.moduleDir': 'terraform' }, workspace).terraform.moduleDir;
    assert.deepEqual(terraformLocation(own, extension, labDir), { sourceDir: path.join(workspace, 'terraform'), workDir: path.join(workspace, 'terraform'), shipped: false });
  });

  test('a state an earlier version left in the workspace\'s terraform/ stops the shipped module until it is kept or moved', () => {
    const workspace = path.join(tmp, 'old-workspace');
    const workDir = path.join(tmp, 'old-lab', 'terraform');
    const shipped = { sourceDir: path.join(REPO, 'terraform'), workDir, glueDir: path.join(REPO, 'glue'), shipped: true };
    fs.mkdirSync(path.join(workspace, 'terraform'), { recursive: true });
    const oldState = path.join(workspace, 'terraform', 'terraform.tfstate');
    fs.writeFileSync(oldState, JSON.stringify({ version: 4, resources: [] }));
    assert.equal(strandedState(shipped, workspace), undefined, 'an empty state (after a destroy) strands nothing');
    fs.writeFileSync(oldState, JSON.stringify({ version: 4, resources: [{ type: 'aws_glue_job' }, { type: 'aws_s3_bucket' }] }));
    const stranded = strandedState(shipped, workspace);
    assert.deepEqual(stranded, { file: oldState, resources: 2 });
    const error = strandedStateError(stranded!, shipped);
    assert.match(error.message, /2 resources/);
    assert.ok(error.message.includes(workDir) && error.message.includes('lifecycleLab.terraform.moduleDir'), error.message);
    assert.equal(error.nextStep?.setting, 'lifecycleLab.terraform.moduleDir');
    assert.equal(strandedState({ ...shipped, sourceDir: path.join(workspace, 'terraform'), workDir: path.join(workspace, 'terraform'), shipped: false }, workspace), undefined,
      'the setting kept it: Terraform runs where the state is');
    assert.equal(strandedState(shipped, undefined), undefined, 'no folder open');
    fs.mkdirSync(workDir, { recursive: true });
    fs.writeFileSync(path.join(workDir, 'terraform.tfstate'), '{}');
    assert.equal(strandedState(shipped, workspace), undefined, 'the working folder has its own state (moved there, or made since)');
  });

  test('the working copy holds exactly the module\'s .tf files, keeps what Terraform wrote, and nothing is written in the module', () => {
    const sourceDir = path.join(REPO, 'terraform');
    const before = snapshotTree(sourceDir);
    const workDir = path.join(tmp, 'lab', 'terraform');
    const location = { sourceDir, workDir, glueDir: path.join(REPO, 'glue'), shipped: true };
    assert.equal(syncWorkDir(location), workDir);
    const tf = fs.readdirSync(sourceDir).filter((f) => f.endsWith('.tf')).sort();
    assert.deepEqual(fs.readdirSync(workDir).sort(), tf);
    for (const f of tf) assert.equal(fs.readFileSync(path.join(workDir, f), 'utf8'), fs.readFileSync(path.join(sourceDir, f), 'utf8'), f);
    // What Terraform wrote stays; a .tf the module no longer has goes; a changed one is brought up to date.
    fs.mkdirSync(path.join(workDir, '.terraform'));
    fs.writeFileSync(path.join(workDir, '.terraform.lock.hcl'), '# lock\n');
    fs.writeFileSync(path.join(workDir, 'terraform.tfstate'), '{}');
    fs.writeFileSync(path.join(workDir, 'removed_in_this_version.tf'), 'locals {}\n');
    fs.writeFileSync(path.join(workDir, 'main.tf'), '# an older version\n');
    syncWorkDir(location);
    assert.deepEqual(fs.readdirSync(workDir).sort(), ['.terraform', '.terraform.lock.hcl', ...tf, 'terraform.tfstate'].sort());
    assert.equal(fs.readFileSync(path.join(workDir, 'main.tf'), 'utf8'), fs.readFileSync(path.join(sourceDir, 'main.tf'), 'utf8'));
    assert.deepEqual(snapshotTree(sourceDir), before, 'the module folder is unchanged');
    // A module of the user's own is not copied anywhere.
    assert.equal(syncWorkDir({ sourceDir: tmp, workDir: tmp, shipped: false }), tmp);
  });
});

suite('terraform: redaction', () => {
  const secret = 'Sup*er[Secret]"1\\23';

  test('the redactor removes a secret as is and as Terraform quotes it', () => {
    const redact = createRedactor([secret]);
    const text = `password = "${JSON.stringify(secret).slice(1, -1)}"\nraw ${secret} end`;
    const out = redact(text);
    assert.ok(!out.includes('Sup*er'), out);
    assert.equal(out, `password = "${REDACTED}"\nraw ${REDACTED} end`);
    assert.equal(createRedactor([])('unchanged'), 'unchanged');
  });

  /** A fake `terraform` that prints the secret both ways and exits 3, first on PATH. */
  function fakeTerraform(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-fake-tf-'));
    fs.writeFileSync(path.join(dir, 'terraform'), `#!/bin/sh
printf '%s\\n' "plain: $TF_VAR_password" "quoted: \\"$FAKE_QUOTED\\""
printf '%s\\n' "last line without newline: $TF_VAR_password" >&2
printf 'tail %s' "$TF_VAR_password"
exit 3
`, { mode: 0o755 });
    return dir;
  }

  test('a failing child-process run reports stderr without the secret; a missing binary says to install Terraform', async () => {
    const dir = fakeTerraform();
    try {
      await assert.rejects(runTerraformCapture(['output', '-json'], { cwd: dir, env: { TF_VAR_password: secret, FAKE_QUOTED: 'x' }, secrets: [secret], binary: path.join(dir, 'terraform') }),
        (e: unknown) => e instanceof LabError && /exit 3/.test(e.message) && e.message.includes(REDACTED) && !e.message.includes('Sup*er'));
      await assert.rejects(runTerraformCapture(['version'], { cwd: dir, env: {}, secrets: [], binary: path.join(dir, 'no-terraform') }),
        (e: unknown) => e instanceof LabError && e.code === 'config' && /not found on PATH/.test(e.message));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

suite('terraform: files that may hold secrets', () => {
  const password = 'old-Pa55"word';
  let dir: string;
  setup(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-tf-files-')); });
  teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const mode = (file: string) => fs.statSync(path.join(dir, file)).mode & 0o777;

  test('state and backup made 0600; those holding a password (the stored one, escaped, or a PASSWORD property) named', () => {
    fs.writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify({ resources: [{ instances: [{ attributes: { connection_properties: { SECRET_ID: 'arn:aws:secretsmanager:x' } } }] }] }), { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'terraform.tfstate.backup'), JSON.stringify({ v: { password } }), { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'terraform.tfstate.d', 'staging'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'terraform.tfstate.d', 'staging', 'terraform.tfstate'), '{"connection_properties":{"PASSWORD":"other"}}', { mode: 0o664 });
    fs.writeFileSync(path.join(dir, 'main.tf'), '', { mode: 0o644 });
    const found = protectStateFiles(dir, [password]);
    assert.deepEqual(found.holdingSecrets.sort(), ['terraform.tfstate.backup', path.join('terraform.tfstate.d', 'staging', 'terraform.tfstate')].sort());
    assert.equal(mode('terraform.tfstate'), 0o600);
    assert.equal(mode('terraform.tfstate.backup'), 0o600);
    assert.equal(mode(path.join('terraform.tfstate.d', 'staging', 'terraform.tfstate')), 0o600);
    assert.equal(mode('main.tf'), 0o644, 'only state files');
    assert.deepEqual(protectStateFiles(fs.mkdtempSync(path.join(dir, 'empty-')), [password]).holdingSecrets, [], 'no state: nothing');
  });

  test('leftover plan files are removed, other files kept', () => {
    fs.writeFileSync(path.join(dir, 'a.tfplan'), 'x');
    fs.writeFileSync(path.join(dir, 'b.tfplan'), 'x');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    assert.deepEqual(removePlanFiles(dir).sort(), ['a.tfplan', 'b.tfplan']);
    assert.deepEqual(fs.readdirSync(dir), ['notes.txt']);
    assert.deepEqual(removePlanFiles(path.join(dir, 'absent')), []);
  });
});
