import * as vscode from 'vscode';
import type { LakeCatalog, LakeTableSummary } from '../core/backend/types';
import type { LakeManifest } from '../core/run/manifest';
import { formatBytes } from '../core/format';
import type { LakeCheck, LakeProblem } from '../core/run/lakeCheck';

/** A table of the lake; its problems are those of the open check on every refresh plus checksums after Verify Lake. */
export interface LakeTableNode extends LakeTableSummary {
  kind: 'table';
}

type LakeNode =
  | { kind: 'run'; manifest: LakeManifest }
  | { kind: 'damaged'; problems: LakeProblem[] }
  | LakeTableNode
  | { kind: 'error'; message: string };

/**
 * The Lake view: the tables under `<lake>/gold/` with rows, files and sizes from the manifest (a lake written
 * without one still lists its tables), and the last run's reconciliation on top. Opening it restores a lake a crash
 * left half-swapped, and each refresh runs the check the query engine runs when it opens a lake version (sizes,
 * Parquet framing, checksums of a lake within checkLake's open budget): a damaged table is shown as such, with a node
 * on top that offers Run Pipeline. Checksum findings of Verify Lake stay shown while the file is unchanged.
 */
export class LakeTreeProvider implements vscode.TreeDataProvider<LakeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly catalog: () => Promise<LakeCatalog>,
    private readonly onTablesKnown: (count: number) => void,
  ) {}

  /**
   * Checksum problems found by the last Verify Lake, with the lake's version then: the version changes with a new run
   * and with any data file rewritten (LakeCatalog.version), and either drops them.
   */
  private verified?: { location: string; version: string; problems: LakeProblem[] };

  refresh(): void {
    this.changed.fire();
  }

  /** Shows the result of Verify Lake (its checksum findings; sizes are checked on every refresh anyway). */
  async showVerification(check: LakeCheck): Promise<void> {
    const lake = await this.catalog();
    const version = await lake.version().catch(() => '');
    this.verified = { location: lake.location, version, problems: check.problems.filter((p) => p.kind === 'checksum') };
    this.refresh();
  }

  private async stillVerified(lake: LakeCatalog): Promise<LakeProblem[]> {
    if (!this.verified || this.verified.location !== lake.location) return [];
    if (this.verified.version !== (await lake.version().catch(() => ''))) return [];
    return this.verified.problems;
  }

  async getChildren(node?: LakeNode): Promise<LakeNode[]> {
    if (node) return [];
    try {
      const lake = await this.catalog();
      const overview = await lake.overview();
      // A checksum the open check found as well is shown once.
      const seen = new Set(overview.problems.map((p) => `${p.path}\n${p.kind}`));
      const verified = (await this.stillVerified(lake)).filter((p) => !seen.has(`${p.path}\n${p.kind}`));
      const problems = [...overview.problems, ...verified];
      this.onTablesKnown(overview.tables.length);
      const nodes: LakeNode[] = overview.manifest ? [{ kind: 'run', manifest: overview.manifest }] : [];
      if (problems.length) nodes.push({ kind: 'damaged', problems });
      for (const table of overview.tables) {
        const own = [...(table.problems ?? []), ...verified.filter((p) => p.table === table.name)];
        nodes.push({ ...table, kind: 'table', ...(own.length ? { problems: own } : {}) });
      }
      return overview.tables.length ? nodes : [];
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
    if (node.kind === 'damaged') {
      const tables = [...new Set(node.problems.map((p) => p.table))];
      const item = new vscode.TreeItem(`Lake damaged: ${tables.join(', ')}`);
      item.description = 'Verify Lake names the files; Run Pipeline rewrites it';
      item.tooltip = new vscode.MarkdownString([...node.problems.map((p) => `- ${p.message}`), '', 'Run Pipeline rewrites every table of the lake.'].join('\n'));
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.contextValue = 'lakeDamaged';
      item.command = { title: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };
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
      node.bytes !== undefined ? formatBytes(node.bytes) : undefined,
    ].filter(Boolean);
    item.description = parts.join(' · ');
    item.tooltip = node.location;
    item.iconPath = new vscode.ThemeIcon(node.name.startsWith('fact_') ? 'graph' : 'table');
    if (node.problems) {
      const files = [...new Set(node.problems.map((p) => p.file))].join(', ');
      item.description = `damaged: ${files} · ${item.description}`;
      item.tooltip = new vscode.MarkdownString([node.location, '',
        ...node.problems.map((p) => `- ${p.message}`), '', 'Run Pipeline rewrites the lake.'].join('\n'));
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    }
    item.contextValue = 'lakeTable';
    item.command = { title: 'Preview Lake Table', command: 'lifecycleLab.lake.previewTable', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
