import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import { processAlive, readLabState, readLabTarget } from '../../src/core/lab/state';

import { EXTENSION_ID } from './activation';

/**
 * Start/Stop Local Lab through the real commands, against a temporary lab folder (lifecycleLab.local.labDir,
 * Global target) so the shared `.lab` other suites use stays up.
 */
suite('Local lab commands', function () {
  this.timeout(180_000);
  let labDir: string;
  let api: LifecycleLabApi;
  let previous: string | undefined;
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in the host`);
    api = await ext.activate();
    labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-ext-'));
    const inspected = config().inspect<string>('local.labDir');
    assert.equal(inspected?.workspaceValue, undefined, 'a workspace value would override the test\'s Global setting');
    previous = inspected?.globalValue;
    await config().update('local.labDir', labDir, vscode.ConfigurationTarget.Global);
    assert.equal(api.services.config().local.labDir, labDir);
  });

  suiteTeardown(async () => {
    try {
      await vscode.commands.executeCommand('lifecycleLab.stopLocalLab');
    } finally {
      // Never leave a server behind, even if the command failed.
      const state = await readLabState(labDir);
      if (state && processAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
      await config().update('local.labDir', previous, vscode.ConfigurationTarget.Global);
      await fs.rm(labDir, { recursive: true, force: true });
    }
  });

  test('Start Local Lab brings the lab up and the source target points at it', async () => {
    let sourceEvents = 0;
    const sub = api.services.onDidChangeSource(() => sourceEvents++);
    try {
      await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
    } finally {
      sub.dispose();
    }
    const target = await readLabTarget(labDir);
    assert.ok(target, 'lab.json names a running server after Start Local Lab (see the Lifecycle Lab log if not)');
    assert.equal(target.host, '127.0.0.1');
    assert.equal(target.database, 'classicmodels');
    const source = await api.services.sourceTarget();
    assert.equal(source?.port, target.port);
    assert.equal(source?.origin, 'local-lab');
    assert.ok(sourceEvents >= 1, 'the source views were told to refresh');

    const mysql = await import('mysql2/promise');
    const conn = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database });
    try {
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM customers');
      assert.equal(Number((rows as { n: number }[])[0].n), 122);
    } finally {
      await conn.end();
    }
  });

  test('Stop then Start through the commands stops and restarts the server', async () => {
    const before = await readLabState(labDir);
    assert.ok(before, 'running before stop');
    await vscode.commands.executeCommand('lifecycleLab.stopLocalLab');
    assert.equal(await readLabTarget(labDir), undefined);
    assert.equal(processAlive(before.pid), false, 'the server process is gone');

    await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
    const after = await readLabState(labDir);
    assert.ok(after && processAlive(after.pid), 'running again after start');
    assert.notEqual(after.pid, before.pid);
    assert.equal(after.seededAt, before.seededAt, 'the restart kept the seeded data');
  });
});
