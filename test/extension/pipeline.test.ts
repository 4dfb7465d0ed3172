import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PipelineSnapshot } from '../../src/commands/pipeline';
import type { LifecycleLabApi } from '../../src/extension';
import type { LakeManifest } from '../../src/core/run/manifest';
import type { GridOpened } from '../../src/webview/gridPanel';

import { EXTENSION_ID } from './activation';
const TABLES = ['dim_customers', 'dim_products', 'dim_locations', 'fact_orders'];

suite('Pipeline', function () {
  this.timeout(180_000);

  test('Run Pipeline from the command fills the lake, reconciles, shows success in the view and streams to its terminal', async () => {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    const { services } = await ext.activate();
    if (!(await services.sourceTarget())) await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
    const target = await services.sourceTarget();
    assert.ok(target, 'the local lab is running (Start Local Lab)');
    const lakeDir = services.config().local.lakeDir;
    const lakeChanged = new Promise<void>((resolve) => {
      const sub = services.onDidChangeLake(() => { sub.dispose(); resolve(); });
    });

    await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    await lakeChanged;

    const manifest = JSON.parse(await fs.readFile(path.join(lakeDir, 'gold', '_manifest.json'), 'utf8')) as LakeManifest;
    assert.equal(manifest.ok, true);
    assert.equal(manifest.tables.fact_orders.rows, manifest.source.counts.orderdetails);
    assert.ok(manifest.checks.length >= 8 && manifest.checks.every((c) => c.ok));
    for (const table of TABLES) {
      const stat = await fs.stat(path.join(lakeDir, 'gold', table, 'part-0.parquet'));
      assert.equal(stat.size, manifest.tables[table].bytes);
    }

    const snapshot: PipelineSnapshot = (await ext.activate()).pipeline.snapshot();
    assert.equal(snapshot.running, false);
    assert.equal(snapshot.lastRun?.ok, true);
    assert.equal(snapshot.lastRun?.runId, manifest.runId);
    assert.deepEqual(snapshot.steps.map((s) => `${s.step}:${s.state}`),
      ['source:ok', 'extract:ok', 'transform:ok', 'load:ok', 'reconcile:ok']);

    assert.ok(snapshot.terminalName, 'the run opened a terminal');
    const term = vscode.window.terminals.find((t) => t.name === snapshot.terminalName);
    assert.ok(term, `terminal "${snapshot.terminalName}" exists`);
    assert.ok(snapshot.transcript.some((l) => l.startsWith('SUCCESS')), snapshot.transcript.join('\n'));
    assert.ok(snapshot.transcript.some((l) => l.includes('PASS fact_rows_match_source')));

    // The Lake view's preview (the shared grid webview) and schema go through the DuckDB engine.
    const grid = await vscode.commands.executeCommand<GridOpened | undefined>('lifecycleLab.lake.previewTable', 'fact_orders');
    assert.ok(grid, 'the preview opened');
    assert.equal(grid.firstPage.rows.length, 100);
    assert.equal(grid.firstPage.hasMore, true);
    const amount = grid.firstPage.columns.findIndex((c) => c.name === 'orderAmount');
    assert.ok(amount >= 0 && grid.firstPage.columns[amount].type === 'DECIMAL(18,2)');
    assert.match(String(grid.firstPage.rows[0][amount]), /^\d+\.\d{2}$/);
    await vscode.commands.executeCommand('lifecycleLab.lake.showSchema', 'dim_locations');
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && doc.uri.scheme === 'lifecycle-lab-lake');
    assert.match(doc.getText(), /locationKey\s+INTEGER/);
  });
});
