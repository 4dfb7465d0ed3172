import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RowDataPacket } from 'mysql2/promise';
import type { MysqlTarget } from '../../src/core/config';
import type { LifecycleLabApi } from '../../src/extension';
import { cellText } from '../../src/core/source/values';
import type { SourceNode, SourceTreeProvider } from '../../src/views/sourceTree';
import type { GridOpened } from '../../src/webview/gridPanel';
import { labTarget } from '../integration/fixture';
import { freePort } from '../helpers';
import { startMotoServer, useAwsEnvironment, type MotoServer } from '../aws/motoServer';

import { EXTENSION_ID } from './activation';
const TABLES = ['customers', 'employees', 'offices', 'orderdetails', 'orders', 'payments', 'productlines', 'products'];
const config = () => vscode.workspace.getConfiguration('lifecycleLab');

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))]);
}

/**
 * The Source view as the user sees it, walked through its data provider (reached through the
 * extension API's sourceTree), against the shared local lab.
 */
suite('Source view', function () {
  this.timeout(180_000);
  let api: LifecycleLabApi;
  let tree: SourceTreeProvider;
  let lab: MysqlTarget;

  /** Settings this suite changes (Global), restored afterwards. */
  const touched = ['mysql.host', 'mysql.port', 'mysql.user', 'mysql.database', 'mode', 'aws.endpoint', 'aws.rdsInstanceId'];
  const saved = new Map<string, unknown>();

  async function children(node?: SourceNode): Promise<SourceNode[]> {
    return tree.getChildren(node);
  }
  async function items(node?: SourceNode): Promise<{ node: SourceNode; item: vscode.TreeItem }[]> {
    return (await children(node)).map((n) => ({ node: n, item: tree.getTreeItem(n) }));
  }
  const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : item.label?.label ?? '');
  async function child(node: SourceNode | undefined, name: string): Promise<SourceNode> {
    const found = (await items(node)).find((x) => label(x.item) === name);
    assert.ok(found, `no child '${name}' under ${node ? label(tree.getTreeItem(node)) : 'the root'}: ${(await items(node)).map((x) => label(x.item)).join(', ')}`);
    return found.node;
  }
  async function setSettings(values: Record<string, unknown>): Promise<void> {
    for (const [key, value] of Object.entries(values)) await config().update(key, value, vscode.ConfigurationTarget.Global);
    tree.refresh();
  }

  suiteSetup(async () => {
    lab = await labTarget();
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    tree = api.sourceTree;
    assert.ok(tree && typeof tree.getChildren === 'function', 'the Source view exposes its data provider');
    for (const key of touched) {
      const inspected = config().inspect(key);
      assert.equal(inspected?.workspaceValue, undefined, `a workspace value for ${key} would override the test's Global setting`);
      saved.set(key, inspected?.globalValue);
    }
    await setSettings({ 'mysql.host': undefined, mode: 'local' });
    assert.equal(api.services.config().local.labDir, path.join(api.services.root, '.lab'), 'the workspace lab is the fixture lab');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('lifecycleLab.clearDatabasePassword');
    for (const [key, value] of saved) {
      await config().update(key, value, vscode.ConfigurationTarget.Global);
      // None was there at the start (asserted in suiteSetup): never leave one in the shared workspace.
      if (config().inspect(key)?.workspaceValue !== undefined) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
    tree?.refresh();
  });

  test('tree shape for classicmodels: connection, databases, 8 tables with estimates, columns with PK/FK', async () => {
    const roots = await items();
    assert.equal(roots.length, 1);
    assert.equal(roots[0].item.contextValue, 'connection');
    assert.equal(label(roots[0].item), 'local lab');
    assert.match(String(roots[0].item.description), /^local · /);

    const databases = await items(roots[0].node);
    assert.ok(databases.every((d) => d.item.contextValue === 'database'), databases.map((d) => label(d.item)).join(','));
    assert.ok(!databases.some((d) => label(d.item) === 'information_schema'), 'system schemas hidden');
    const classicmodels = await child(roots[0].node, 'classicmodels');
    assert.equal(tree.getTreeItem(classicmodels).description, 'source database');
    // The connection node now says it is connected, with the server version.
    assert.match(String(tree.getTreeItem(roots[0].node).description), /\d+\.\d+\.\d+/);

    const tables = await items(classicmodels);
    assert.deepEqual(tables.map((t) => label(t.item)), TABLES);
    for (const t of tables) {
      assert.match(String(t.item.contextValue), /^table/);
      assert.match(String(t.item.description), /^~[\d,]+ rows? · \d+(\.\d)? (B|KiB|MiB)$/, `${label(t.item)}: ${t.item.description}`);
    }

    const orderdetails = await child(classicmodels, 'orderdetails');
    const columns = await items(orderdetails);
    assert.deepEqual(columns.map((c) => label(c.item)), ['orderNumber', 'productCode', 'quantityOrdered', 'priceEach', 'orderLineNumber', 'Indexes', 'Foreign keys']);
    const byName = Object.fromEntries(columns.map((c) => [label(c.item), c.item]));
    assert.equal(byName.orderNumber.description, 'int(11) · not null · PK · → orders');
    assert.equal(byName.productCode.description, 'varchar(15) · not null · PK · → products');
    assert.equal(byName.priceEach.description, 'decimal(10,2) · not null');
    assert.equal((byName.orderNumber.iconPath as vscode.ThemeIcon).id, 'key');
    assert.equal((byName.quantityOrdered.iconPath as vscode.ThemeIcon).id, 'symbol-field');
    const tooltip = (byName.orderNumber.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
    assert.match(tooltip, /Foreign key orderdetails\\_ibfk\\_1: orderdetails\.orderNumber → orders\.orderNumber/);

    const foreignKeys = await items(await child(orderdetails, 'Foreign keys'));
    assert.deepEqual(foreignKeys.map((f) => label(f.item)), ['orderNumber → orders', 'productCode → products']);
    const indexes = await items(await child(orderdetails, 'Indexes'));
    assert.equal(label(indexes[0].item), 'PRIMARY');
    assert.match(String(indexes[0].item.description), /^\(orderNumber, productCode\)/);

    const orders = await items(await child(classicmodels, 'orders'));
    assert.equal(orders.find((c) => label(c.item) === 'customerNumber')?.item.description, 'int(11) · not null · → customers');
    assert.equal(orders.find((c) => label(c.item) === 'comments')?.item.description, 'text · null');
  });

  test('Preview Rows: the first page is the first 100 rows by primary key, drawn with NULL as NULL', async () => {
    const mysql = await import('mysql2/promise');
    const oracle = await mysql.createConnection({ host: lab.host, port: lab.port, user: lab.user, password: lab.password, database: 'classicmodels', dateStrings: true, charset: 'UTF8MB4_UNICODE_CI' });
    let expected: (string | null)[][];
    try {
      const [rows] = await oracle.query<RowDataPacket[]>('SELECT * FROM customers ORDER BY customerNumber LIMIT 100');
      expected = rows.map((r) => Object.values(r).map(cellText));
    } finally {
      await oracle.end();
    }
    const opened = await vscode.commands.executeCommand<GridOpened>('lifecycleLab.source.previewRows', { database: 'classicmodels', table: 'customers' });
    assert.ok(opened, 'the command returned the opened grid (see the Lifecycle Lab log if not)');
    try {
      assert.deepEqual(opened.firstPage.rows, expected);
      assert.equal(opened.firstPage.hasMore, true);
      const rendered = await withTimeout(opened.rendered, 60_000, 'grid page');
      assert.equal(rendered.rowCount, 100);
      assert.ok(rendered.nullCells > 0, 'addressLine2/state NULLs are drawn');
      assert.deepEqual(rendered.firstRow, expected[0].map((c) => c ?? 'NULL'));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  test('Preview Rows on a 100 KB value: the cell says it is cut, and opening it shows the whole value read-only', async () => {
    const scratch = 'h9_grid_values';
    const big = 'ü'.repeat(100 * 1024 - 3) + 'end';
    const mysql = await import('mysql2/promise');
    const admin = await mysql.createConnection({ host: lab.host, port: lab.port, user: lab.user, password: lab.password, charset: 'UTF8MB4_UNICODE_CI' });
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
      await admin.query(`CREATE DATABASE ${scratch} CHARACTER SET utf8mb4`);
      await admin.query(`CREATE TABLE ${scratch}.notes (id INT PRIMARY KEY, body MEDIUMTEXT)`);
      await admin.query(`INSERT INTO ${scratch}.notes VALUES (1, 'short'), (2, ?)`, [big]);
      const opened = await vscode.commands.executeCommand<GridOpened>('lifecycleLab.source.previewRows', { database: scratch, table: 'notes' });
      assert.ok(opened, 'the command returned the opened grid (see the Lifecycle Lab log if not)');
      const rendered = await withTimeout(opened.rendered, 60_000, 'grid page');
      assert.equal(rendered.rowCount, 2);
      assert.equal(rendered.cutCells, 1, 'the 100 KB value reached the page cut, and the page knows it');
      assert.match(rendered.firstCutHover, /\(cut at 64 K characters of 102,400; click to open the full value\)$/);
      assert.ok(rendered.firstCutHover.length < 3000, 'the hover holds the start of the value, not 64 K characters');
      const doc = await opened.openValue(1, 1);
      assert.equal(doc.uri.scheme, 'lifecycle-lab-value');
      assert.equal(doc.getText(), big, 'the whole value, fetched again by primary key');
      assert.equal((await opened.openValue(0, 1)).getText(), 'short');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
      await admin.end();
    }
  });

  test('Exact Row Count, Copy SELECT and Copy Qualified Name on a table node', async () => {
    const [connection] = await children();
    const classicmodels = await child(connection, 'classicmodels');
    const orderdetails = await child(classicmodels, 'orderdetails');
    const count = await vscode.commands.executeCommand<number>('lifecycleLab.source.countRows', orderdetails);
    const mysql = await import('mysql2/promise');
    const oracle = await mysql.createConnection({ host: lab.host, port: lab.port, user: lab.user, password: lab.password });
    try {
      const [rows] = await oracle.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM classicmodels.orderdetails');
      assert.equal(count, Number(rows[0].n));
    } finally {
      await oracle.end();
    }
    assert.equal(tree.getTreeItem(orderdetails).description?.toString().split(' · ')[0], `${count!.toLocaleString('en-US')} rows`);

    const select = await vscode.commands.executeCommand<string>('lifecycleLab.source.copySelect', orderdetails);
    assert.equal(select, 'SELECT *\nFROM `classicmodels`.`orderdetails`\nLIMIT 100;');
    assert.equal(await vscode.env.clipboard.readText(), select);
    assert.equal(await vscode.commands.executeCommand<string>('lifecycleLab.source.copyQualifiedName', { database: 'classicmodels', table: 'orders' }), 'classicmodels.orders');
  });

  test('wrong password: an auth error node that runs Set Database Password; the password stays out of settings', async () => {
    const password = `wrong-${Date.now().toString(36)}`;
    await setSettings({ 'mysql.host': '127.0.0.1', 'mysql.port': lab.port, 'mysql.user': lab.user });
    await vscode.commands.executeCommand('lifecycleLab.setDatabasePassword', password);
    tree.refresh();
    const [connection] = await items();
    assert.equal(label(connection.item), `127.0.0.1:${lab.port}`);
    const [error] = await items(connection.node);
    assert.equal(error.item.contextValue, 'message.error');
    assert.match(label(error.item), new RegExp(`rejected user '${lab.user}'`));
    assert.equal(error.item.command?.command, 'lifecycleLab.setDatabasePassword');
    assert.equal(tree.getTreeItem(connection.node).description, `local · ${lab.user} · not connected`);

    for (const key of touched) {
      const inspected = vscode.workspace.getConfiguration().inspect(`lifecycleLab.${key}`);
      assert.ok(![inspected?.globalValue, inspected?.workspaceValue].some((v) => JSON.stringify(v ?? null).includes(password)), key);
    }
    const userSettings = path.resolve(api.services.context.globalStorageUri.fsPath, '..', '..', 'settings.json');
    const workspaceSettings = path.join(api.services.root, '.vscode', 'settings.json');
    for (const file of [userSettings, workspaceSettings]) {
      if (fs.existsSync(file)) assert.ok(!fs.readFileSync(file, 'utf8').includes(password), `${file} holds the password`);
    }
    await vscode.commands.executeCommand('lifecycleLab.clearDatabasePassword');
  });

  test('unreachable host: an error node naming host:port that opens the host setting', async () => {
    const port = await freePort();
    await setSettings({ 'mysql.host': '127.0.0.1', 'mysql.port': port });
    const [connection] = await items();
    const [error] = await items(connection.node);
    assert.equal(error.item.contextValue, 'message.error');
    assert.match(label(error.item), new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.deepEqual([error.item.command?.command, ...(error.item.command?.arguments ?? [])], ['workbench.action.openSettings', 'lifecycleLab.mysql.host']);
    // The rest of the extension still answers.
    assert.ok((await vscode.commands.getCommands(true)).includes('lifecycleLab.pipeline.run'));
    await setSettings({ 'mysql.host': undefined, 'mysql.port': undefined, 'mysql.user': undefined });
    const [back] = await items();
    assert.equal(label(back.item), 'local lab');
  });

  test('a configured host with the stored password connects; an unknown source database is an error node beside the databases', async () => {
    await setSettings({ 'mysql.host': '127.0.0.1', 'mysql.port': lab.port, 'mysql.user': lab.user, 'mysql.database': 'no_such_db_h3' });
    await vscode.commands.executeCommand('lifecycleLab.setDatabasePassword', lab.password);
    try {
      tree.refresh();
      const [connection] = await items();
      assert.equal(label(connection.item), `127.0.0.1:${lab.port}`);
      const below = await items(connection.node);
      assert.equal(below[0].item.contextValue, 'message.error');
      assert.match(label(below[0].item), /'no_such_db_h3' does not exist/);
      assert.match(label(below[0].item), /Databases there: .*\bclassicmodels\b/, 'the databases that do exist are named');
      assert.deepEqual(below[0].item.command?.arguments, ['lifecycleLab.mysql.database']);
      assert.ok(below.some((d) => d.item.contextValue === 'database' && label(d.item) === 'classicmodels'), 'the other databases still show');
    } finally {
      await vscode.commands.executeCommand('lifecycleLab.clearDatabasePassword');
      await setSettings({ 'mysql.host': undefined, 'mysql.port': undefined, 'mysql.user': undefined, 'mysql.database': undefined });
    }
  });

  test('Open MySQL Terminal: the client logs in with the password in its environment, not its arguments', async () => {
    const probe = 'h3_terminal_probe';
    const mysql = await import('mysql2/promise');
    const oracle = await mysql.createConnection({ host: lab.host, port: lab.port, user: lab.user, password: lab.password, charset: 'UTF8MB4_UNICODE_CI' });
    try {
      await oracle.query(`DROP DATABASE IF EXISTS ${probe}`);
      const [connection] = await children();
      const terminal = await vscode.commands.executeCommand<vscode.Terminal>('lifecycleLab.source.openTerminal', connection);
      assert.ok(terminal, 'the command returned the terminal (see the Lifecycle Lab log if not)');
      const options = terminal.creationOptions as vscode.TerminalOptions;
      assert.match(String(options.shellPath), /^\/.*\/(mariadb|mysql)$/, 'the client found on PATH, by its absolute path');
      const args = (options.shellArgs ?? []) as string[];
      assert.ok(!args.some((a) => a.includes(lab.password)), `password in the arguments: ${args.join(' ')}`);
      assert.equal(options.env?.MYSQL_PWD, lab.password);
      const closed = new Promise<vscode.Terminal>((resolve) => {
        const sub = vscode.window.onDidCloseTerminal((t) => {
          if (t === terminal) {
            sub.dispose();
            resolve(t);
          }
        });
      });
      // What the session did proves it logged in, in the source database, with utf8mb4.
      terminal.sendText(`CREATE DATABASE ${probe}; CREATE TABLE ${probe}.seen AS SELECT DATABASE() AS db, CHAR_LENGTH('Luleå') AS chars;`);
      terminal.sendText('quit');
      const ended = await withTimeout(closed, 60_000, 'mysql client exit');
      assert.equal(ended.exitStatus?.code, 0);
      const [rows] = await oracle.query<RowDataPacket[]>(`SELECT db, chars FROM ${probe}.seen`);
      assert.deepEqual(rows.map((r) => [r.db, Number(r.chars)]), [['classicmodels', 5]]);
    } finally {
      await oracle.query(`DROP DATABASE IF EXISTS ${probe}`);
      await oracle.end();
    }
  });

  suite('Discover RDS Instance (moto)', () => {
    let moto: MotoServer;
    let restoreEnv: () => void;

    suiteSetup(async () => {
      moto = await startMotoServer();
      restoreEnv = useAwsEnvironment('fake');
    });

    suiteTeardown(async () => {
      restoreEnv?.();
      await moto?.stop();
    });

    /** A MySQL instance in moto's RDS, as the lab's Terraform would create it. */
    async function createInstance(id: string, user: string): Promise<void> {
      const rds = await import('@aws-sdk/client-rds');
      const client = new rds.RDSClient({ region: 'us-east-1', endpoint: moto.endpoint });
      try {
        await client.send(new rds.CreateDBInstanceCommand({
          DBInstanceIdentifier: id, DBInstanceClass: 'db.t3.micro', Engine: 'mysql', MasterUsername: user,
          MasterUserPassword: 'adminpwd1234', AllocatedStorage: 20,
        }));
      } finally {
        client.destroy();
      }
    }

    test('fills host, port and user from DescribeDBInstances', async () => {
      await createInstance('de-c1w2-rds', 'labadmin');
      // An empty Global host: discovery writes where the host is kept, so the shared workspace settings stay untouched.
      await setSettings({ mode: 'aws', 'mysql.host': '', 'aws.endpoint': moto.endpoint, 'aws.rdsInstanceId': 'de-c1w2-rds' });
      assert.deepEqual(await children(), [], 'no host yet: the welcome view shows');
      const found = await vscode.commands.executeCommand<{ host: string; port: number; user?: string }>('lifecycleLab.source.discoverRds');
      assert.ok(found, 'discovery returned the endpoint (see the Lifecycle Lab log if not)');
      assert.match(found.host, /^de-c1w2-rds\./);
      assert.equal(config().get('mysql.host'), found.host);
      assert.equal(config().get('mysql.port'), 3306);
      assert.equal(config().get('mysql.user'), 'labadmin');
      assert.equal(config().inspect('mysql.host')?.globalValue, found.host, 'written to the scope that held the host');
      assert.equal(config().inspect('mysql.host')?.workspaceValue, undefined);
    });

    test('an unknown id: the instances of the region are offered in a quick pick', async () => {
      await moto.reset();
      await createInstance('picked-db', 'picker');
      await setSettings({ mode: 'aws', 'mysql.host': '', 'aws.endpoint': moto.endpoint, 'aws.rdsInstanceId': 'de-c1w2-rds' });
      const discovering = vscode.commands.executeCommand<{ id: string; host: string }>('lifecycleLab.source.discoverRds');
      // Accept the first (only) item once the quick pick is open; retrying is harmless while it is not.
      let found: { id: string; host: string } | undefined;
      for (let i = 0; i < 50 && !found; i++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        found = await Promise.race([discovering, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100))]);
      }
      assert.ok(found, 'discovery finished after picking');
      assert.equal(found.id, 'picked-db');
      assert.equal(config().get('aws.rdsInstanceId'), 'picked-db', 'the picked id is remembered');
      assert.equal(config().get('mysql.user'), 'picker');
      assert.match(String(config().get('mysql.host')), /^picked-db\./);
    });

    test('an unknown id with no instances: an error node naming it', async () => {
      await moto.reset();
      await setSettings({ mode: 'aws', 'mysql.host': '', 'aws.rdsInstanceId': 'no-such-instance' });
      // The command shows its error as a notification and waits for it; the view shows it too, which is what we read.
      void vscode.commands.executeCommand('lifecycleLab.source.discoverRds');
      let roots: { node: SourceNode; item: vscode.TreeItem }[] = [];
      for (let i = 0; i < 100 && roots.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        roots = await items();
      }
      assert.equal(roots.length, 1);
      assert.equal(roots[0].item.contextValue, 'message.error');
      assert.match(label(roots[0].item), /No RDS instance 'no-such-instance'/);
      assert.deepEqual(roots[0].item.command?.arguments, ['lifecycleLab.aws.rdsInstanceId']);
    });
  });
});
