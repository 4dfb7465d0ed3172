import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TerraformRunResult } from '../../src/commands/terraform';
import type { LifecycleLabApi } from '../../src/extension';
import { OUTPUT_KEYS, useTerraformSettings, type Question } from './terraformHarness';

import { EXTENSION_ID } from './activation';
const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');

/** The terminal's text without colours and shell-integration marks, for matching Terraform's sentences. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\][^\x07]*\x07/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/**
 * Terraform from the editor with the real terraform binary, on a fixture module of terraform_data resources (no
 * provider, no cloud) copied outside the workspace. The user gives their own password_secret_arn here, so no AWS call
 * is made (test/extension/terraformMoto.test.ts covers the secret the editor stores itself, on moto).
 * Confirmations and input boxes are answered through the API's prompt hook.
 */
suite('Terraform in the editor', function () {
  this.timeout(120_000);
  let api: LifecycleLabApi;
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');
  const password = `tf-ext-${randomBytes(8).toString('hex')}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-tf-ext-'));
  const moduleDir = path.join(tmp, 'module');
  const invalidDir = path.join(tmp, 'invalid');
  const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fixture-db-AbCdEf';
  const variables = {
    host: 'db.fixture.internal', vpc_id: 'vpc-0123456789abcdef0', subnet_id: 'subnet-0123456789abcdef0', db_sg_id: 'sg-0123456789abcdef0',
    data_lake_bucket: 'fixture-lake', scripts_bucket: 'fixture-scripts', password_secret_arn: secretArn,
  };
  /** A state backup from a run that gave Terraform the password, as Terraform leaves it (0644). */
  const oldBackup = () => path.join(moduleDir, 'terraform.tfstate.backup');
  const planFiles = () => {
    const dir = path.join((api.services.context.storageUri ?? api.services.context.globalStorageUri).fsPath, 'terraform');
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.tfplan')) : [];
  };
  let restore: (() => Promise<void>) | undefined;
  const asked: Question[] = [];
  let answer = true;
  const started = new Date(Date.now() - 1000);

  /** The extension's package.json as the editor loaded it. */
  const manifest = (): unknown => vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
  const run = (verb: string) => vscode.commands.executeCommand<TerraformRunResult | undefined>(`lifecycleLab.terraform.${verb}`);
  const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  suiteSetup(async function () {
    try {
      execFileSync('terraform', ['version'], { stdio: 'ignore' });
    } catch {
      if (process.env.CI === 'true') throw new Error('terraform is not on PATH (CI=true, so this must run)');
      this.skip();
    }
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    fs.cpSync(path.join(FIXTURES, 'terraform'), moduleDir, { recursive: true });
    fs.cpSync(path.join(FIXTURES, 'terraform-invalid'), invalidDir, { recursive: true });
    fs.writeFileSync(oldBackup(), JSON.stringify({ resources: [{ instances: [{ attributes: { input: { password } } }] }] }), { mode: 0o644 });
    restore = await useTerraformSettings(api, { 'terraform.moduleDir': moduleDir, 'terraform.variables': variables }, password, asked, () => answer);
  });

  suiteTeardown(async () => {
    await restore?.();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the commands are offered in AWS mode only (palette and Pipeline view)', async () => {
    // The manifest the editor loaded for the extension, and the commands it registered, not the file on disk.
    const pkg = manifest() as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const verb of ['init', 'plan', 'apply', 'destroy', 'outputs']) {
      const id = `lifecycleLab.terraform.${verb}`;
      assert.ok(registered.has(id), `${id} is registered in the editor`);
      const entries = [...pkg.contributes.menus.commandPalette, ...pkg.contributes.menus['view/title']].filter((m) => m.command === id);
      assert.ok(entries.length >= 2, `${id} is in the palette and the Pipeline view`);
      for (const m of entries) assert.match(m.when ?? '', /lifecycleLab\.mode == aws/, `${id}: ${m.when}`);
    }
  });

  test('missing variables are asked for before anything runs, with the list', async () => {
    // Only a variable no discovery gives: a missing vpc_id would make it call AWS first.
    await config().update('terraform.variables', { ...variables, scripts_bucket: undefined }, vscode.ConfigurationTarget.Global);
    const runsBefore = api.terraform.snapshot().runs.length;
    answer = false;
    try {
      assert.equal(await run('plan'), undefined, 'declined: the command fails');
    } finally {
      answer = true;
      await config().update('terraform.variables', variables, vscode.ConfigurationTarget.Global);
    }
    const question = asked.pop();
    assert.ok(question, 'a question was asked');
    assert.match(question.message, /needs 1 value before it can run: scripts_bucket\./);
    assert.match(question.detail, /lifecycleLab\.terraform\.variables/);
    assert.equal(api.terraform.snapshot().runs.length, runsBefore, 'nothing ran');
  });

  test('init: run in the Terraform terminal, exit code 0 known through shell integration', async () => {
    const r = await run('init');
    assert.ok(r, 'the command returned its result');
    assert.equal(r.known, true, 'shell integration reported the exit code');
    assert.equal(r.exitCode, 0);
    const snap = api.terraform.snapshot();
    assert.equal(snap.terminalName, 'Terraform');
    assert.match(plain(snap.transcript), /Terraform has been successfully initialized/);
  });

  test('a state backup holding the password from an earlier run: made 0600, named in one warning', async () => {
    assert.equal(fs.statSync(oldBackup()).mode & 0o777, 0o600);
    const warnings = api.terraform.snapshot().warnings;
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /^terraform\.tfstate\.backup in module\/ holds the database password .*0600/);
    assert.ok(!warnings[0].includes(password));
    await run('init');
    assert.equal(api.terraform.snapshot().warnings.length, 1, 'named once');
  });

  test('plan: the summary from show -json agrees with terraform\'s own Plan: line', async () => {
    const r = await run('plan');
    assert.ok(r?.known && r.exitCode === 0, JSON.stringify(r));
    assert.ok(r.summary);
    assert.deepEqual([r.summary.add, r.summary.change, r.summary.destroy], [3, 0, 0]);
    assert.deepEqual(r.summary.resources.map((x) => x.address).sort(), ['terraform_data.connection', 'terraform_data.job', 'terraform_data.workgroup']);
    assert.match(plain(api.terraform.snapshot().transcript), /Plan: 3 to add, 0 to change, 0 to destroy\./);
    assert.deepEqual(api.terraform.snapshot().lastPlan, r.summary);
    assert.equal(planFiles().length, 1, 'the plan, in the extension\'s storage');
    const again = await run('plan');
    assert.ok(again?.ok, JSON.stringify(again));
    assert.equal(planFiles().length, 1, 'a superseded plan is removed');
  });

  test('apply asks first, naming what changes; declined, nothing is applied', async () => {
    answer = false;
    try {
      assert.equal(await run('apply'), undefined);
    } finally {
      answer = true;
    }
    const question = asked.pop();
    assert.ok(question);
    assert.equal(question.action, 'Apply');
    assert.match(question.message, /Plan: 3 to add, 0 to change, 0 to destroy/);
    for (const address of ['terraform_data.connection', 'terraform_data.job', 'terraform_data.workgroup']) assert.ok(question.detail.includes(address), question.detail);
    assert.ok(!fs.existsSync(path.join(moduleDir, 'terraform.tfstate')) || !fs.readFileSync(path.join(moduleDir, 'terraform.tfstate'), 'utf8').includes('terraform_data'));
  });

  test('apply confirmed: the saved plan applied (exit 0), its outputs in the workspace settings', async () => {
    const r = await run('apply');
    assert.ok(r?.known && r.exitCode === 0, JSON.stringify(r));
    assert.equal(asked.pop()?.action, 'Apply', 'confirmed first');
    assert.match(plain(api.terraform.snapshot().transcript), /Apply complete! Resources: 3 added, 0 changed, 0 destroyed\./);
    assert.deepEqual(r.settingsWritten?.sort(), [...OUTPUT_KEYS].sort());
    assert.equal(config().inspect('aws.glueJobName')?.workspaceValue, 'de-c1w2-etl-job');
    assert.equal(config().inspect('aws.lakePath')?.workspaceValue, 's3://fixture-lake', 'the lake root, not its gold/ folder');
    assert.equal(config().inspect('aws.athenaOutputLocation')?.workspaceValue, 's3://fixture-lake/athena-results/');
    const state = fs.readFileSync(path.join(moduleDir, 'terraform.tfstate'), 'utf8');
    assert.ok(state.includes(secretArn), 'the state refers to the secret');
    assert.ok(!state.includes(password), 'the state holds no password');
    assert.equal(fs.statSync(path.join(moduleDir, 'terraform.tfstate')).mode & 0o777, 0o600);
    assert.deepEqual(planFiles(), [], 'the applied plan is removed');
  });

  test('show outputs: exit 0, the sensitive output hidden', async () => {
    const r = await run('outputs');
    assert.ok(r?.known && r.exitCode === 0, JSON.stringify(r));
    assert.match(plain(api.terraform.snapshot().transcript), /source_dsn = <sensitive>/);
  });

  test('destroy asks first, listing what it removes; confirmed, exit 0', async () => {
    const r = await run('destroy');
    assert.ok(r?.known && r.exitCode === 0, JSON.stringify(r));
    const question = asked.pop();
    assert.equal(question?.action, 'Destroy');
    assert.match(question.message, /Destroy 3 resources/);
    assert.match(question.detail, /The database password is in your secret password_secret_arn; Terraform gets only its ARN\./);
    for (const address of ['terraform_data.connection', 'terraform_data.job', 'terraform_data.workgroup']) assert.ok(question.detail.includes(`destroy: ${address}`), question.detail);
    const transcript = plain(api.terraform.snapshot().transcript);
    assert.match(transcript, /Destroy complete! Resources: 3 destroyed\./);
  });

  test('a failed validation is a failure with its exit code', async () => {
    await config().update('terraform.moduleDir', invalidDir, vscode.ConfigurationTarget.Global);
    try {
      const r = await run('plan');
      assert.ok(r, 'the command returned its result');
      assert.equal(r.known, true);
      assert.equal(r.exitCode, 1);
      assert.equal(r.ok, false);
      assert.equal(r.summary, undefined);
      assert.match(plain(api.terraform.snapshot().transcript), /data_lake_bucket must start with accepted-/);
    } finally {
      await config().update('terraform.moduleDir', moduleDir, vscode.ConfigurationTarget.Global);
    }
  });

  test('the password is in no transcript, no file under the workspace, no setting and not in the terminal\'s environment', async () => {
    const terminal = vscode.window.terminals.find((t) => t.name === 'Terraform');
    const pid = await terminal?.processId;
    assert.ok(pid, 'the Terraform terminal\'s shell');
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    assert.ok(environ.includes(`TF_VAR_password_secret_arn=${secretArn}`), 'the variables are in its environment');
    assert.ok(!environ.includes(password) && !/LIFECYCLE_LAB_REDACT_|TF_VAR_password=/.test(environ), 'no password and no copy of it');
    const transcript = api.terraform.snapshot().transcript;
    assert.ok(transcript.length > 1000 && /Destroy complete/.test(transcript), 'the transcript covers init to destroy');
    assert.ok(!transcript.includes(password), 'the Terraform terminal showed the password');
    const written = execFileSync('find', [workspaceRoot(), '-type', 'f', '-newermt', started.toISOString(), '-not', '-path', '*/node_modules/*', '-size', '-20M'],
      { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const file of written) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue; // removed meanwhile
      }
      assert.ok(!text.includes(password), `${file} holds the password`);
    }
    const pkg = manifest() as { contributes: { configuration: { properties: Record<string, unknown> } } };
    const keys = Object.keys(pkg.contributes.configuration.properties).map((k) => k.replace(/^lifecycleLab\./, ''));
    assert.ok(keys.includes('terraform.variables'));
    for (const key of keys) assert.ok(!JSON.stringify(config().inspect(key) ?? {}).includes(password), `setting ${key} holds the password`);
  });
});
