import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection } from 'mysql2';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import { readLakeManifest } from '../../src/core/lake/manifest';
import { connectSource, queryRows } from '../../src/core/lake/source';
import { SOURCE_TABLES } from '../../src/core/lake/sourceSchema';

import { EXTENSION_ID } from './activation';
/** A source whose tables have no rows (issue 19 item 2: it replaced a full lake and said SUCCESS). */
const EMPTY = 'h19_editor_empty';

/**
 * Run Pipeline on a source that would leave the lake with less than half its fact rows waits on a modal saying what it
 * would replace; Cancel keeps the lake, Replace Lake publishes. On a lake folder of its own (lifecycleLab.local.lakeDir).
 */
suite('Pipeline: replacing the lake with a much smaller one asks first', function () {
  this.timeout(180_000);
  let api: LifecycleLabApi;
  let lakeDir: string;
  let conn: Connection | undefined;
  let previous: { lakeDir?: string; database?: string } = {};
  const modals: { message: string; options: unknown; items: unknown[] }[] = [];
  let answer: string | undefined;
  const errors: string[] = [];
  const original = { warning: vscode.window.showWarningMessage, error: vscode.window.showErrorMessage };
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    if (!(await api.services.sourceTarget())) await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
    const target = await api.services.sourceTarget();
    assert.ok(target, 'the local lab is running');
    conn = await connectSource(target, target.database);
    await queryRows(conn, `drop database if exists ${EMPTY}`);
    await queryRows(conn, `create database ${EMPTY}`);
    for (const table of SOURCE_TABLES) await queryRows(conn, `create table ${EMPTY}.${table.name} like ${target.database}.${table.name}`);
    lakeDir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'lake-shrink-')), 'lake');
    previous = { lakeDir: config().inspect<string>('local.lakeDir')?.globalValue, database: config().inspect<string>('mysql.database')?.globalValue };
    await config().update('local.lakeDir', lakeDir, vscode.ConfigurationTarget.Global);
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (message: string, options: unknown, ...items: unknown[]) => {
      modals.push({ message, options, items });
      return Promise.resolve(answer);
    };
    // A failed run's notification, answered at once (unanswered, the command would wait on it).
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string) => {
      errors.push(message);
      return Promise.resolve(undefined);
    };
  });

  suiteTeardown(async () => {
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = original.warning;
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original.error;
    await config().update('mysql.database', previous.database, vscode.ConfigurationTarget.Global);
    await config().update('local.lakeDir', previous.lakeDir, vscode.ConfigurationTarget.Global);
    if (conn) {
      await queryRows(conn, `drop database if exists ${EMPTY}`).catch(() => undefined);
      conn.destroy();
    }
    if (lakeDir) await fs.rm(path.dirname(lakeDir), { recursive: true, force: true });
  });

  test('the modal names the lake it would replace (fact rows, total, run id and time); Cancel keeps it, Replace Lake publishes', async () => {
    await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    const full = await readLakeManifest(lakeDir);
    assert.ok(full && full.tables.fact_orders.rows > 0, 'a full lake first');
    assert.equal(modals.length, 0, 'a first lake asks nothing');

    await config().update('mysql.database', EMPTY, vscode.ConfigurationTarget.Global);
    answer = undefined; // the modal's Cancel
    await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    assert.equal(modals.length, 1, JSON.stringify({ modals, errors }));
    const [modal] = modals;
    assert.match(modal.message, /^Replace the lake with one that has 0 fact rows\?$/);
    assert.equal((modal.options as { modal?: boolean }).modal, true);
    const detail = (modal.options as { detail?: string }).detail ?? '';
    for (const part of [`${full.tables.fact_orders.rows.toLocaleString('en-US')} fact rows`, full.source.orderAmountTotal, full.runId, full.finishedAt, EMPTY]) {
      assert.ok(detail.includes(part), `${part} in: ${detail}`);
    }
    assert.deepEqual(modal.items, ['Replace Lake']);
    assert.equal((await readLakeManifest(lakeDir))?.runId, full.runId, 'Cancel kept the lake');
    assert.equal(api.pipeline.snapshot().lastRun?.ok, false);
    assert.deepEqual(errors, [], 'Cancel is no error');

    answer = 'Replace Lake';
    await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    assert.equal(modals.length, 2);
    const replaced = await readLakeManifest(lakeDir);
    assert.equal(replaced?.tables.fact_orders.rows, 0);
    assert.equal(replaced?.source.database, EMPTY);
  });
});
