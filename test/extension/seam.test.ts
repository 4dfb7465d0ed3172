import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as mysql from 'mysql2/promise';
import * as vscode from 'vscode';
import type { PipelineResult } from '../../src/core/run/result';
import { readLakeManifest } from '../../src/core/lake/manifest';
import type { LifecycleLabApi } from '../../src/extension';
import type { QueryEngine } from '../../src/core/query/engine';
import type { DatasetId } from '../../src/core/dashboard/model';
import type { ReceivedReport } from '../../src/webview/dashboardPanel';
import type { GridOpened } from '../../src/webview/gridPanel';

import { EXTENSION_ID } from './activation';

/**
 * Counts, until stopped, the queries asked of one engine and the DuckDB instances opened anywhere in this host (the
 * bundle loads @duckdb/node-api from the same node_modules as this test, so both share its DuckDBInstance).
 */
async function countEngineUse(engine: QueryEngine): Promise<{ queries: number; instancesOpened: number; stop(): void }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const create = DuckDBInstance.create;
  const { query, stream } = engine;
  const counts = {
    queries: 0,
    instancesOpened: 0,
    stop() {
      DuckDBInstance.create = create;
      engine.query = query;
      engine.stream = stream;
    },
  };
  DuckDBInstance.create = (...args) => {
    counts.instancesOpened++;
    return create.apply(DuckDBInstance, args);
  };
  engine.query = (...args) => {
    counts.queries++;
    return query.apply(engine, args);
  };
  engine.stream = (...args) => {
    counts.queries++;
    return stream.apply(engine, args);
  };
  return counts;
}

async function waitForReport(api: LifecycleLabApi, dataset: DatasetId, afterSeq: number, accept: (r: ReceivedReport) => boolean = () => true): Promise<ReceivedReport> {
  const deadline = Date.now() + 60_000;
  let last: ReceivedReport | undefined;
  while (Date.now() < deadline) {
    last = (await api.dashboard.renderedState()).reports[dataset];
    if (last && last.seq > afterSeq && accept(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no report for ${dataset} after seq ${afterSeq}; last: ${JSON.stringify(last)}`);
}

/**
 * The mode seam in the editor: every reader of the lake goes through the backend's one query engine, and a settings
 * change builds one new backend and closes the old one's engine.
 */
suite('Mode seam', function () {
  this.timeout(240_000);
  let api: LifecycleLabApi;
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    const lakeDir = api.services.config().local.lakeDir;
    const manifest = path.join(lakeDir, 'gold', '_manifest.json');
    if (!(await fs.stat(manifest).catch(() => undefined))) {
      if (!(await api.services.sourceTarget())) await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
      await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    }
    assert.ok(await fs.stat(manifest), 'the lake has a run');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('one engine serves the lake preview, a schema document and the dashboard', async () => {
    const backend = await api.services.backend();
    const engine = await countEngineUse(backend.query);
    try {
      const grid = await vscode.commands.executeCommand<GridOpened | undefined>('lifecycleLab.lake.previewTable', 'dim_customers');
      assert.ok(grid && grid.firstPage.rows.length > 0, 'the preview opened');
      const afterPreview = engine.queries;
      assert.ok(afterPreview > 0, 'the preview read through the backend engine');

      await vscode.commands.executeCommand('lifecycleLab.lake.showSchema', 'fact_orders');
      assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', /orderAmount\s+DECIMAL\(18,2\)/);
      const afterSchema = engine.queries;
      assert.ok(afterSchema > afterPreview, 'the schema document read through the backend engine');

      // A new panel asks every card afresh (an open one would be revealed as it is).
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const seq = (await api.dashboard.renderedState()).lastSeq;
      await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
      const kpis = await waitForReport(api, 'kpis', seq);
      assert.equal(kpis.state, 'data');
      assert.ok(engine.queries > afterSchema, 'the dashboard asked the backend engine');

      assert.equal(await api.services.backend(), backend, 'the same backend throughout');
      // The backend's engine may open its instance now (if nothing opened it before); nothing else opens one.
      assert.ok(engine.instancesOpened <= 1, `DuckDB opened at most once (${engine.instancesOpened})`);
    } finally {
      engine.stop();
    }
  });

  test('a run in flight when the lake folder changes finishes on the lake it started on; the views then show the new one', async () => {
    const target = await api.services.sourceTarget();
    assert.ok(target, 'the lab is running');
    const oldLake = api.services.config().local.lakeDir;
    const before = await readLakeManifest(oldLake);
    const old = await api.services.backend();
    const built = api.services.backendsCreated;
    const newLake = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-switch-'));
    const previous = config().inspect<string>('local.lakeDir')?.globalValue;
    // A write lock on the source's biggest table holds the run inside its extraction, without timing.
    const blocker = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database });
    let unlocked = false;
    const unlock = async () => {
      if (unlocked) return;
      unlocked = true;
      await blocker.query('UNLOCK TABLES');
    };
    try {
      await blocker.query('LOCK TABLES orderdetails WRITE');
      const run = vscode.commands.executeCommand<PipelineResult | undefined>('lifecycleLab.pipeline.run');
      const deadline = Date.now() + 60_000;
      while (!api.pipeline.snapshot().running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(api.pipeline.snapshot().running, 'the run started');

      await config().update('local.lakeDir', newLake, vscode.ConfigurationTarget.Global);
      const next = await api.services.backend();
      assert.notEqual(next, old);
      assert.equal(api.services.backendsCreated, built + 1, 'one backend per change');
      assert.ok(api.pipeline.snapshot().running, 'the settings change did not end the run');
      await unlock();

      const result = await run;
      assert.ok(result, 'the run succeeded');
      const after = await readLakeManifest(oldLake);
      assert.equal(after?.runId, result.manifest.runId, 'the run published to the lake it started on');
      assert.notEqual(after?.runId, before?.runId);
      assert.equal(await readLakeManifest(newLake), undefined, 'nothing reached the new lake');
      await assert.rejects(old.query.query('select 1'), /closed/, 'the old backend\'s engine is closed');
      const view = api.pipeline.snapshot();
      assert.equal(view.running, false);
      assert.equal(view.lastRun, undefined, `the Pipeline view shows the new lake (no run yet), not the old run: ${JSON.stringify(view.lastRun)}`);
      assert.equal(await api.services.backend(), next, 'no further backend was built');
    } finally {
      await unlock().catch(() => undefined);
      await blocker.end().catch(() => undefined);
      await config().update('local.lakeDir', previous, vscode.ConfigurationTarget.Global);
      await fs.rm(newLake, { recursive: true, force: true });
    }
  });

  test('changing the lake folder builds one new backend, closes the old engine, and the dashboard follows', async () => {
    const old = await api.services.backend();
    const built = api.services.backendsCreated;
    const emptyLake = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-seam-'));
    const previous = config().inspect<string>('local.lakeDir')?.globalValue;
    const seq = (await api.dashboard.renderedState()).lastSeq;
    try {
      await config().update('local.lakeDir', emptyLake, vscode.ConfigurationTarget.Global);
      const next = await api.services.backend();
      assert.notEqual(next, old);
      assert.equal(api.services.backendsCreated, built + 1, 'one backend per change');
      assert.equal(next.lake.location, emptyLake);
      await assert.rejects(old.query.query('select 1'), /closed/, 'the old engine is closed');
      // The open dashboard reruns its cards on the new backend: an empty lake.
      const status = await waitForReport(api, 'lakeStatus', seq, (r) => r.state !== 'data');
      assert.match(status.message ?? JSON.stringify(status), /no tables|Run Pipeline|lake/i);
    } finally {
      await config().update('local.lakeDir', previous, vscode.ConfigurationTarget.Global);
      await fs.rm(emptyLake, { recursive: true, force: true });
    }
  });
});
