import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';

const EXTENSION_ID = 'lifecycle-lab.lifecycle-lab';
const VIEW_IDS = ['lifecycleLab.source', 'lifecycleLab.pipeline', 'lifecycleLab.lake'];

interface Manifest {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, unknown> };
  };
}

async function activatedApi(): Promise<{ ext: vscode.Extension<LifecycleLabApi>; api: LifecycleLabApi }> {
  const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the host`);
  const api = await ext.activate();
  return { ext, api };
}

suite('Foundation', () => {
  test('the extension activates and reports its activation time', async () => {
    const { ext, api } = await activatedApi();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs >= 0, `activationMs = ${api.activationMs}`);
    assert.ok(api.services, 'the API exposes the services');
    // The runner copies "[ext-test]" console lines to its own output so the activation time can be reported.
    console.log(`[ext-test] activationMs=${api.activationMs.toFixed(1)}`);
  });

  test('the three views are contributed and can be focused', async () => {
    const { ext } = await activatedApi();
    const manifest = ext.packageJSON as Manifest;
    const declared = manifest.contributes.views.lifecycleLab.map((v) => v.id);
    assert.deepEqual(declared, VIEW_IDS);
    for (const id of VIEW_IDS) {
      // `<view>.focus` exists only for a contributed view; it rejects for an unknown one.
      await vscode.commands.executeCommand(`${id}.focus`);
    }
  });

  test('every command in contributes.commands is registered', async () => {
    const { ext } = await activatedApi();
    const declared = (ext.packageJSON as Manifest).contributes.commands.map((c) => c.command);
    assert.ok(declared.length > 0, 'package.json declares commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.equal(missing.length, 0, `declared but not registered: ${missing.join(', ')}`);
  });

  test('Set Database Password stores into SecretStorage and not into settings', async () => {
    const { ext, api } = await activatedApi();
    const password = `pw-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    try {
      await vscode.commands.executeCommand('lifecycleLab.setDatabasePassword', password);
      assert.equal(await api.services.getMysqlPassword(), password, 'the password reads back from SecretStorage');

      const section = vscode.workspace.getConfiguration();
      const keys = Object.keys((ext.packageJSON as Manifest).contributes.configuration.properties);
      assert.ok(keys.length > 0);
      for (const key of keys) {
        const inspected = section.inspect(key);
        const values = [inspected?.defaultValue, inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue];
        assert.ok(!values.some((v) => JSON.stringify(v ?? null).includes(password)), `setting ${key} holds the password`);
      }

      // globalStorageUri = <user-data>/User/globalStorage/<extension id>; settings.json sits in <user-data>/User.
      const userSettings = path.resolve(api.services.context.globalStorageUri.fsPath, '..', '..', 'settings.json');
      const workspaceSettings = vscode.workspace.workspaceFolders?.map((f) => path.join(f.uri.fsPath, '.vscode', 'settings.json')) ?? [];
      assert.ok(fs.existsSync(userSettings), `user settings file ${userSettings} exists`);
      for (const file of [userSettings, ...workspaceSettings]) {
        if (!fs.existsSync(file)) continue;
        assert.ok(!fs.readFileSync(file, 'utf8').includes(password), `${file} contains the password`);
      }
    } finally {
      await vscode.commands.executeCommand('lifecycleLab.clearDatabasePassword');
    }
    assert.equal(await api.services.getMysqlPassword(), undefined, 'Clear Database Password removes it');
  });
});
