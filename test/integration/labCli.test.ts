import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DUMP_COUNTS } from '../../src/core/lab/db';
import { labTarget, runCli } from './fixture';

const cli = runCli;

suite('lifecycle-lab lab (CLI)', function () {
  this.timeout(120_000);

  suiteSetup(async () => {
    await labTarget();
  });

  test('lab status --json says what runs where', async () => {
    const target = await labTarget();
    const r = await cli(['lab', 'status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(status.ok, true);
    assert.equal(status.running, true);
    assert.equal(status.host, '127.0.0.1');
    assert.equal(status.port, target.port);
    assert.equal(typeof status.pid, 'number');
    assert.equal(status.database, 'classicmodels');
    assert.deepEqual(status.counts, DUMP_COUNTS);
  });

  test('lab up is idempotent from the command line and prints where the lab runs', async () => {
    const target = await labTarget();
    const r = await cli(['lab', 'up']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`on 127\\.0\\.0\\.1:${target.port} `));
    assert.match(r.stdout, /customers 122/);
  });

  test('bad input: unknown action exits 2 with usage; a bad --scale or a taken port is a JSON error with its code', async () => {
    const unknown = await cli(['lab', 'bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /usage: lifecycle-lab lab up/);

    const scale = await cli(['lab', 'up', '--scale', '0', '--json']);
    assert.equal(scale.code, 1);
    assert.equal((JSON.parse(scale.stdout) as { error: { code: string } }).error.code, 'config');

    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-cli-'));
    try {
      const taken = await cli(['lab', 'up', '--json'], { LIFECYCLE_LAB_LOCAL_LABDIR: labDir, LIFECYCLE_LAB_LOCAL_PORT: String(port) });
      assert.equal(taken.code, 1);
      const error = (JSON.parse(taken.stdout) as { error: { code: string; message: string; nextStep?: { text: string; env?: string } } }).error;
      assert.equal(error.code, 'portInUse');
      assert.match(error.message, new RegExp(`^Port ${port} `));
      assert.deepEqual(error.nextStep, { text: 'Choose another port, or 0 for a free one: set LIFECYCLE_LAB_LOCAL_PORT', env: 'LIFECYCLE_LAB_LOCAL_PORT' });
    } finally {
      blocker.close();
      await fs.rm(labDir, { recursive: true, force: true });
    }
  });
});
