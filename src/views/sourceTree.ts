import * as vscode from 'vscode';
import type { MysqlTarget } from '../core/config';
import type { LabError } from '../core/errors';
import type { ColumnInfo, ForeignKeyInfo, IndexInfo, ServerInfo, SourceExplorer, TableInfo } from '../core/source/explorer';
import { userDatabases } from '../core/source/databases';
import { mysqlErrorToLabError } from '../core/source/errors';
import { formatApproxRows, formatBytes } from '../core/source/format';
import { targetLabel } from '../core/source/target';
import type { LabServices } from '../services';
import { errorNode, loadChildren, messageTreeItem, type MessageNode } from './treeNodes';

/** The Source view's window onto the current backend's source (the backend owns the pool). */
export class SourceSession {
  constructor(private readonly services: LabServices) {}

  /** Where the source lives now. Throws a LabError for an invalid setting. */
  async target(): Promise<MysqlTarget | undefined> {
    return (await this.services.backend()).source.target();
  }

  /** The explorer for the current target; undefined when there is no source. */
  async explorer(): Promise<SourceExplorer | undefined> {
    return (await this.services.backend()).source.explorer();
  }

  /** What to do when there is no source (Start Local Lab, Discover RDS Instance), as the backend of the mode says. */
  async missing(): Promise<LabError> {
    return (await this.services.backend()).source.missing();
  }

  /** Forget the target and close the pool; the next call reconnects. */
  reset(): void {
    this.services.backend().then((b) => b.source.reset(), () => undefined);
  }
}

export interface ConnectionNode {
  kind: 'connection';
  label: string;
  /** How the backend's mode reads: "local" or "AWS". */
  backendLabel: string;
  target: MysqlTarget;
}
export interface DatabaseNode { kind: 'database'; database: string; isSource: boolean }
export interface TableNode { kind: 'table'; database: string; table: string; info: TableInfo }
export interface ColumnNode { kind: 'column'; database: string; table: string; column: ColumnInfo }
export interface GroupNode { kind: 'indexes' | 'foreignKeys'; database: string; table: string }
export interface IndexNode { kind: 'index'; database: string; table: string; index: IndexInfo }
export interface ForeignKeyNode { kind: 'foreignKey'; database: string; table: string; foreignKey: ForeignKeyInfo }
export type SourceNode = ConnectionNode | DatabaseNode | TableNode | ColumnNode | GroupNode | IndexNode | ForeignKeyNode | MessageNode;

type ConnectionState = { state: 'connecting' } | { state: 'connected'; server: ServerInfo } | { state: 'failed'; error: unknown };

/**
 * The Source view: connection -> databases -> tables and views (row estimate, size) -> columns (type,
 * nullability, PK/FK), plus Indexes and Foreign keys per table. Children are cached per node until refresh,
 * so expanding again costs nothing; failures show as error nodes with their next step.
 */
export class SourceTreeProvider implements vscode.TreeDataProvider<SourceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SourceNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<SourceNode | 'root', Promise<SourceNode[]>>();
  private connectionState: ConnectionState = { state: 'connecting' };
  private readonly exactCounts = new Map<string, number>();
  /** Set by Discover RDS Instance when it fails, so the empty AWS view says why. */
  private discoveryError?: unknown;

  constructor(private readonly services: LabServices, private readonly session: SourceSession) {
    // Until the first load says otherwise, assume a source: the welcome view ("not running") must not flash
    // while the tree is still loading.
    void this.setConfigured(true);
  }

  /** Drop everything cached and reconnect on the next expand. */
  refresh(): void {
    this.cache.clear();
    this.exactCounts.clear();
    this.connectionState = { state: 'connecting' };
    this.session.reset();
    this.changed.fire(undefined);
  }

  setDiscoveryError(err: unknown): void {
    this.discoveryError = err;
    this.refresh();
  }

  /** Shows an exact count (from Exact Row Count) on the table node until the next refresh. */
  setExactCount(database: string, table: string, rows: number): void {
    this.exactCounts.set(`${database}.${table}`, rows);
    // Nodes are cached objects: find the one the view shows and refresh just it.
    for (const [parent, children] of this.cache) {
      if (parent !== 'root' && parent.kind === 'database' && parent.database === database) {
        void children.then((nodes) => {
          const node = nodes.find((n) => n.kind === 'table' && n.table === table);
          if (node) this.changed.fire(node);
        });
      }
    }
  }

  getChildren(node?: SourceNode): Promise<SourceNode[]> {
    const key = node ?? 'root';
    let children = this.cache.get(key);
    if (!children) {
      children = this.load(node);
      this.cache.set(key, children);
    }
    return children;
  }

  private async load(node: SourceNode | undefined): Promise<SourceNode[]> {
    if (!node) return this.loadRoot();
    const onError = (err: unknown) => this.services.log.warn(`Source view: ${err instanceof Error ? err.message : String(err)}`);
    switch (node.kind) {
      case 'connection':
        return this.loadConnection(node, onError);
      case 'database':
        return loadChildren(async () => (await this.explorerOrThrow()).listTables(node.database).then((tables) =>
          tables.map((info): TableNode => ({ kind: 'table', database: node.database, table: info.name, info }))),
        { empty: 'No tables', errorId: 'tables', onError });
      case 'table':
        return loadChildren(async () => {
          const columns = await (await this.explorerOrThrow()).listColumns(node.database, node.table);
          const nodes: SourceNode[] = columns.map((column): ColumnNode => ({ kind: 'column', database: node.database, table: node.table, column }));
          nodes.push({ kind: 'indexes', database: node.database, table: node.table });
          if (node.info.kind === 'table') nodes.push({ kind: 'foreignKeys', database: node.database, table: node.table });
          return nodes;
        }, { errorId: 'columns', onError });
      case 'indexes':
        return loadChildren(async () => (await (await this.explorerOrThrow()).listIndexes(node.database, node.table))
          .map((index): IndexNode => ({ kind: 'index', database: node.database, table: node.table, index })),
        { empty: 'No indexes', errorId: 'indexes', onError });
      case 'foreignKeys':
        return loadChildren(async () => (await (await this.explorerOrThrow()).listForeignKeys(node.database, node.table))
          .map((foreignKey): ForeignKeyNode => ({ kind: 'foreignKey', database: node.database, table: node.table, foreignKey })),
        { empty: 'No foreign keys', errorId: 'foreignKeys', onError });
      default:
        return [];
    }
  }

  private async loadRoot(): Promise<SourceNode[]> {
    let backendLabel: string;
    let target: MysqlTarget | undefined;
    try {
      backendLabel = (await this.services.backend()).label;
      target = await this.session.target();
    } catch (err) {
      await this.setConfigured(true);
      return [errorNode('config', err)];
    }
    if (!target) {
      // Nothing to show: the welcome view (Start Local Lab / Discover RDS Instance) takes over, unless a
      // discovery just failed, which deserves its reason on screen.
      if (this.discoveryError) {
        await this.setConfigured(true);
        return [errorNode('discovery', this.discoveryError)];
      }
      await this.setConfigured(false);
      return [];
    }
    await this.setConfigured(true);
    // Connect before showing the connection node, so its description is final when drawn: changing it
    // afterwards would refetch its children while they load (VS Code then sees their ids twice).
    try {
      const explorer = await this.explorerOrThrow();
      this.connectionState = { state: 'connected', server: await explorer.serverInfo() };
    } catch (err) {
      this.connectionState = { state: 'failed', error: err };
      this.services.log.warn(`Source view: ${err instanceof Error ? err.message : String(err)}`);
    }
    return [{ kind: 'connection', label: targetLabel(target), backendLabel, target }];
  }

  private async loadConnection(node: ConnectionNode, onError: (err: unknown) => void): Promise<SourceNode[]> {
    const state = this.connectionState;
    if (state.state === 'failed') return [errorNode('connection', state.error)];
    return loadChildren(async () => {
      const databases = await (await this.explorerOrThrow()).listDatabases();
      const nodes: SourceNode[] = databases.map((d): DatabaseNode => ({ kind: 'database', database: d.name, isSource: d.name === node.target.database }));
      if (!databases.some((d) => d.name === node.target.database)) {
        nodes.unshift(errorNode('sourceDatabase', mysqlErrorToLabError({ code: 'ER_BAD_DB_ERROR' }, node.target,
          { databases: userDatabases(databases.map((d) => d.name)) })));
      }
      return nodes;
    }, { empty: 'No databases', errorId: 'connection', onError });
  }

  private async explorerOrThrow(): Promise<SourceExplorer> {
    const explorer = await this.session.explorer();
    if (!explorer) throw await this.session.missing();
    return explorer;
  }

  private async setConfigured(configured: boolean): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'lifecycleLab.sourceConfigured', configured);
  }

  getTreeItem(node: SourceNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message':
        return messageTreeItem(node, 'source');
      case 'connection':
        return this.connectionItem(node);
      case 'database': {
        const item = new vscode.TreeItem(node.database, node.isSource ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `db:${node.database}`;
        item.contextValue = 'database';
        item.iconPath = new vscode.ThemeIcon('database');
        if (node.isSource) item.description = 'source database';
        item.tooltip = node.isSource ? `${node.database}: the database the pipeline reads (lifecycleLab.mysql.database)` : node.database;
        return item;
      }
      case 'table':
        return this.tableItem(node);
      case 'column':
        return columnItem(node);
      case 'indexes':
      case 'foreignKeys': {
        const item = new vscode.TreeItem(node.kind === 'indexes' ? 'Indexes' : 'Foreign keys', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `db:${node.database}/table:${node.table}/${node.kind}`;
        item.contextValue = node.kind;
        item.iconPath = new vscode.ThemeIcon(node.kind === 'indexes' ? 'list-tree' : 'references');
        return item;
      }
      case 'index': {
        const { index } = node;
        const item = new vscode.TreeItem(index.name, vscode.TreeItemCollapsibleState.None);
        item.id = `db:${node.database}/table:${node.table}/index:${index.name}`;
        item.contextValue = 'index';
        item.iconPath = new vscode.ThemeIcon(index.primary ? 'key' : 'list-ordered');
        item.description = `(${index.columns.join(', ')})${index.unique && !index.primary ? ' unique' : ''} ${index.type}`;
        item.tooltip = `${index.primary ? 'Primary key' : index.unique ? 'Unique index' : 'Index'} ${index.name} on ${node.table} (${index.columns.join(', ')}), ${index.type}`;
        return item;
      }
      case 'foreignKey': {
        const fk = node.foreignKey;
        const target = `${fk.referencedDatabase === node.database ? '' : `${fk.referencedDatabase}.`}${fk.referencedTable}`;
        const item = new vscode.TreeItem(`${fk.columns.join(', ')} → ${target}`, vscode.TreeItemCollapsibleState.None);
        item.id = `db:${node.database}/table:${node.table}/fk:${fk.name}`;
        item.contextValue = 'foreignKey';
        item.iconPath = new vscode.ThemeIcon('references');
        item.description = fk.name;
        item.tooltip = `${fk.name}: ${node.table}(${fk.columns.join(', ')}) → ${target}(${fk.referencedColumns.join(', ')})\nON UPDATE ${fk.onUpdate} ON DELETE ${fk.onDelete}`;
        return item;
      }
    }
  }

  private connectionItem(node: ConnectionNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'connection';
    item.contextValue = 'connection';
    const state = this.connectionState;
    const status = state.state === 'connected' ? state.server.version.replace(/-.*$/, '') : state.state === 'failed' ? 'not connected' : 'connecting…';
    item.description = `${node.backendLabel} · ${node.target.user} · ${status}`;
    item.iconPath = new vscode.ThemeIcon(state.state === 'failed' ? 'debug-disconnect' : 'server');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${node.target.origin === 'local-lab' ? 'Local lab database' : 'MySQL source'}**\n\n`);
    tooltip.appendText(`${node.target.user}@${node.target.host}:${node.target.port}, database ${node.target.database}\nMode: ${node.backendLabel}`);
    if (state.state === 'connected') tooltip.appendText(`\nServer: ${state.server.version}`);
    item.tooltip = tooltip;
    return item;
  }

  private tableItem(node: TableNode): vscode.TreeItem {
    const { info } = node;
    const item = new vscode.TreeItem(node.table, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `db:${node.database}/table:${node.table}`;
    item.contextValue = info.kind === 'view' ? 'table.view' : 'table';
    item.iconPath = new vscode.ThemeIcon(info.kind === 'view' ? 'eye' : 'table');
    const exact = this.exactCounts.get(`${node.database}.${node.table}`);
    const parts: string[] = [];
    if (exact !== undefined) parts.push(`${exact.toLocaleString('en-US')} rows`);
    else if (info.approxRows !== undefined) parts.push(formatApproxRows(info.approxRows));
    if (info.sizeBytes !== undefined) parts.push(formatBytes(info.sizeBytes));
    if (info.kind === 'view') parts.push('view');
    item.description = parts.join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${info.kind === 'view' ? 'View' : 'Table'}** `);
    tooltip.appendText(`${node.database}.${node.table}`);
    const lines = [
      exact !== undefined ? `Rows: ${exact.toLocaleString('en-US')} (exact)` : info.approxRows !== undefined ? `Rows: about ${info.approxRows.toLocaleString('en-US')} (estimate; Exact Row Count to count)` : undefined,
      info.sizeBytes !== undefined ? `Data + indexes: ${formatBytes(info.sizeBytes)}` : undefined,
      info.engine ? `Engine: ${info.engine}` : undefined,
      info.comment || undefined,
    ].filter((l): l is string => !!l);
    if (lines.length) tooltip.appendText(`\n\n${lines.join('\n')}`);
    item.tooltip = tooltip;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function columnItem(node: ColumnNode): vscode.TreeItem {
  const c = node.column;
  const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.None);
  item.id = `db:${node.database}/table:${node.table}/column:${c.name}`;
  item.contextValue = c.primaryKey ? 'column.primaryKey' : c.references ? 'column.foreignKey' : 'column';
  item.iconPath = new vscode.ThemeIcon(c.primaryKey ? 'key' : c.references ? 'references' : 'symbol-field');
  const ref = c.references ? `${c.references.database === node.database ? '' : `${c.references.database}.`}${c.references.table}` : undefined;
  item.description = [c.type, c.nullable ? 'null' : 'not null', c.primaryKey ? 'PK' : undefined, ref ? `→ ${ref}` : undefined]
    .filter(Boolean).join(' · ');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown('**');
  tooltip.appendText(`${node.table}.${c.name}`);
  tooltip.appendMarkdown('** ');
  tooltip.appendText(`${c.type}${c.nullable ? '' : ' NOT NULL'}`);
  const lines = [
    c.primaryKey ? 'Primary key' : undefined,
    c.references ? `Foreign key ${c.references.constraint}: ${node.table}.${c.name} → ${ref}.${c.references.column}` : undefined,
    c.default !== null ? `Default: ${c.default}` : undefined,
    c.extra || undefined,
    c.comment || undefined,
  ].filter((l): l is string => !!l);
  if (lines.length) tooltip.appendText(`\n\n${lines.join('\n')}`);
  item.tooltip = tooltip;
  return item;
}
