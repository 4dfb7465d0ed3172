import * as path from 'node:path';
import * as vscode from 'vscode';
import { LabError } from '../core/errors';
import { isPlainName } from '../core/query/sqlText';
import type { LakeCheck } from '../core/run/lakeCheck';
import type { LabServices } from '../services';
import { LakeTreeProvider, type LakeTableNode } from '../views/lakeTree';
import { GridPanel, type GridOpened } from '../webview/gridPanel';
import { withCancellableProgress } from './progress';

const SCHEME = 'lifecycle-lab-lake';

function lakeTableName(node: LakeTableNode | string | undefined): string {
  const name = typeof node === 'string' ? node : node?.name;
  if (!name || !isPlainName(name)) throw new LabError('config', 'Pick a table in the Lake view.');
  return name;
}

/** Read-only schema documents (`lifecycle-lab-lake:/<table>.schema.txt`), read through the backend's lake catalog. */
class SchemaDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly services: LabServices) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [table] = path.posix.basename(uri.path).split('.');
    const { formatTable } = await import('../core/lake/report');
    try {
      const backend = await this.services.backend();
      const result = await backend.lake.schema(lakeTableName(table));
      return `${table}: schema (${backend.query.description})\n\n${formatTable(['column', 'type', 'nullable'], result.rows)}\n`;
    } catch (err) {
      return `Could not read ${table}: ${(err as Error).message}\n`;
    }
  }

  refreshAll(): void {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === SCHEME) this.changed.fire(doc.uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The Lake view and its commands: preview (the shared grid webview) and schema documents read through the backend's
 * lake catalog and its one query engine; Show Lake; Verify Lake, which hashes every file and compares it with what its
 * run recorded, names each damaged table and file and offers Run Pipeline.
 */
export function registerLakeCommands(services: LabServices): { tree: LakeTreeProvider; disposables: vscode.Disposable[] } {
  const tree = new LakeTreeProvider(
    async () => (await services.backend()).lake,
    (count) => void vscode.commands.executeCommand('setContext', 'lifecycleLab.lakeHasTables', count > 0),
  );
  const schemas = new SchemaDocuments(services);

  const previewTable = async (node?: LakeTableNode | string): Promise<GridOpened> => {
    const table = lakeTableName(node);
    const lake = (await services.backend()).lake;
    let total: number | undefined;
    return GridPanel.open(services.context.extensionUri, `lake.${table}`, `lake:${table}`, async (offset, limit, signal) => {
      const [schema, page] = await Promise.all([lake.schema(table, signal), lake.preview(table, offset, limit, signal)]);
      total ??= await lake.rowCount(table, signal);
      return {
        database: 'lake',
        table,
        columns: schema.rows.map(([name, type]) => ({ name: String(name), type: String(type), numeric: /INT|DECIMAL|DOUBLE|FLOAT|NUMERIC/i.test(String(type)) })),
        rows: page.rows.map((row) => row.map((v) => (v === null ? null : String(v)))),
        offset,
        limit,
        hasMore: offset + page.rows.length < total,
        orderBy: [],
      };
    }, services.log, ({ rowIndex, column }) => lake.cellValue(table, column, rowIndex));
  };

  const showSchema = async (node?: LakeTableNode | string) => {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${lakeTableName(node)}.schema.txt` });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  };

  const verify = async (): Promise<LakeCheck> => {
    const lake = (await services.backend()).lake;
    const check = await withCancellableProgress('Lifecycle Lab: verifying the lake', (work) => lake.verify(work));
    if (check.recovered) services.fireLakeChanged();
    await tree.showVerification(check);
    // What the check could not cover (files no run recorded, totals only): said, not passed over.
    const notes = check.notes?.length ? ` ${check.notes.join(' ')}` : '';
    services.log.info(`Verify lake ${lake.location}: ${check.ok ? 'intact' : check.problems.map((p) => p.message).join(' ')}${notes}`);
    if (check.ok) {
      const how = check.checksums ? 'sizes and SHA-256 checksums match' : check.manifest ? 'sizes match (this manifest records no checksums)' : 'no manifest to compare with';
      void vscode.window.showInformationMessage(`Lake verified: ${check.tables.length} tables, ${how}.${notes}`);
      return check;
    }
    const tables = [...new Set(check.problems.map((p) => p.table))];
    const shown = check.problems.slice(0, 3).map((p) => p.message).join(' ');
    const more = check.problems.length > 3 ? ` (${check.problems.length - 3} more in the log)` : '';
    void vscode.window
      .showErrorMessage(`The lake is damaged (${tables.join(', ')}): ${shown}${more} Run the pipeline to rewrite it.`, 'Run Pipeline', 'Show Log')
      .then((choice) => {
        if (choice === 'Run Pipeline') void vscode.commands.executeCommand('lifecycleLab.pipeline.run');
        else if (choice === 'Show Log') services.log.show();
      });
    return check;
  };

  const view = vscode.window.createTreeView('lifecycleLab.lake', { treeDataProvider: tree });
  const disposables = [
    tree, view, schemas,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, schemas),
    services.onDidChangeLake(() => {
      tree.refresh();
      schemas.refreshAll();
    }),
    vscode.commands.registerCommand('lifecycleLab.lake.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('lifecycleLab.lake.previewTable', services.command('Preview lake table', previewTable)),
    vscode.commands.registerCommand('lifecycleLab.lake.showSchema', services.command('Show table schema', showSchema)),
    vscode.commands.registerCommand('lifecycleLab.lake.verify', services.command('Verify lake', verify)),
    vscode.commands.registerCommand('lifecycleLab.lake.reveal', services.command('Show lake', async () => {
      await vscode.commands.executeCommand('lifecycleLab.lake.focus');
      const lake = (await services.backend()).lake;
      // Only a lake that is a folder here can be shown in the Explorer.
      const folder = lake.folder === undefined ? undefined : vscode.Uri.file(lake.folder);
      if (folder && vscode.workspace.getWorkspaceFolder(folder)) await vscode.commands.executeCommand('revealInExplorer', folder);
    })),
  ];
  return { tree, disposables };
}
