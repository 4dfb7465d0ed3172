import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveLabConfig, type MysqlTarget } from '../../src/core/config';
import { LabError, isCancelled } from '../../src/core/errors';
import { mysqlErrorToLabError } from '../../src/core/source/errors';
import { mapSourceError } from '../../src/core/lake/source';
import { cellText } from '../../src/core/source/values';
import { formatApproxRows, formatBytes } from '../../src/core/source/format';
import { mysqlClientInvocation } from '../../src/core/source/terminal';
import { qualifiedName, quoteIdent, selectStatement, sqlCount } from '../../src/core/source/sql';
import { isLoopbackHost, resolveSourceTarget, targetLabel, usesTls } from '../../src/core/source/target';

const remote: MysqlTarget = {
  host: 'db.example.com', port: 3306, user: 'admin', password: 's3cret', database: 'classicmodels', tls: 'auto', origin: 'settings',
};
const lab: MysqlTarget = { ...remote, host: '127.0.0.1', port: 41234, user: 'lab', tls: 'off', origin: 'local-lab' };

suite('source: SQL text', () => {
  test('identifiers are backtick-quoted with backticks doubled', () => {
    assert.equal(quoteIdent('orders'), '`orders`');
    assert.equal(quoteIdent('we`ird'), '`we``ird`');
    assert.equal(quoteIdent('x`; DROP TABLE t; --'), '`x``; DROP TABLE t; --`');
    assert.equal(qualifiedName('classicmodels', 'order details'), '`classicmodels`.`order details`');
    assert.throws(() => quoteIdent(''));
    assert.throws(() => quoteIdent('a\0b'));
  });

  test('SELECT statement for copying', () => {
    assert.equal(selectStatement('classicmodels', 'orders'), 'SELECT *\nFROM `classicmodels`.`orders`\nLIMIT 100;');
    assert.equal(selectStatement('db', 't', ['a', 'b`c'], 5), 'SELECT `a`, `b``c`\nFROM `db`.`t`\nLIMIT 5;');
  });

  test('LIMIT/OFFSET values must be whole non-negative numbers', () => {
    assert.equal(sqlCount(0, 'offset'), 0);
    assert.equal(sqlCount(100, 'limit'), 100);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => sqlCount(bad, 'limit'), RangeError);
  });
});

suite('source: target', () => {
  test('loopback hosts and TLS modes', () => {
    for (const h of ['localhost', '127.0.0.1', '127.0.1.1', '::1', 'LOCALHOST']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['db.example.com', '10.0.0.5', '1270.0.0.1', 'x.rds.amazonaws.com']) assert.ok(!isLoopbackHost(h), h);
    assert.equal(usesTls({ host: 'db.example.com', tls: 'auto' }), true);
    assert.equal(usesTls({ host: '127.0.0.1', tls: 'auto' }), false);
    assert.equal(usesTls({ host: '127.0.0.1', tls: 'require' }), true);
    assert.equal(usesTls({ host: 'db.example.com', tls: 'off' }), false);
  });

  test('labels', () => {
    assert.equal(targetLabel(lab), 'local lab');
    assert.equal(targetLabel(remote), 'db.example.com:3306');
  });

  test('a configured host uses the settings and the supplied password', async () => {
    const config = resolveLabConfig({ 'mysql.host': 'db.example.com', 'mysql.user': 'admin', 'mysql.caBundlePath': '/ca.pem' }, '/ws');
    const target = await resolveSourceTarget(config, async () => 'pw', { localLab: true });
    assert.deepEqual(target, { host: 'db.example.com', port: 3306, user: 'admin', database: 'classicmodels', tls: 'auto', caBundlePath: '/ca.pem', password: 'pw', origin: 'settings' });
    const noPassword = await resolveSourceTarget(config, async () => undefined, { localLab: false });
    assert.equal(noPassword?.password, '');
  });

  test('no host: the running local lab for the local backend, nothing for the AWS one', async () => {
    const labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'source-target-'));
    try {
      const local = resolveLabConfig({ 'local.labDir': labDir }, '/ws');
      assert.equal(await resolveSourceTarget(local, async () => 'unused', { localLab: true }), undefined, 'no lab state yet');
      await fs.writeFile(path.join(labDir, 'lab.json'), JSON.stringify({ host: '127.0.0.1', port: 41234, pid: process.pid, database: 'classicmodels' }));
      await fs.writeFile(path.join(labDir, 'credentials.json'), JSON.stringify({ user: 'lab', password: 'labpw' }));
      const target = await resolveSourceTarget(local, async () => 'unused', { localLab: true });
      assert.equal(target?.origin, 'local-lab');
      assert.equal(target?.port, 41234);
      assert.equal(target?.password, 'labpw');
      assert.equal(await resolveSourceTarget(local, async () => 'unused', { localLab: false }), undefined, 'the AWS backend never takes the local lab');
    } finally {
      await fs.rm(labDir, { recursive: true, force: true });
    }
  });

  test('the database setting (LIFECYCLE_LAB_MYSQL_DATABASE) selects the local lab database too, the lab\'s own by default', async () => {
    const labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'source-target-'));
    try {
      await fs.writeFile(path.join(labDir, 'lab.json'), JSON.stringify({ host: '127.0.0.1', port: 41234, pid: process.pid, database: 'classicmodels' }));
      await fs.writeFile(path.join(labDir, 'credentials.json'), JSON.stringify({ user: 'lab', password: 'labpw' }));
      const chosen = await resolveSourceTarget(resolveLabConfig({ 'local.labDir': labDir, 'mysql.database': 'nosuchdb' }, '/ws'), async () => 'unused', { localLab: true });
      assert.equal(chosen?.origin, 'local-lab');
      assert.equal(chosen?.database, 'nosuchdb');
      const byDefault = await resolveSourceTarget(resolveLabConfig({ 'local.labDir': labDir }, '/ws'), async () => 'unused', { localLab: true });
      assert.equal(byDefault?.database, 'classicmodels');
    } finally {
      await fs.rm(labDir, { recursive: true, force: true });
    }
  });
});

suite('source: driver errors become actionable LabErrors', () => {
  test('access denied -> auth with Set Database Password (settings) or Start Local Lab (lab)', () => {
    const e = mysqlErrorToLabError({ code: 'ER_ACCESS_DENIED_ERROR', sqlMessage: "Access denied for user 'admin'" }, remote);
    assert.equal(e.code, 'auth');
    assert.equal(e.nextStep?.command, 'lifecycleLab.setDatabasePassword');
    assert.match(e.message, /admin/);
    assert.doesNotMatch(e.message, /s3cret/);
    assert.equal(mysqlErrorToLabError({ code: 'ER_ACCESS_DENIED_ERROR' }, lab).nextStep?.command, 'lifecycleLab.startLocalLab');
  });

  test('refused, unknown host and timeout name host:port; the host setting is the next step, not message text', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT']) {
      const e = mysqlErrorToLabError({ code }, remote);
      assert.equal(e.code, code === 'ETIMEDOUT' ? 'timeout' : 'unreachable', code);
      assert.match(e.message, /db\.example\.com:3306/);
      assert.doesNotMatch(e.message, /lifecycleLab\./, 'each surface names the setting its own way');
      assert.equal(e.nextStep?.setting, 'lifecycleLab.mysql.host');
    }
  });

  test('a lost connection (reset, closed, broken pipe) is unreachable: "the connection was lost"', () => {
    for (const code of ['ECONNRESET', 'PROTOCOL_CONNECTION_LOST', 'EPIPE']) {
      for (const target of [remote, lab]) {
        const e = mysqlErrorToLabError({ code, message: 'socket hang up' }, target);
        assert.equal(e.code, 'unreachable', code);
        assert.match(e.message, /the connection was lost/, code);
        assert.match(e.message, new RegExp(`${target.host.replace(/\./g, '\\.')}:${target.port}`));
      }
    }
  });

  test('an unknown database names the databases that exist; with the lab running the step is the database, never Start Local Lab', () => {
    for (const target of [lab, remote]) {
      const e = mysqlErrorToLabError({ code: 'ER_BAD_DB_ERROR' }, target, { database: 'hostile', databases: ['classicmodels', 'scratch'] });
      assert.equal(e.code, 'unknownDatabase');
      assert.equal(e.message, `Database 'hostile' does not exist on ${targetLabel(target)}. Databases there: classicmodels, scratch.`);
      assert.equal(e.nextStep?.setting, 'lifecycleLab.mysql.database');
      assert.notEqual(e.nextStep?.command, 'lifecycleLab.startLocalLab');
    }
    assert.match(mysqlErrorToLabError({ code: 'ER_BAD_DB_ERROR' }, lab, { database: 'x', databases: [] }).message, /There are no databases there/);
    assert.doesNotMatch(mysqlErrorToLabError({ code: 'ER_BAD_DB_ERROR' }, lab).message, /Databases there/, 'no list when none was read');
  });

  test('the pipeline maps source errors as the Source view does: the code, message and next step written out here', () => {
    const startLab = { label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' };
    const expected: Record<string, [string, string, object | undefined]> = {
      ER_BAD_DB_ERROR: ['unknownDatabase', "Database 'classicmodels' does not exist on local lab.",
        { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.mysql.database' }],
      ECONNRESET: ['unreachable', 'The local lab database at 127.0.0.1:41234 is not reachable: the connection was lost (ECONNRESET); it may have stopped.', startLab],
      ER_ACCESS_DENIED_ERROR: ['auth', "The local lab rejected user 'lab'. Restart the lab to restore its credentials.", startLab],
      ECONNREFUSED: ['unreachable', 'The local lab database at 127.0.0.1:41234 is not reachable: it refused the connection (ECONNREFUSED); it may have stopped.', startLab],
      ETIMEDOUT: ['timeout', 'The local lab database at 127.0.0.1:41234 is not reachable: it did not answer in time (ETIMEDOUT); it may have stopped.', startLab],
      ER_PARSE_ERROR: ['queryFailed', 'MySQL at local lab: near "x"', undefined],
    };
    for (const [code, [labCode, message, nextStep]] of Object.entries(expected)) {
      const driverError = { code, sqlMessage: 'near "x"' };
      for (const [mapper, e] of [['pipeline', mapSourceError(driverError, lab, 'classicmodels')],
        ['Source view', mysqlErrorToLabError(driverError, lab, { database: 'classicmodels' })]] as const) {
        assert.deepEqual([e.code, e.message, e.nextStep && { ...e.nextStep }], [labCode, message, nextStep], `${code} (${mapper})`);
        assert.equal(e.cause, driverError, `${code} (${mapper}): the driver's error stays as the cause`);
      }
    }
  });

  test('unknown database, missing table, interrupted query, TLS verification', () => {
    const db = mysqlErrorToLabError({ code: 'ER_BAD_DB_ERROR' }, remote, { database: 'nope' });
    assert.equal(db.code, 'unknownDatabase');
    assert.match(db.message, /'nope'/);
    assert.equal(db.nextStep?.setting, 'lifecycleLab.mysql.database');
    const table = mysqlErrorToLabError({ code: 'ER_NO_SUCH_TABLE', sqlMessage: "Table 'classicmodels.x' doesn't exist" }, remote, { database: 'classicmodels', table: 'x' });
    assert.equal(table.code, 'missingTable');
    assert.match(table.message, /classicmodels\.x/);
    assert.ok(isCancelled(mysqlErrorToLabError({ code: 'ER_QUERY_INTERRUPTED' }, remote)));
    const tls = mysqlErrorToLabError({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }, remote);
    assert.equal(tls.nextStep?.setting, 'lifecycleLab.mysql.caBundlePath');
  });

  test('anything else keeps the server message; LabErrors pass through', () => {
    const e = mysqlErrorToLabError({ code: 'ER_PARSE_ERROR', sqlMessage: 'You have an error' }, remote);
    assert.equal(e.code, 'queryFailed');
    assert.match(e.message, /You have an error/);
    const original = new LabError('config', 'x');
    assert.equal(mysqlErrorToLabError(original, remote), original);
  });
});

suite('source: cells and formats', () => {
  test('cells become text or null', () => {
    assert.equal(cellText(null), null);
    assert.equal(cellText(undefined), null);
    assert.equal(cellText(''), '');
    assert.equal(cellText(42), '42');
    assert.equal(cellText('Luleå'), 'Luleå');
    assert.equal(cellText(Buffer.from([0xde, 0xad])), '0xdead');
    assert.match(cellText(Buffer.alloc(100)) ?? '', /^0x0{64}… \(100 bytes\)$/);
    assert.equal(cellText(12345678901234567890n), '12345678901234567890');
    assert.equal(cellText(true), 'true');
    assert.equal(cellText(new Date('2004-11-24T00:00:00Z')), '2004-11-24T00:00:00.000Z');
    assert.equal(cellText({ a: [1, 'b'] }), '{"a":[1,"b"]}');
    assert.equal(cellText(Symbol('s')), '(symbol)');
  });

  test('sizes and row estimates', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(16384), '16 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(245760), '240 KiB');
    assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB', 'never "1024 KiB"');
    assert.equal(formatBytes(57 * 1024 * 1024), '57 MiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
    assert.equal(formatApproxRows(2996), '~2,996 rows');
    assert.equal(formatApproxRows(1), '~1 row');
  });
});

suite('source: mysql client terminal', () => {
  // That these arguments log in is tested against the lab (integration/source.test.ts); here, the choices they make.
  test('password travels in MYSQL_PWD, never in the arguments; TLS for a remote host in the client\'s own spelling', () => {
    const inv = mysqlClientInvocation(remote, 'mariadb', 'classicmodels');
    assert.equal(inv.command, 'mariadb');
    assert.deepEqual(inv.env, { MYSQL_PWD: 's3cret' });
    assert.ok(!inv.args.some((a) => a.includes('s3cret')), inv.args.join(' '));
    assert.ok(inv.args.includes('--ssl'), 'remote host with tls auto uses TLS');
    assert.ok(mysqlClientInvocation(remote, '/usr/bin/mysql', undefined).args.includes('--ssl-mode=REQUIRED'), "Oracle's client spells it --ssl-mode");
    assert.equal(inv.args.at(-1), 'classicmodels');
    const local = mysqlClientInvocation(lab, 'mysql', undefined);
    assert.ok(!local.args.some((a) => a.startsWith('--ssl')));
    assert.equal(local.args.at(-1), 'classicmodels', 'defaults to the target database');
  });
});
