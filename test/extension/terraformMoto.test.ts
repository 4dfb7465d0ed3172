/**
 * The lab's real terraform/ module from the editor against moto, at log level Trace, tried as a hostile user would:
 * a marker password set in secret storage, then Init, Plan, Apply, Show Outputs and Destroy from the editor; the
 * marker must then be in no file of the workspace, the module folder, the extension's storage, the editor's logs and
 * user data (the runner's folder, EXT_TEST_RUN_DIR), and in no process environment. The password goes to a Secrets
 * Manager secret (moto's), Terraform gets its ARN, and the Glue connection refers to it.
 * The module runs from a copy with test/iac's moto override (moto's keys, few retries); the moto launcher adds the
 * Glue calls moto lacks. Terraform takes the AWS provider from the machine's mirror through test/iac's CLI config,
 * given to the editor's terminals with terminal.integrated.env.linux.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GetConnectionCommand, GlueClient } from '@aws-sdk/client-glue';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TerraformRunResult } from '../../src/commands/terraform';
import type { LifecycleLabApi } from '../../src/extension';
import { startMotoGlueServer, stopMotoGlueServer, useAwsEnvironment, type LaunchedMoto } from '../aws/motoServer';
import { copyModule, GLUE_DIR, pythonHas, requireTool, terraformAvailable, terraformEnv, TERRAFORM_ENABLE } from '../iac/tools';
import { EXTENSION_ID } from './activation';
import { useTerraformSettings, type Question } from './terraformHarness';

const SECRET_NAME = 'lifecycle-lab/de-c1w2/source-database';
const STORE = 'Store Database Password in AWS';

type Moto = LaunchedMoto<{ vpc_id: string; subnet_id: string; sg_id: string }>;

/** Every file under `root` (no symlinks followed), skipping node_modules and .git. */
function walk(root: string, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(root, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git') walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The files that hold `needle` (read as bytes: logs, databases, anything). */
function filesHolding(files: string[], needle: string): string[] {
  const bytes = Buffer.from(needle);
  return files.filter((f) => {
    try {
      return fs.statSync(f).size < 200 * 1024 * 1024 && fs.readFileSync(f).includes(bytes);
    } catch {
      return false; // gone meanwhile, or a socket
    }
  });
}

/** Live processes whose environment holds `needle` (pid and command), and how many environments were readable. */
function processesHolding(needle: string): { holding: string[]; read: Set<number> } {
  const bytes = Buffer.from(needle);
  const holding: string[] = [];
  const read = new Set<number>();
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number)) {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`);
      read.add(pid);
      if (environ.includes(bytes)) holding.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120)}`);
    } catch {
      // exited, or not ours to read
    }
  }
  return { holding, read };
}

suite('Terraform on moto: the real module, the password in Secrets Manager, nothing left anywhere (log level Trace)', function () {
  this.timeout(300_000);
  let api: LifecycleLabApi;
  let moto: Moto | undefined;
  let restoreEnv: (() => void) | undefined;
  const marker = `marker-${randomBytes(12).toString('hex')}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-tf-moto-ext-'));
  const moduleDir = path.join(tmp, 'terraform');
  let restore: (() => Promise<void>) | undefined;
  let savedTerminalEnv: unknown;
  const asked: Question[] = [];
  const started = new Date(Date.now() - 1000);
  let secretArn = '';

  const run = (verb: string) => vscode.commands.executeCommand<TerraformRunResult | undefined>(`lifecycleLab.terraform.${verb}`);
  const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const secrets = () => new SecretsManagerClient({ region: 'us-east-1', endpoint: moto!.endpoint, credentials });
  const terminalPid = async () => vscode.window.terminals.find((t) => t.name === 'Terraform')?.processId;

  suiteSetup(async function () {
    requireTool(this, terraformAvailable(), 'terraform with the AWS provider mirror', TERRAFORM_ENABLE);
    requireTool(this, pythonHas('moto.server'), 'moto', "bash scripts/setup.sh --test (pip install 'moto[server]')");
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    // The window and this extension host at Trace; the runner starts the server side (remote agent, pty host) there.
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
    assert.equal(vscode.env.logLevel, vscode.LogLevel.Trace, 'the editor logs at Trace');
    assert.equal(process.env.EXT_TEST_LOG_LEVEL, 'trace', 'the runner started code-server with --log trace (EXT_TEST_LOG_LEVEL)');
    assert.ok(process.env.EXT_TEST_RUN_DIR && fs.existsSync(process.env.EXT_TEST_RUN_DIR), 'the runner names its folder (logs, user data)');

    moto = await startMotoGlueServer<{ vpc_id: string; subnet_id: string; sg_id: string }>();
    fs.mkdirSync(moduleDir);
    copyModule(moduleDir, { lifecycleRules: false });
    restoreEnv = useAwsEnvironment('fake');
    const tfEnv = terraformEnv();
    const terminalEnv = vscode.workspace.getConfiguration('terminal.integrated.env');
    savedTerminalEnv = terminalEnv.inspect('linux')?.globalValue;
    await terminalEnv.update('linux', { TF_CLI_CONFIG_FILE: tfEnv.TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE: '1', AWS_EC2_METADATA_DISABLED: 'true' }, vscode.ConfigurationTarget.Global);
    restore = await useTerraformSettings(api, {
      'terraform.moduleDir': moduleDir,
      'terraform.variables': {
        vpc_id: moto.vpc_id, subnet_id: moto.subnet_id, db_sg_id: moto.sg_id, host: 'de-c1w2-rds.moto.internal',
        data_lake_bucket: 'lab-moto-data-lake', scripts_bucket: 'lab-moto-scripts', force_destroy_buckets: true, glue_dir: GLUE_DIR,
      },
      'aws.endpoint': moto.endpoint, 'aws.region': 'us-east-1', 'aws.profile': '',
    }, marker, asked);
  });

  suiteTeardown(async () => {
    await restore?.();
    if (api) await vscode.workspace.getConfiguration('terminal.integrated.env').update('linux', savedTerminalEnv, vscode.ConfigurationTarget.Global);
    restoreEnv?.();
    await stopMotoGlueServer(moto);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('init, then plan: the password is stored in Secrets Manager first (confirmed), Terraform gets only its ARN', async () => {
    const init = await run('init');
    assert.ok(init?.ok, JSON.stringify(init));
    const plan = await run('plan');
    assert.ok(plan?.ok, JSON.stringify(plan));
    assert.ok((plan.summary?.add ?? 0) >= 20, `planned ${plan.summary?.add} to add`);
    const store = asked.find((q) => q.action === STORE);
    assert.ok(store, 'Plan asked before storing the password in AWS');
    assert.equal(store.message, `Store the database password in AWS Secrets Manager as ${SECRET_NAME}?`);
    assert.match(store.detail, /does not exist yet: it is created/);
    assert.match(store.detail, /Terraform gets only the secret's ARN/);
    const client = secrets();
    try {
      const got = await client.send(new GetSecretValueCommand({ SecretId: SECRET_NAME }));
      assert.deepEqual(JSON.parse(got.SecretString!), { username: 'admin', password: marker });
      secretArn = got.ARN!;
    } finally {
      client.destroy();
    }
    const pid = await terminalPid();
    assert.ok(pid, 'the Terraform terminal');
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes(`TF_VAR_password_secret_arn=${secretArn}`), 'the terminal passes the secret\'s ARN');
    assert.deepEqual(environ.filter((v) => /^(TF_VAR_password=|LIFECYCLE_LAB_REDACT_)/.test(v)).map((v) => v.split('=')[0]), [], 'no password variable, no copy');
    const live = processesHolding(marker);
    assert.ok(live.read.has(pid), 'the terminal\'s environment was read');
    assert.deepEqual(live.holding, [], 'processes whose environment holds the password');
  });

  test('apply: the confirmation says where the password is; the Glue connection in moto has SECRET_ID and no PASSWORD', async () => {
    const before = asked.length;
    const r = await run('apply');
    assert.ok(r?.ok, JSON.stringify(r));
    const questions = asked.slice(before);
    assert.deepEqual(questions.map((q) => q.action), ['Apply'], 'the stored secret is up to date: only Apply is asked');
    assert.match(questions[0].detail, new RegExp(`The database password is in the Secrets Manager secret ${SECRET_NAME}; Terraform gets only its ARN\\.`));
    const glue = new GlueClient({ region: 'us-east-1', endpoint: moto!.endpoint, credentials });
    try {
      const { Connection } = await glue.send(new GetConnectionCommand({ Name: 'de-c1w2-source-connection', HidePassword: false }));
      assert.equal(Connection?.ConnectionProperties?.SECRET_ID, secretArn);
      assert.ok(!('PASSWORD' in (Connection?.ConnectionProperties ?? {})), JSON.stringify(Connection?.ConnectionProperties));
    } finally {
      glue.destroy();
    }
    assert.equal(fs.statSync(path.join(moduleDir, 'terraform.tfstate')).mode & 0o777, 0o600, 'the state is private');
  });

  test('show outputs: exit 0', async () => {
    const r = await run('outputs');
    assert.ok(r?.ok, JSON.stringify(r));
  });

  test('destroy, then the offer to delete the secret with its 7-day recovery window: scheduled for deletion', async () => {
    const before = asked.length;
    const r = await run('destroy');
    assert.ok(r?.ok, JSON.stringify(r));
    const questions = asked.slice(before);
    assert.deepEqual(questions.map((q) => q.action), ['Destroy', 'Delete Secret']);
    assert.match(questions[1].message, new RegExp(`delete the secret ${SECRET_NAME} that holds the database password`));
    assert.match(questions[1].detail, /7-day recovery window/);
    assert.ok(r.secretDeletionDate, 'the deletion date');
    const client = secrets();
    try {
      const described = await client.send(new DescribeSecretCommand({ SecretId: SECRET_NAME }));
      assert.ok(described.DeletedDate, 'moto has it scheduled for deletion');
    } finally {
      client.destroy();
    }
  });

  test('the marker is in no file (workspace, module folder, extension storage, editor logs and user data) and no process environment', async () => {
    const runDir = process.env.EXT_TEST_RUN_DIR!;
    const context = api.services.context;
    const workspaceWritten = execFileSync('find', [workspaceRoot(), '-type', 'f', '-newermt', started.toISOString(), '-not', '-path', '*/node_modules/*', '-not', '-path', '*/.git/*'],
      { encoding: 'utf8' }).split('\n').filter(Boolean);
    const roots = [moduleDir, runDir, context.globalStorageUri.fsPath, context.logUri.fsPath, ...(context.storageUri ? [context.storageUri.fsPath] : [])];
    const files = [...new Set([...workspaceWritten, ...roots.flatMap((r) => walk(r))])];
    assert.ok(files.some((f) => f.startsWith(moduleDir) && f.endsWith('terraform.tfstate.backup')), 'Terraform\'s state and backup are among them');
    const logs = files.filter((f) => f.startsWith(runDir) && f.endsWith('.log'));
    assert.ok(logs.length >= 3, `the editor's logs are among them: ${logs.map((f) => path.relative(runDir, f)).join(', ')}`);
    // At Trace the editor's logs record what the extension gave the terminal: the search covers where the leak was.
    assert.ok(filesHolding(logs, secretArn).length > 0, 'no log records the Terraform terminal\'s environment: the search would miss a leak there');
    assert.deepEqual(filesHolding(files, marker).map((f) => f.startsWith(runDir) ? `<run>/${path.relative(runDir, f)}` : f), [], 'files holding the password');
    assert.ok(!api.terraform.snapshot().transcript.includes(marker), 'the Terraform terminal showed the password');
    const pid = await terminalPid();
    const live = processesHolding(marker);
    assert.ok(pid && live.read.has(pid), 'the terminal\'s shell is still there and was read');
    assert.deepEqual(live.holding, [], 'processes whose environment holds the password');
  });
});
