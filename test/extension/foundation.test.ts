import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import { activationRecord, EXTENSION_ID, LAZY_LIBRARY } from './activation';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    menus?: Record<string, { command: string; when?: string }[]>;
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
  test('activation loads none of the lazy modules: MySQL, DuckDB and the AWS SDK load on first use', async () => {
    const { ext, api } = await activatedApi();
    assert.equal(ext.isActive, true);
    // What the host had loaded right after activation, before any test (index.ts activates first).
    const record = activationRecord();
    assert.ok(record, 'index.ts recorded the activation');
    assert.deepEqual(record.lazyLoaded, [], 'modules loaded by activation that should load on first use');
    // And what activation runs: the main bundle holds every module reachable by static imports from extension.ts, so
    // an eager `import ... from 'mysql2'` (or the AWS SDK) anywhere on that path puts the library in it.
    const map = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'dist', 'extension.js.map'), 'utf8')) as { sources: string[] };
    const heavy = map.sources.filter((s) => LAZY_LIBRARY.test(s));
    assert.deepEqual(heavy, [], 'libraries bundled into dist/extension.js instead of a lazy chunk');
    // The runner copies "[ext-test]" console lines to its own output so the activation time can be reported.
    console.log(`[ext-test] activationMs=${api.activationMs.toFixed(1)} own chunks loaded by activation: ${record.otherChunks.join(' ') || 'none'}`);
  });

  test('every view of the container can be focused, and every button on its title bar and items runs a registered command', async () => {
    const { ext } = await activatedApi();
    const manifest = ext.packageJSON as Manifest;
    const views = manifest.contributes.views.lifecycleLab.map((v) => v.id);
    assert.ok(views.length > 0, 'the Lifecycle Lab container has views');
    const registered = new Set(await vscode.commands.getCommands(true));
    const menus = [...(manifest.contributes.menus?.['view/title'] ?? []), ...(manifest.contributes.menus?.['view/item/context'] ?? [])];
    for (const id of views) {
      // `<view>.focus` exists only for a contributed view; it rejects for an unknown one.
      await vscode.commands.executeCommand(`${id}.focus`);
      const buttons = menus.filter((m) => new RegExp(`\\bview == ${id.replace(/\./g, '\\.')}\\b`).test(m.when ?? ''));
      assert.ok(buttons.length > 0, `${id} has buttons`);
      const dead = buttons.map((b) => b.command).filter((c) => !registered.has(c));
      assert.deepEqual(dead, [], `${id}: buttons whose command is not registered`);
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
