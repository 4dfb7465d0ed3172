import * as vscode from 'vscode';
import { withCancellableProgress } from './progress';
import { CancelledError, LabError } from '../core/errors';
import { quoteIdent, selectStatement } from '../core/source/sql';
import { findMysqlClient } from '../core/source/mysqlClient';
import { mysqlClientInvocation } from '../core/source/terminal';
import { targetLabel } from '../core/source/target';
import type { LabServices } from '../services';
import { settingScope } from './settingsScope';
import { SourceSession, SourceTreeProvider, type SourceNode } from '../views/sourceTree';
import { GridPanel, type GridOpened, type ValueRequest } from '../webview/gridPanel';
import { registerValueDocuments } from '../webview/valueDocuments';

/**
 * What the table commands accept: the tree node they were invoked on, or a plain `{ database, table }`
 * (tests, other commands). A missing database means the configured source database.
 */
export interface TableRef {
  database?: string;
  table?: string;
}

/** The Source view and its commands. */
export function registerSourceView(services: LabServices): { tree: SourceTreeProvider; disposables: vscode.Disposable[] } {
  const session = new SourceSession(services);
  const tree = new SourceTreeProvider(services, session);
  const view = vscode.window.createTreeView('lifecycleLab.source', { treeDataProvider: tree, showCollapseAll: true });

  async function explorer() {
    const found = await session.explorer();
    if (!found) throw await session.missing();
    return found;
  }

  async function tableRef(arg: TableRef | SourceNode | undefined): Promise<{ database: string; table: string }> {
    const ref = (arg ?? {}) as TableRef;
    const database = ref.database ?? (await session.target())?.database;
    if (!database || !ref.table) throw new LabError('missingTable', 'Choose a table in the Source view first.');
    return { database, table: ref.table };
  }

  const disposables = [
    tree,
    view,
    // The read-only documents the preview grids (Source and Lake) open whole cell values in.
    registerValueDocuments(),
    services.onDidChangeSource(() => tree.refresh()),

    vscode.commands.registerCommand('lifecycleLab.source.refresh', () => tree.refresh()),

    vscode.commands.registerCommand('lifecycleLab.source.previewRows', services.command('Preview rows', async (arg?: TableRef | SourceNode): Promise<GridOpened> => {
      const { database, table } = await tableRef(arg);
      return GridPanel.open(services.context.extensionUri, `${database}.${table}`, `${database}.${table}`,
        async (offset, limit) => (await explorer()).previewRows(database, table, { offset, limit }), services.log,
        // A cut cell's whole value, fetched again by the row's primary key (by position without one).
        async ({ rowIndex, column, row, columns, orderBy }: ValueRequest) => {
          const key = orderBy.length ? Object.fromEntries(orderBy.map((name) => [name, row[columns.findIndex((c) => c.name === name)] ?? null])) : undefined;
          return (await explorer()).cellValue(database, table, column, { key, offset: rowIndex });
        });
    })),

    vscode.commands.registerCommand('lifecycleLab.source.countRows', services.command('Exact row count', async (arg?: TableRef | SourceNode): Promise<number> => {
      const { database, table } = await tableRef(arg);
      const source = await explorer();
      const rows = await withCancellableProgress(`Counting rows of ${database}.${table}`, ({ signal }) => source.exactCount(database, table, signal));
      tree.setExactCount(database, table, rows);
      services.log.info(`${database}.${table}: ${rows} rows (COUNT(*))`);
      void vscode.window.showInformationMessage(`${database}.${table}: ${rows.toLocaleString('en-US')} rows`);
      return rows;
    })),

    vscode.commands.registerCommand('lifecycleLab.source.copySelect', services.command('Copy SELECT statement', async (arg?: TableRef | SourceNode): Promise<string> => {
      const { database, table } = await tableRef(arg);
      const text = selectStatement(database, table);
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage(`Copied SELECT for ${database}.${table}`, 3000);
      return text;
    })),

    vscode.commands.registerCommand('lifecycleLab.source.copyQualifiedName', services.command('Copy qualified name', async (arg?: TableRef | SourceNode): Promise<string> => {
      const { database, table } = await tableRef(arg);
      const text = qualifiedNameForCopy(database, table);
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage(`Copied ${text}`, 3000);
      return text;
    })),

    vscode.commands.registerCommand('lifecycleLab.source.openTerminal', services.command('Open MySQL terminal', async (arg?: TableRef | SourceNode): Promise<vscode.Terminal> => {
      const target = await session.target();
      if (!target) await explorer(); // throws the "no source" error with its next step
      const database = (arg as TableRef | undefined)?.database ?? target!.database;
      const invocation = mysqlClientInvocation(target!, findMysqlClient(), database);
      const terminal = vscode.window.createTerminal({
        name: `MySQL: ${targetLabel(target!)}`,
        shellPath: invocation.command,
        shellArgs: invocation.args,
        env: invocation.env,
        iconPath: new vscode.ThemeIcon('database'),
        // Transient: the editor must not persist this terminal (and its MYSQL_PWD) to restore it later.
        isTransient: true,
      });
      terminal.show();
      return terminal;
    })),

    vscode.commands.registerCommand('lifecycleLab.source.discoverRds', services.command('Discover RDS instance', async () => {
      try {
        const found = await discoverRds(services);
        tree.setDiscoveryError(undefined);
        return found;
      } catch (err) {
        if (!(err instanceof CancelledError)) tree.setDiscoveryError(err);
        throw err;
      }
    })),
  ];
  return { tree, disposables };
}

/** `db.table`, with backticks only where a name needs them. */
function qualifiedNameForCopy(database: string, table: string): string {
  const part = (name: string) => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : quoteIdent(name));
  return `${part(database)}.${part(table)}`;
}

/**
 * DescribeDBInstances for the configured id and fills host, port and user in the settings. When the id is not
 * found, offers the region's instances in a quick pick; an instance that is not `available` is an error with its status.
 */
async function discoverRds(services: LabServices): Promise<{ id: string; host: string; port: number; user?: string } | undefined> {
  const rds = await import('../core/aws/rds');
  const config = services.config();
  const found = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Looking up RDS instance ${config.aws.rdsInstanceId}` },
    async () => {
      try {
        return await rds.describeRdsInstance(config.aws);
      } catch (err) {
        if (!(err instanceof LabError) || err.code !== 'rdsNotFound') throw err;
        const instances = await rds.listRdsInstances(config.aws);
        if (instances.length === 0) throw err;
        const pick = await vscode.window.showQuickPick(
          instances.map((i) => ({ label: i.id, description: `${i.engine} ${i.engineVersion} · ${i.status}`, detail: i.host ? `${i.host}:${i.port}` : undefined, instance: i })),
          { title: `No RDS instance '${config.aws.rdsInstanceId}' in ${config.aws.region}: pick one`, ignoreFocusOut: true },
        );
        if (!pick) throw new CancelledError('RDS discovery');
        return pick.instance;
      }
    });
  const endpoint = rds.rdsEndpoint(found);
  const settings = vscode.workspace.getConfiguration('lifecycleLab');
  const scope = settingScope(services, 'mysql.host');
  if (found.id !== config.aws.rdsInstanceId) await settings.update('aws.rdsInstanceId', found.id, scope);
  await settings.update('mysql.host', endpoint.host, scope);
  await settings.update('mysql.port', endpoint.port, scope);
  if (endpoint.user) await settings.update('mysql.user', endpoint.user, scope);
  services.log.info(`RDS instance ${found.id}: ${endpoint.host}:${endpoint.port} (user ${endpoint.user ?? 'unchanged'})`);
  void vscode.window.showInformationMessage(`Source set to RDS instance ${found.id} (${endpoint.host}:${endpoint.port}). Set the database password to connect.`, 'Set Database Password')
    .then((choice) => choice && vscode.commands.executeCommand('lifecycleLab.setDatabasePassword'));
  return { id: found.id, host: endpoint.host, port: endpoint.port, user: endpoint.user };
}

