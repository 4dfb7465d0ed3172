import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { MysqlTarget } from '../../src/core/config';
import { SourceExplorer } from '../../src/core/source/explorer';
import { cellText } from '../../src/core/source/values';
import { findMysqlClient } from '../../src/core/source/mysqlClient';
import { mysqlClientInvocation } from '../../src/core/source/terminal';
import { labTarget } from './fixture';
import { expectLabError, freePort } from '../helpers';

const DB = 'classicmodels';
const TABLES = ['customers', 'employees', 'offices', 'orderdetails', 'orders', 'payments', 'productlines', 'products'];

suite('source explorer against the local lab', function () {
  this.timeout(120_000);
  let target: MysqlTarget;
  let explorer: SourceExplorer;
  /** An independent connection: the oracle the explorer's answers are checked against. */
  let oracle: Connection;

  suiteSetup(async () => {
    target = await labTarget();
    explorer = new SourceExplorer(target);
    const mysql = await import('mysql2/promise');
    oracle = await mysql.createConnection({
      host: target.host, port: target.port, user: target.user, password: target.password, database: DB, charset: 'UTF8MB4_UNICODE_CI', dateStrings: true,
    });
  });

  suiteTeardown(async () => {
    await explorer?.close();
    await oracle?.end();
  });

  async function oracleRows(sql: string): Promise<RowDataPacket[]> {
    const [rows] = await oracle.query<RowDataPacket[]>(sql);
    return rows;
  }

  test('databases: classicmodels listed, system schemas only on request', async () => {
    const names = (await explorer.listDatabases()).map((d) => d.name);
    assert.ok(names.includes(DB), names.join(','));
    assert.ok(!names.includes('information_schema'));
    const all = new SourceExplorer(target, { showSystemSchemas: true });
    try {
      const withSystem = await all.listDatabases();
      assert.ok(withSystem.some((d) => d.name === 'information_schema' && d.system));
    } finally {
      await all.close();
    }
  });

  test('tables: the 8 tables of show tables, with row estimates and sizes', async () => {
    const tables = await explorer.listTables(DB);
    assert.deepEqual(tables.map((t) => t.name), TABLES);
    const shown = (await oracleRows('SHOW TABLES')).map((r) => String(Object.values(r)[0]));
    assert.deepEqual(tables.map((t) => t.name), shown);
    for (const t of tables) {
      assert.equal(t.kind, 'table');
      assert.ok(typeof t.approxRows === 'number' && t.approxRows >= 0, `${t.name} rows`);
      assert.ok(typeof t.sizeBytes === 'number' && t.sizeBytes > 0, `${t.name} size`);
    }
  });

  test('columns of orderdetails match describe, with PK and FK markers', async () => {
    const columns = await explorer.listColumns(DB, 'orderdetails');
    const described = await oracleRows('DESCRIBE orderdetails');
    assert.deepEqual(
      columns.map((c) => [c.name, c.type, c.nullable, c.primaryKey]),
      described.map((d) => [d.Field, d.Type, d.Null === 'YES', d.Key === 'PRI']),
    );
    assert.deepEqual(columns.filter((c) => c.primaryKey).map((c) => c.name), ['orderNumber', 'productCode']);
    const refs = Object.fromEntries(columns.filter((c) => c.references).map((c) => [c.name, `${c.references!.table}.${c.references!.column}`]));
    assert.deepEqual(refs, { orderNumber: 'orders.orderNumber', productCode: 'products.productCode' });
    const orders = await explorer.listColumns(DB, 'orders');
    assert.equal(orders.find((c) => c.name === 'customerNumber')?.references?.table, 'customers');
    assert.equal(orders.find((c) => c.name === 'comments')?.nullable, true);
  });

  test('indexes and foreign keys of orderdetails', async () => {
    const indexes = await explorer.listIndexes(DB, 'orderdetails');
    assert.deepEqual(indexes[0], { name: 'PRIMARY', primary: true, unique: true, columns: ['orderNumber', 'productCode'], type: 'BTREE' });
    const fks = await explorer.listForeignKeys(DB, 'orderdetails');
    assert.deepEqual(fks.map((f) => [f.columns, f.referencedTable, f.referencedColumns]), [
      [['orderNumber'], 'orders', ['orderNumber']],
      [['productCode'], 'products', ['productCode']],
    ]);
  });

  test('preview: first page = first rows by primary key; pages continue; NULL stays NULL', async () => {
    const page = await explorer.previewRows(DB, 'customers');
    assert.equal(page.rows.length, 100);
    assert.equal(page.hasMore, true);
    assert.deepEqual(page.orderBy, ['customerNumber']);
    const expected = (await oracleRows('SELECT * FROM customers ORDER BY customerNumber LIMIT 100')).map((r) => Object.values(r).map(cellText));
    assert.deepEqual(page.rows, expected);
    const line2 = page.columns.findIndex((c) => c.name === 'addressLine2');
    assert.ok(page.rows.some((r) => r[line2] === null), 'customers.addressLine2 has NULLs');
    assert.ok(page.columns.find((c) => c.name === 'customerNumber')?.numeric);

    const rest = await explorer.previewRows(DB, 'customers', { offset: 100, limit: 100 });
    const total = Number((await oracleRows('SELECT COUNT(*) AS n FROM customers'))[0].n);
    assert.equal(rest.rows.length, total - 100);
    assert.equal(rest.hasMore, false);
    assert.ok(Number(rest.rows[0][0]) > Number(page.rows[99][0]));
  });

  test('preview: composite key order and utf8mb4 text read back intact', async () => {
    const page = await explorer.previewRows(DB, 'orderdetails', { limit: 5 });
    const expected = (await oracleRows('SELECT * FROM orderdetails ORDER BY orderNumber, productCode LIMIT 5')).map((r) => Object.values(r).map(cellText));
    assert.deepEqual(page.rows, expected);
    const customers = await explorer.previewRows(DB, 'customers', { limit: 1000 });
    const city = customers.columns.findIndex((c) => c.name === 'city');
    assert.ok(customers.rows.some((r) => r[city] === 'Luleå'), 'Luleå');
  });

  test('exact count matches COUNT(*) and can be cancelled', async () => {
    const expected = Number((await oracleRows('SELECT COUNT(*) AS n FROM orderdetails'))[0].n);
    assert.equal(await explorer.exactCount(DB, 'orderdetails'), expected);
    const aborted = new AbortController();
    aborted.abort();
    await expectLabError(explorer.exactCount(DB, 'orderdetails', aborted.signal), 'cancelled');
    const midway = new AbortController();
    const counting = explorer.exactCount(DB, 'orderdetails', midway.signal);
    midway.abort();
    await expectLabError(counting, 'cancelled');
    assert.equal(await explorer.exactCount(DB, 'payments'), Number((await oracleRows('SELECT COUNT(*) AS n FROM payments'))[0].n), 'pool still usable');
  });

  test('unknown database and missing table', async () => {
    await expectLabError(explorer.listTables('no_such_db_h3'), 'unknownDatabase');
    await expectLabError(explorer.listColumns(DB, 'no_such_table'), 'missingTable');
    await expectLabError(explorer.previewRows(DB, 'no_such_table'), 'missingTable');
    await expectLabError(explorer.exactCount(DB, 'no_such_table'), 'missingTable');
  });

  test('wrong password -> auth error naming the user, not the password', async () => {
    const wrong = new SourceExplorer({ ...target, password: 'definitely-wrong-h3', origin: 'settings' });
    try {
      const err = await expectLabError(wrong.listDatabases(), 'auth');
      assert.match(err.message, new RegExp(target.user));
      assert.doesNotMatch(err.message, /definitely-wrong-h3/);
      assert.equal(err.nextStep?.command, 'lifecycleLab.setDatabasePassword');
    } finally {
      await wrong.close();
    }
  });

  test('TLS required but not offered, or an unreadable CA bundle -> config errors naming the setting', async () => {
    const noTls = new SourceExplorer({ ...target, tls: 'require', origin: 'settings' });
    try {
      const err = await expectLabError(noTls.listDatabases(), 'config');
      assert.equal(err.nextStep?.setting, 'lifecycleLab.mysql.tls');
    } finally {
      await noTls.close();
    }
    const badCa = new SourceExplorer({ ...target, tls: 'require', caBundlePath: '/nonexistent/global-bundle.pem', origin: 'settings' });
    try {
      const err = await expectLabError(badCa.listDatabases(), 'config');
      assert.equal(err.nextStep?.setting, 'lifecycleLab.mysql.caBundlePath');
    } finally {
      await badCa.close();
    }
  });

  test('closed loopback port -> unreachable naming host:port and the host setting', async () => {
    const port = await freePort();
    const down = new SourceExplorer({ ...target, port, origin: 'settings' });
    try {
      const err = await expectLabError(down.listDatabases(), 'unreachable');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.equal(err.nextStep?.setting, 'lifecycleLab.mysql.host');
    } finally {
      await down.close();
    }
  });
});

suite('source explorer: cancelling a running count', function () {
  this.timeout(120_000);
  const SCRATCH = 'h3_source_scratch';
  let target: MysqlTarget;
  let admin: Connection;

  suiteSetup(async () => {
    target = await labTarget();
    const mysql = await import('mysql2/promise');
    admin = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password });
    await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
    await admin.query(`CREATE DATABASE ${SCRATCH}`);
    // Counting this view takes a minute unless the statement is killed.
    await admin.query(`CREATE VIEW ${SCRATCH}.slow AS SELECT 1 AS x FROM DUAL WHERE SLEEP(60) = 0`);
  });

  suiteTeardown(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
    await admin?.end();
  });

  test('abort stops the statement on the server (KILL QUERY) and rejects as cancelled', async function () {
    // Without the KILL the count would run for 60 s; this timeout makes that a failure.
    this.timeout(30_000);
    const explorer = new SourceExplorer(target);
    try {
      const abort = new AbortController();
      const counting = explorer.exactCount(SCRATCH, 'slow', abort.signal);
      const runningCounts = async () => (await admin.query<RowDataPacket[]>(
        `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT COUNT(*) AS n FROM \`${SCRATCH}\`.\`slow\`' AND ID <> CONNECTION_ID()`))[0].length;
      // Abort once the statement is visibly running on the server.
      let seen = 0;
      for (let i = 0; i < 100 && seen === 0; i++) {
        seen = await runningCounts();
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(seen, 1, 'the count was running on the server before the abort');
      abort.abort();
      await expectLabError(counting, 'cancelled');
      assert.equal(await runningCounts(), 0, 'the statement no longer runs');
      const [offices] = await admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM classicmodels.offices');
      assert.equal(await explorer.exactCount(DB, 'offices'), Number(offices[0].n), 'the connection is usable after the kill');
    } finally {
      await explorer.close();
    }
  });
});

suite('the MySQL terminal against the local lab', () => {
  test('the terminal\'s command line logs in to the lab database with the password only in the environment', async function () {
    const client = findMysqlClient();
    if (!client) this.skip();
    const target = await labTarget();
    const invocation = mysqlClientInvocation(target, client, undefined);
    assert.ok(!invocation.args.some((a) => a.includes(target.password)), 'arguments are visible to every local user');
    // What the user's terminal runs, with one statement instead of the interactive prompt.
    const run = spawnSync(invocation.command, [...invocation.args, '--batch', '--skip-column-names', '-e', 'select current_user(), database()'], {
      env: { ...process.env, ...invocation.env }, encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\t'), [`${target.user}@127.0.0.1`, target.database]);
    const wrong = spawnSync(invocation.command, [...invocation.args, '-e', 'select 1'], { env: { ...process.env, MYSQL_PWD: 'wrong' }, encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(wrong.status, 0, 'the password really comes from MYSQL_PWD');
  });
});
