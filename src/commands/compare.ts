import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareNamedLakes, comparisonMarkdown, LAKE_NAME_HELP, lakeLabel, parseLakeName, type LakeComparison, type LakeName } from '../core/compare';
import { configuredLakes, otherLakeSetUp } from '../core/backend';
import type { LabConfig } from '../core/config';
import type { LabServices } from '../services';
import { withCancellableProgress } from './progress';

/** The file the last comparison is written to and previewed from (a file, so closing it asks nothing). */
export const COMPARE_DOCUMENT = 'compare-lakes.md';

interface LakeItem extends vscode.QuickPickItem {
  /** A lake name as `lifecycle-lab lake diff` takes it, or how to ask for one. */
  pick: { name: string } | { ask: 'folder' | 'glue' };
}

/**
 * Compare Lakes: asks for two lakes (this mode's, the other mode's when it is set up, a lake folder, a Glue database),
 * compares them table by table under a cancellable progress notification, and opens the result as a Markdown preview
 * (values escaped, so lake data is shown as text). Given two lake names (as the CLI takes them), it asks nothing; it
 * returns the comparison for other commands and tests.
 */
export function registerCompareLakes(services: LabServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('lifecycleLab.compareLakes', services.command('Compare Lakes', async (lakeA?: string, lakeB?: string) => {
      const config = services.config();
      const root = services.root;
      const a = lakeA !== undefined ? parseLakeName(lakeA, config, root) : await askLake(config, root, 'A (1/2)');
      if (!a) return undefined;
      const b = lakeB !== undefined ? parseLakeName(lakeB, config, root) : await askLake(config, root, 'B (2/2)');
      if (!b) return undefined;
      const comparison: LakeComparison = await withCancellableProgress('Compare Lakes', (work) => compareNamedLakes(a, b, config, {
        readPassword: () => services.getMysqlPassword(),
        modelDir: services.asset('glue', 'sql'),
        log: services.log,
      }, work));
      services.log.info(`Compare Lakes: ${comparison.left.name} and ${comparison.right.name} are ${comparison.equal ? 'equal' : 'different'}.`);
      const file = path.join(services.storageDir, COMPARE_DOCUMENT);
      await fs.promises.mkdir(services.storageDir, { recursive: true });
      await fs.promises.writeFile(file, comparisonMarkdown(comparison));
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
      return comparison;
    })),
  ];
}

async function askLake(config: LabConfig, root: string, which: string): Promise<LakeName | undefined> {
  const items: LakeItem[] = [];
  const { current, other } = configuredLakes(config);
  const thisMode: LakeName = { kind: current };
  const otherMode: LakeName = { kind: other };
  items.push({ label: `This mode's lake (${current})`, description: lakeLabel(thisMode, config), pick: { name: current } });
  if (otherLakeSetUp(config)) {
    items.push({ label: `The other mode's lake (${other})`, description: lakeLabel(otherMode, config), pick: { name: other } });
  }
  items.push({ label: 'A lake folder…', description: 'a folder holding gold/_manifest.json', pick: { ask: 'folder' } });
  items.push({ label: 'A Glue database…', description: 'read through Athena with the AWS settings', pick: { ask: 'glue' } });
  const chosen = await vscode.window.showQuickPick(items, { title: `Compare Lakes: lake ${which}`, placeHolder: LAKE_NAME_HELP, ignoreFocusOut: true });
  if (!chosen) return undefined;
  if ('name' in chosen.pick) return parseLakeName(chosen.pick.name, config, root);
  if (chosen.pick.ask === 'folder') {
    const folders = await vscode.window.showOpenDialog({
      title: `Compare Lakes: lake ${which}`, canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Compare this lake',
      defaultUri: vscode.Uri.file(root),
    });
    return folders?.[0] ? parseLakeName(folders[0].fsPath, config, root) : undefined;
  }
  const database = await vscode.window.showInputBox({
    title: `Compare Lakes: lake ${which}`, prompt: 'The Glue Data Catalog database of the lake (Terraform\'s catalog_database output)',
    value: config.athena.database, ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        parseLakeName(`aws:${value.trim()}`, config, root);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  return database === undefined ? undefined : parseLakeName(`aws:${database.trim()}`, config, root);
}
