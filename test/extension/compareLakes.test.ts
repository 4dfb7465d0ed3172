import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import type { LakeComparison } from '../../src/core/compare';
import { runPipeline } from '../../src/core/lake/pipeline';
import { editFactOrders, type FactEdit } from '../lakeEdit';
import { EXTENSION_ID } from './activation';

/**
 * Compare Lakes in the editor: the command asks for two lakes in quick picks (here both "A lake folder…", answered by
 * stubbing the pick and the folder dialog), compares them under the progress notification and opens the side-by-side
 * Markdown preview. The lakes are a pipeline run's and a copy with one fact row changed, one deleted, one added.
 */
suite('Compare Lakes', function () {
  this.timeout(240_000);
  let services: LifecycleLabApi['services'];
  let tmp: string;
  let lakeA: string;
  let lakeB: string;
  let edit: FactEdit;
  const originalPick = vscode.window.showQuickPick;
  const originalOpenDialog = vscode.window.showOpenDialog;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    services = (await ext.activate()).services;
    if (!(await services.sourceTarget())) await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
    const target = await services.sourceTarget();
    assert.ok(target, 'the local lab runs');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'compare-lakes-'));
    lakeA = path.join(tmp, 'a');
    lakeB = path.join(tmp, 'b');
    await runPipeline({ target, lakeDir: lakeA, modelDir: services.asset('glue', 'sql') });
    await fs.cp(lakeA, lakeB, { recursive: true });
    edit = await editFactOrders(lakeB);
  });

  teardown(() => {
    (vscode.window as { showQuickPick: unknown }).showQuickPick = originalPick;
    (vscode.window as { showOpenDialog: unknown }).showOpenDialog = originalOpenDialog;
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  /** Answers each quick pick with the item of that label, and each folder dialog with the next folder. */
  function answer(labels: string[], folders: string[]): string[] {
    const titles: string[] = [];
    (vscode.window as { showQuickPick: unknown }).showQuickPick = async (items: vscode.QuickPickItem[] | Thenable<vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) => {
      titles.push(options?.title ?? '');
      const label = labels.shift();
      return (await items).find((item) => item.label === label);
    };
    (vscode.window as { showOpenDialog: unknown }).showOpenDialog = async () => {
      const folder = folders.shift();
      return folder ? [vscode.Uri.file(folder)] : undefined;
    };
    return titles;
  }

  test('asks for lake A and lake B, names the changed, deleted and added rows, and opens the side-by-side preview', async () => {
    const titles = answer(['A lake folder…', 'A lake folder…'], [lakeA, lakeB]);
    const result = await vscode.commands.executeCommand<LakeComparison | undefined>('lifecycleLab.compareLakes');
    assert.deepEqual(titles, ['Compare Lakes: lake A (1/2)', 'Compare Lakes: lake B (2/2)']);
    assert.ok(result, 'the command compared the lakes (an error would have been shown instead)');
    assert.deepEqual([result.left.name, result.right.name], [lakeA, lakeB]);
    assert.equal(result.equal, false);
    const fact = result.tables.find((t) => t.table === 'fact_orders')!;
    assert.deepEqual([fact.rows?.onlyLeftCount, fact.rows?.onlyRightCount, fact.rows?.differingCount], [1, 1, 1]);
    assert.deepEqual(fact.rows?.differing[0].key, [String(edit.changed.orderNumber), edit.changed.productCode]);
    assert.ok(result.tables.filter((t) => t.table !== 'fact_orders').every((t) => t.equal), 'the dimensions are equal');

    const document = await fs.readFile(path.join(services.storageDir, 'compare-lakes.md'), 'utf8');
    assert.match(document, /## fact\\_orders: different/);
    assert.match(document, /### Rows that differ: 1/);
    // The preview opens as its own tab; wait for the editor to show it.
    let preview: vscode.Tab | undefined;
    for (let i = 0; i < 50 && !preview; i++) {
      preview = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /compare-lakes/.test(t.label));
      if (!preview) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(preview, `a tab shows compare-lakes.md (tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(', ')})`);
    assert.ok(preview.input instanceof vscode.TabInputWebview, 'it is the Markdown preview, not the text editor');
  });

  test('the same lake twice is equal; leaving the first pick compares nothing', async () => {
    const same = await vscode.commands.executeCommand<LakeComparison | undefined>('lifecycleLab.compareLakes', lakeA, lakeA);
    assert.equal(same?.equal, true);
    answer([], []);
    assert.equal(await vscode.commands.executeCommand('lifecycleLab.compareLakes'), undefined);
  });
});
