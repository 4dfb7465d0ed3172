import * as vscode from 'vscode';
import * as path from 'node:path';
import { readLakeManifest, type LakeManifest } from '../core/lake/manifest';
import { formatSize } from '../core/lake/report';
import { listLakeTables } from '../core/query/duckdb';

export interface LakeTableNode {
  kind: 'table';
  name: string;
  lakeDir: string;
  rows?: number;
  files: number;
  bytes?: number;
}

type LakeNode = { kind: 'run'; manifest: LakeManifest } | LakeTableNode | { kind: 'error'; message: string };

/**
 * The Lake view: the tables under `<lake>/gold/` with rows, files and sizes from the manifest (a lake written
 * without one still lists its tables), and the last run's reconciliation on top.
 */
export class LakeTreeProvider implements vscode.TreeDataProvider<LakeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly lakeDir: () => string,
    private readonly onTablesKnown: (count: number) => void,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(node?: LakeNode): Promise<LakeNode[]> {
    if (node) return [];
    let lakeDir: string;
    try {
      lakeDir = this.lakeDir();
      const [manifest, tables] = await Promise.all([readLakeManifest(lakeDir), listLakeTables(lakeDir)]);
      this.onTablesKnown(tables.length);
      const nodes: LakeNode[] = manifest ? [{ kind: 'run', manifest }] : [];
      for (const table of tables) {
        const stats = manifest?.tables[table.name];
        nodes.push({ kind: 'table', name: table.name, lakeDir, rows: stats?.rows, files: table.files.length, bytes: stats?.bytes });
      }
      return tables.length ? nodes : [];
    } catch (err) {
      this.onTablesKnown(0);
      return [{ kind: 'error', message: (err as Error).message }];
    }
  }

  getTreeItem(node: LakeNode): vscode.TreeItem {
    if (node.kind === 'error') {
      const item = new vscode.TreeItem(`Could not read the lake: ${node.message}`);
      item.iconPath = new vscode.ThemeIcon('warning');
      return item;
    }
    if (node.kind === 'run') {
      const { manifest } = node;
      const passed = manifest.checks.filter((c) => c.ok).length;
      const item = new vscode.TreeItem(manifest.ok ? 'Reconciled' : 'Reconciliation failed');
      item.description = `${passed}/${manifest.checks.length} checks · ${new Date(manifest.finishedAt).toLocaleString()}`;
      item.tooltip = new vscode.MarkdownString(
        [`Run ${manifest.runId} from ${manifest.source.database} on ${manifest.source.host}:${manifest.source.port} (${manifest.engine.name} ${manifest.engine.version})`, '',
          ...manifest.checks.map((c) => `- ${c.ok ? '✓' : '✗'} \`${c.name}\`: ${c.message}`)].join('\n'));
      item.iconPath = new vscode.ThemeIcon(manifest.ok ? 'verified' : 'error');
      item.contextValue = 'lakeManifest';
      return item;
    }
    const item = new vscode.TreeItem(node.name);
    const parts = [
      node.rows !== undefined ? `${node.rows.toLocaleString('en-US')} rows` : undefined,
      `${node.files} file${node.files === 1 ? '' : 's'}`,
      node.bytes !== undefined ? formatSize(node.bytes) : undefined,
    ].filter(Boolean);
    item.description = parts.join(' · ');
    item.tooltip = path.join(node.lakeDir, 'gold', node.name);
    item.iconPath = new vscode.ThemeIcon(node.name.startsWith('fact_') ? 'graph' : 'table');
    item.contextValue = 'lakeTable';
    item.command = { title: 'Preview Lake Table', command: 'lifecycleLab.lake.previewTable', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
