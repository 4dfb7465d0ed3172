/**
 * A real Terraform cycle of terraform/ against moto on loopback: init, plan, apply, output -json, what moto then
 * holds, a second plan with no changes, destroy. The password is in a secret on moto, as the editor stores it:
 * Terraform gets password_secret_arn only. The module runs from a copy (so nothing lands in the repository)
 * with a test-only override file (moto's keys); the moto launcher (test/iac/moto_glue_server.py) adds what moto lacks
 * (emulator/moto_gaps.py), the buckets' lifecycle rules read back as AWS does among it.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetConnectionCommand, GetDatabaseCommand, GetJobCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetBucketLifecycleConfigurationCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startMotoGlueServer, stopMotoGlueServer, type LaunchedMoto } from '../aws/motoServer';
import { copyModule, EDITOR_OUTPUTS, GLUE_DIR, pythonHas, requireTool, scriptJobArguments, tail, terraform, terraformAvailable, terraformEnv, TERRAFORM_ENABLE, type RunResult } from './tools';

/** The modules glue_job.py imports: every Python file beside it but the local runner, shipped in --extra-py-files. */
const JOB_MODULES = fs.readdirSync(GLUE_DIR).filter((f) => f.endsWith('.py') && f !== 'glue_job.py' && f !== 'local_run.py').sort();

type Moto = LaunchedMoto<{ vpc_id: string; subnet_id: string; sg_id: string }>;

suite('terraform apply against moto', function () {
  this.timeout(240_000);
  let moto: Moto | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const password = `moto-${randomBytes(9).toString('hex')}`;
  let secretArn = '';
  const transcripts: RunResult[] = [];
  let added = 0;

  const tf = async (args: string[]) => {
    const r = await terraform(args, { dir, env, timeoutMs: 230_000 });
    transcripts.push(r);
    return r;
  };

  suiteSetup(async function () {
    requireTool(this, terraformAvailable(), 'terraform with the AWS provider mirror', TERRAFORM_ENABLE);
    requireTool(this, pythonHas('moto.server'), 'moto', "bash scripts/setup.sh --test (pip install 'moto[server]')");
    moto = await startMotoGlueServer<{ vpc_id: string; subnet_id: string; sg_id: string }>();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-tf-moto-'));
    copyModule(dir);
    // The editor's route: the password in a Secrets Manager secret, Terraform gets only its ARN.
    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      secretArn = (await sm.send(new CreateSecretCommand({ Name: 'lifecycle-lab/de-c1w2/source-database', SecretString: JSON.stringify({ username: 'admin', password }) }))).ARN!;
    } finally {
      sm.destroy();
    }
    fs.writeFileSync(path.join(dir, 'terraform.tfvars.json'), JSON.stringify({
      aws_endpoint: moto.endpoint, vpc_id: moto.vpc_id, subnet_id: moto.subnet_id, db_sg_id: moto.sg_id,
      host: 'de-c1w2-rds.moto.internal', data_lake_bucket: 'lab-moto-data-lake', scripts_bucket: 'lab-moto-scripts',
      force_destroy_buckets: true, glue_dir: GLUE_DIR, password_secret_arn: secretArn,
    }, null, 2));
    env = terraformEnv({ AWS_EC2_METADATA_DISABLED: 'true' });
    const init = await tf(['init', '-input=false']);
    assert.equal(init.code, 0, tail(init.output));
  });

  suiteTeardown(async () => {
    await stopMotoGlueServer(moto);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('plan: every resource to add', async function () {
    const r = await tf(['plan', '-input=false', '-out=cycle.tfplan']);
    assert.equal(r.code, 0, tail(r.output));
    const m = /Plan: (\d+) to add, 0 to change, 0 to destroy\./.exec(r.stdout);
    assert.ok(m, tail(r.output));
    added = Number(m[1]);
    assert.ok(added >= 20, `only ${added} resources`);
    this.test!.title += ` [${m[0]}]`;
  });

  test('apply', async () => {
    const r = await tf(['apply', '-input=false', '-auto-approve', 'cycle.tfplan']);
    assert.equal(r.code, 0, tail(r.output, 60));
    assert.match(r.stdout, new RegExp(`Apply complete! Resources: ${added} added, 0 changed, 0 destroyed\\.`));
  });

  test('output -json: what the editor reads, and no secret', async () => {
    const r = await tf(['output', '-json']);
    assert.equal(r.code, 0, tail(r.output));
    const outputs = JSON.parse(r.stdout) as Record<string, { value: unknown; sensitive: boolean }>;
    assert.deepEqual(Object.keys(outputs).sort(), EDITOR_OUTPUTS);
    assert.equal(outputs.job_name.value, 'de-c1w2-etl-job');
    assert.equal(outputs.lake_path.value, 's3://lab-moto-data-lake/gold/');
    assert.match(String(outputs.role_arn.value), /^arn:aws:iam::\d{12}:role\/de-c1w2-glue-job-role$/);
    assert.ok(!r.stdout.includes(password));
  });

  test('moto holds the job, its connection, catalog database and uploads', async () => {
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const glue = new GlueClient({ region: 'us-east-1', endpoint: moto!.endpoint, credentials });
    const s3 = new S3Client({ region: 'us-east-1', endpoint: moto!.endpoint, credentials, forcePathStyle: true });
    try {
      const { Job } = await glue.send(new GetJobCommand({ JobName: 'de-c1w2-etl-job' }));
      assert.equal(Job?.WorkerType, 'G.1X');
      assert.equal(Job?.NumberOfWorkers, 2);
      assert.ok(Number(Job?.GlueVersion) >= 4);
      const jobArgs = Object.keys(Job?.DefaultArguments ?? {}).filter((k) => !/^--(enable-|job-|continuous-|extra-)/.test(k)).map((k) => k.slice(2));
      assert.deepEqual(jobArgs.sort(), scriptJobArguments().sort());
      assert.equal(Job?.Command?.ScriptLocation, 's3://lab-moto-scripts/glue/glue_job.py');
      assert.equal(Job?.DefaultArguments?.['--extra-files'], 's3://lab-moto-scripts/glue/manifest.schema.json,s3://lab-moto-scripts/glue/dashboard_questions.json');
      assert.deepEqual(Job?.DefaultArguments?.['--extra-py-files']?.split(',').sort(), JOB_MODULES.map((m) => `s3://lab-moto-scripts/glue/${m}`));
      const { Connection } = await glue.send(new GetConnectionCommand({ Name: 'de-c1w2-source-connection', HidePassword: false }));
      assert.equal(Connection?.PhysicalConnectionRequirements?.SubnetId, moto!.subnet_id);
      // The editor's route: the connection refers to the secret, Terraform never had the password.
      assert.equal(Connection?.ConnectionProperties?.SECRET_ID, secretArn);
      assert.ok(!('PASSWORD' in (Connection?.ConnectionProperties ?? {})), 'the connection holds no password');
      const state = fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8');
      assert.ok(state.includes(secretArn) && !state.includes(password), 'the state refers to the secret and holds no password');
      await glue.send(new GetDatabaseCommand({ Name: 'de_c1w2_lake' }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'lab-moto-scripts', Prefix: 'glue/' }));
      const sql = [
        ...fs.readdirSync(path.join(GLUE_DIR, 'sql')).filter((f) => f.endsWith('.sql') || f === 'schema.yml').map((f) => `glue/sql/${f}`),
        ...fs.readdirSync(path.join(GLUE_DIR, 'sql', 'tests')).filter((f) => f.endsWith('.sql')).map((f) => `glue/sql/tests/${f}`),
      ];
      assert.deepEqual((listed.Contents ?? []).map((o) => o.Key).sort(), ['glue/glue_job.py', 'glue/manifest.schema.json', 'glue/dashboard_questions.json', ...JOB_MODULES.map((m) => `glue/${m}`), ...sql].sort());
      // terraform/s3.tf's lifecycle rules as the provider wrote them (its `filter {}` as an empty prefix).
      const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lab-moto-data-lake' }));
      assert.deepEqual(lifecycle.Rules?.map((r) => [r.ID, r.Status, r.Filter]), [
        ['expire-old-versions-and-uploads', 'Enabled', { Prefix: '' }], ['expire-athena-results', 'Enabled', { Prefix: 'athena-results/' }],
      ]);
      const scripts = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lab-moto-scripts' }));
      assert.deepEqual(scripts.Rules?.map((r) => r.ID), ['expire-old-versions-and-uploads']);
    } finally {
      glue.destroy();
      s3.destroy();
    }
  });

  test('a second plan shows no changes', async () => {
    const r = await tf(['plan', '-input=false', '-detailed-exitcode']);
    assert.equal(r.code, 0, `exit ${r.code} (2 means changes):\n${tail(r.output, 60)}`);
    assert.match(r.stdout, /No changes\./);
  });

  test('destroy', async () => {
    const r = await tf(['destroy', '-input=false', '-auto-approve']);
    assert.equal(r.code, 0, tail(r.output, 60));
    assert.match(r.stdout, new RegExp(`Destroy complete! Resources: ${added} destroyed\\.`));
  });

  test('no transcript shows the password', () => {
    assert.ok(transcripts.length >= 6);
    for (const t of transcripts) assert.ok(!t.output.includes(password), 'the password appears in a terraform transcript');
  });
});
