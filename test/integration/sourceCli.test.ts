import * as assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import type { CliContext } from '../../src/cli/context';
import { main } from '../../src/cli';
import { tables } from '../../src/cli/source';
import { resolveLabConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { labTarget, repoLabDir, repoRoot } from './fixture';

function context(json: boolean, settings: Record<string, unknown> = {}): { ctx: CliContext; lines: string[] } {
  const lines: string[] = [];
  const config = resolveLabConfig({ 'local.labDir': repoLabDir(), ...settings }, repoRoot());
  return { ctx: { config, log: silentLogger, json, out: (line) => lines.push(line) }, lines };
}

suite('CLI: lifecycle-lab source tables', function () {
  this.timeout(120_000);

  test('--json lists the tables show tables lists, resolved through the local lab', async () => {
    const target = await labTarget();
    const mysql = await import('mysql2/promise');
    const oracle = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, database: 'classicmodels' });
    let expected: string[];
    try {
      const [rows] = await oracle.query<RowDataPacket[]>('SHOW TABLES');
      expected = rows.map((r) => String(Object.values(r)[0]));
    } finally {
      await oracle.end();
    }
    const { ctx, lines } = context(true);
    assert.equal(await tables({ values: {}, positionals: [] }, ctx), 0);
    assert.equal(lines.length, 1);
    const out = JSON.parse(lines[0]) as { ok: boolean; source: string; database: string; tables: { name: string; approxRows?: number }[] };
    assert.equal(out.ok, true);
    assert.equal(out.source, 'local lab');
    assert.deepEqual(out.tables.map((t) => t.name), expected);
    assert.ok(out.tables.every((t) => typeof t.approxRows === 'number'));
  });

  test('plain output has one line per table', async () => {
    await labTarget();
    const { ctx, lines } = context(false);
    assert.equal(await tables({ values: {}, positionals: [] }, ctx), 0);
    assert.match(lines[0], /^classicmodels on local lab$/);
    assert.match(lines.find((l) => l.includes('orderdetails')) ?? '', /orderdetails\s+table\s+~[\d,]+ rows\s+\d+(?:\.\d)? [KM]iB/);
  });

  test('a configured host without a reachable server fails with the unreachable error', async () => {
    const { ctx } = context(true, { 'mysql.host': '127.0.0.1', 'mysql.port': 1 });
    await assert.rejects(tables({ values: {}, positionals: [] }, ctx), (err: Error & { code?: string }) => err.code === 'unreachable' && /127\.0\.0\.1:1/.test(err.message));
  });

  test('an unknown action prints usage and exits 2', async () => {
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      assert.equal(await main(['source', 'nope']), 2);
    } finally {
      process.stderr.write = write;
    }
  });
});
