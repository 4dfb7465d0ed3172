/**
 * Start / Stop Emulated AWS from the editor, on the shared local lab: Start puts the editor in AWS mode on the
 * emulator's endpoint, Discover RDS Instance finds de-c1w2-rds at the lab's MariaDB, the Source view lists
 * classicmodels through it, and Stop ends the emulator and switches back to local mode. The Trino URL is a closed
 * loopback port, so no Trino starts. No AWS credentials are in this host's environment or files while it runs: the
 * SDK's keys are the placeholders LabServices gives only while the endpoint is the running emulator's.
 */
import * as assert from 'node:assert/strict';
import { freePort } from '../helpers';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import { EmulatedAws, emulatorCredentialsFor, type EmulatorState } from '../../src/core/lab/emulatedAws';
import { processAlive } from '../../src/core/lab/state';
import type { MysqlTarget } from '../../src/core/config';
import type { SourceNode } from '../../src/views/sourceTree';
import { labTarget } from '../integration/fixture';
import { EXTENSION_ID } from './activation';

const TABLES = ['customers', 'employees', 'offices', 'orderdetails', 'orders', 'payments', 'productlines', 'products'];
const config = () => vscode.workspace.getConfiguration('lifecycleLab');
const SWITCH = 'Switch to Local Mode';

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

suite('Emulated AWS from the editor: Start, Discover RDS, the Source view, Stop', function () {
  this.timeout(180_000);
  let api: LifecycleLabApi;
  let lab: MysqlTarget;
  let labDir: string;
  let state: EmulatorState | undefined;
  let errors: string[] = [];
  let infos: string[] = [];
  const originalError = vscode.window.showErrorMessage;
  const originalInfo = vscode.window.showInformationMessage;
  const touched = ['mode', 'aws.endpoint', 'aws.region', 'aws.profile', 'aws.rdsInstanceId', 'aws.emulatorTrinoUrl', 'mysql.host', 'mysql.port', 'mysql.user'];
  const saved = new Map<string, unknown>();
  // Nothing the SDK's default chain could find: the emulator's keys must come from the extension.
  const envKeys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];
  const savedEnv = new Map<string, string | undefined>();

  suiteSetup(async () => {
    lab = await labTarget();
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    labDir = api.services.config().local.labDir;
    assert.equal(labDir, path.join(api.services.root, '.lab'), 'the workspace lab is the fixture lab');
    for (const key of touched) {
      const inspected = config().inspect(key);
      assert.equal(inspected?.workspaceValue, undefined, `a workspace value for ${key} would override the test's Global setting`);
      saved.set(key, inspected?.globalValue);
    }
    for (const key of envKeys) savedEnv.set(key, process.env[key]);
    for (const key of envKeys) delete process.env[key];
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(labDir, 'no-such-aws-credentials');
    process.env.AWS_CONFIG_FILE = path.join(labDir, 'no-such-aws-config');
    // Global values for every setting Start writes, so it writes them there (never the shared workspace's settings).
    const values: Record<string, unknown> = {
      mode: 'local', 'aws.endpoint': '', 'aws.region': 'us-east-1', 'aws.profile': '', 'aws.rdsInstanceId': 'de-c1w2-rds',
      'aws.emulatorTrinoUrl': `http://127.0.0.1:${await freePort() /* nothing listens there: no local Trino starts */}`, 'mysql.host': '', 'mysql.port': 3306, 'mysql.user': 'admin',
    };
    for (const [key, value] of Object.entries(values)) await config().update(key, value, vscode.ConfigurationTarget.Global);
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string) => {
      errors.push(message);
      return Promise.resolve(undefined);
    };
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = (message: string, ...items: string[]) => {
      infos.push(message);
      return Promise.resolve(items.includes(SWITCH) ? SWITCH : undefined);
    };
  });

  suiteTeardown(async () => {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = originalError;
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = originalInfo;
    await new EmulatedAws(labDir).down();
    if (lab) await api.services.context.secrets.delete(`lifecycleLab.mysql.password:${lab.user}@127.0.0.1:${lab.port}`);
    for (const key of touched) {
      await config().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
      if (config().inspect(key)?.workspaceValue !== undefined) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
    for (const [key, value] of savedEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    api?.sourceTree.refresh();
  });

  setup(() => {
    errors = [];
    infos = [];
  });

  test('Start Emulated AWS: AWS mode on its endpoint; Discover RDS finds de-c1w2-rds at the lab; the Source view lists classicmodels', async () => {
    state = await vscode.commands.executeCommand<EmulatorState | undefined>('lifecycleLab.startEmulatedAws');
    assert.deepEqual(errors, []);
    assert.ok(state, 'Start returned the emulator\'s state');
    assert.ok(processAlive(state.pid), 'the emulator runs');
    assert.equal(state.trino, config().get('aws.emulatorTrinoUrl'), 'Athena is pointed at the given coordinator');
    assert.equal(config().get('mode'), 'aws');
    assert.equal(config().get('aws.endpoint'), state.endpoint);
    assert.equal(config().get('aws.region'), 'us-east-1');
    assert.equal(config().inspect('aws.endpoint')?.workspaceValue, undefined, 'written where the setting is kept (Global here)');
    assert.ok(infos.some((m) => m.includes(state!.endpoint)), infos.join(' | '));
    const found = await vscode.commands.executeCommand<{ id: string; host: string; port: number; user?: string }>('lifecycleLab.source.discoverRds');
    assert.deepEqual(errors, []);
    assert.deepEqual(found && { id: found.id, host: found.host, port: found.port, user: found.user }, { id: 'de-c1w2-rds', host: '127.0.0.1', port: lab.port, user: lab.user });
    assert.equal(config().get('mysql.host'), '127.0.0.1');
    assert.equal(config().get('mysql.port'), lab.port);
    // The SDK signed with the placeholder keys (none in this host's environment or files): the emulator's endpoint only, never in settings.
    assert.ok(api.services.config().aws.credentials, 'keys while the endpoint is the emulator\'s');
    assert.equal(emulatorCredentialsFor(labDir, 'http://127.0.0.1:1'), undefined, 'another loopback endpoint keeps the default chain');
    for (const key of touched) assert.doesNotMatch(JSON.stringify(config().inspect(key) ?? {}), /testing/, `${key} holds no keys`);

    const tree = api.sourceTree;
    tree.refresh();
    const roots = await tree.getChildren();
    assert.equal(roots.length, 1);
    const label = (n: SourceNode) => { const l = tree.getTreeItem(n).label; return typeof l === 'string' ? l : l?.label ?? ''; };
    assert.equal(label(roots[0]), `127.0.0.1:${lab.port}`);
    const databases = await tree.getChildren(roots[0]);
    const classicmodels = databases.find((n) => label(n) === 'classicmodels');
    assert.ok(classicmodels, `classicmodels among ${databases.map(label).join(', ')}`);
    assert.deepEqual((await tree.getChildren(classicmodels)).map(label), TABLES);
  });

  test('Stop Emulated AWS: the process ends, the keys go, and the editor switches back to local mode', async () => {
    assert.ok(state, 'the first test started the emulator');
    const stopped = await vscode.commands.executeCommand<boolean>('lifecycleLab.stopEmulatedAws');
    assert.deepEqual(errors, []);
    assert.equal(stopped, true);
    assert.ok(!processAlive(state.pid), `the emulator (pid ${state.pid}) is gone`);
    assert.equal((await new EmulatedAws(labDir).status()).running, false);
    assert.ok(infos.some((m) => m.startsWith('Emulated AWS stopped')), infos.join(' | '));
    await until('the switch to local mode', () => config().get('mode') === 'local');
    await until('the endpoint cleared', () => !config().get('aws.endpoint'));
    await until('the emulated RDS source cleared', () => !config().get('mysql.host'));
    assert.equal(api.services.config().aws.credentials, undefined, 'no keys without the emulator');
  });
});
