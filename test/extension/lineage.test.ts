import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import { EXTENSION_ID } from './activation';

async function api(): Promise<LifecycleLabApi> {
  const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
  assert.ok(ext, 'the extension is installed');
  return ext.activate();
}

suite('Lineage in the editor: Show Lineage, the graph page, hovers on the model', function () {
  this.timeout(60_000);

  let restoreModel: (() => Promise<void>) | undefined;
  teardown(async () => {
    await restoreModel?.();
    restoreModel = undefined;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Show Lineage on a lake column draws source columns, the staging model, the lake column and the cards that read it', async () => {
    const lab = await api();
    await vscode.commands.executeCommand('lifecycleLab.showLineage', 'fact_orders.locationKey');
    const drawn = await lab.lineage.rendered();
    assert.ok(drawn, 'the lineage page reported what it drew');
    assert.equal(drawn.focus, 'model:fact_orders.locationKey');
    assert.deepEqual([...drawn.lanes.source].sort(), ['customers.city', 'customers.country', 'customers.postalCode', 'customers.state']);
    assert.deepEqual(drawn.lanes.staging, ['stg_customer_locations.locationKey']);
    assert.deepEqual(drawn.lanes.lake, ['fact_orders.locationKey']);
    assert.ok(drawn.lanes.reader.includes('Dashboard: Total sales by country (top 10)'), drawn.lanes.reader.join(', '));
    assert.ok(drawn.lanes.reader.some((r) => r.startsWith('Notebook: ')), drawn.lanes.reader.join(', '));
    assert.ok(drawn.edges >= 4 + 1 + drawn.lanes.reader.length, `edges drawn: ${drawn.edges}`);

    const editor = await lab.lineage.openNode('model:stg_customer_locations.locationKey');
    assert.ok(editor, 'a model column opens its SQL');
    assert.equal(path.basename(editor.document.fileName), 'stg_customer_locations.sql');
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /dense_rank|as locationKey/);
  });

  test('from a Source view column: the source column and everything the model derives from it', async () => {
    const lab = await api();
    await vscode.commands.executeCommand('lifecycleLab.showLineage', { kind: 'column', database: 'classicmodels', table: 'customers', column: { name: 'postalCode' } });
    const drawn = await lab.lineage.rendered();
    assert.equal(drawn?.focus, 'source:customers.postalCode');
    assert.ok(drawn.lanes.lake.includes('dim_locations.postalCode') && drawn.lanes.lake.includes('fact_orders.locationKey'), drawn.lanes.lake.join(', '));
    assert.ok(drawn.lanes.staging.includes('stg_customer_locations.postalCodeKey'));
  });

  test('from a dashboard card (its Lineage button sends dataset:<card>): the lake columns it reads and where they come from', async () => {
    const lab = await api();
    await vscode.commands.executeCommand('lifecycleLab.showLineage', 'dataset:salesByProductLine');
    const drawn = await lab.lineage.rendered();
    assert.equal(drawn?.focus, 'card:salesByProductLine');
    assert.deepEqual(drawn.lanes.reader, ['Dashboard: Sales by product line']);
    assert.ok(drawn.lanes.lake.includes('fact_orders.orderAmount') && drawn.lanes.lake.includes('dim_products.productLine'), drawn.lanes.lake.join(', '));
    assert.ok(drawn.lanes.source.includes('orderdetails.priceEach') && drawn.lanes.source.includes('products.productLine'), drawn.lanes.source.join(', '));
  });

  test('Run Pipeline on a model that no longer serves a card says which first, and Cancel runs nothing', async () => {
    const lab = await api();
    const factFile = lab.services.asset('glue', 'sql', 'fact_orders.sql');
    const original = await fs.readFile(factFile, 'utf8');
    // Put back by the suite's teardown too, should this test time out before its finally runs.
    restoreModel = () => fs.writeFile(factFile, original);
    const modals: { message: string; modal: boolean }[] = [];
    const warning = vscode.window.showWarningMessage;
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (message: string, options: unknown) => {
      modals.push({ message, modal: (options as { modal?: boolean } | undefined)?.modal === true });
      return Promise.resolve(undefined);
    };
    const transcript = lab.pipeline.snapshot().transcript.length;
    try {
      const broken = original.replace(/\n\s*cast\(order_lines\.quantityOrdered \* order_lines\.priceEach as decimal\(18,2\)\) as orderAmount,/, '');
      assert.notEqual(broken, original, 'the model edit applies');
      await fs.writeFile(factFile, broken);
      await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
      const asked = modals.find((m) => m.modal);
      assert.ok(asked, `a modal asked first: ${JSON.stringify(modals)}`);
      assert.match(asked.message, /dashboard card "Key figures" reads [^;]*orderAmount/);
      assert.match(asked.message, /Key figures/);
      assert.equal(lab.pipeline.snapshot().transcript.length, transcript, 'nothing ran: the pipeline terminal is as it was');
    } finally {
      await fs.writeFile(factFile, original);
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = warning;
    }
  });

  test('hovering a column in glue/sql shows its expression, its source columns and what reads it', async () => {
    const lab = await api();
    const file = path.join(path.dirname(lab.services.asset('glue', 'sql', 'x')), 'fact_orders.sql');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const line = doc.getText().split('\n').findIndex((l) => /as orderAmount/.test(l));
    const character = doc.lineAt(line).text.indexOf('orderAmount') + 2;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, character));
    // Markdown as VS Code holds it: appended text has its spaces as &nbsp; and punctuation escaped.
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n')
      .replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!])/g, '$1');
    assert.match(text, /fact_orders\.orderAmount/);
    assert.match(text, /From the source: orderdetails\.quantityOrdered, orderdetails\.priceEach/);
    assert.match(text, /Read by: .*card Key figures/);
  });
});
