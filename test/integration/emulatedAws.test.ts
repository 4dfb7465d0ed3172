import * as assert from 'node:assert/strict';
import { freePort } from '../helpers';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { processAlive } from '../../src/core/lab/state';
import { labTarget, repoLabDir, runCli } from './fixture';

interface Status { ok: boolean; port?: number; emulatedAws?: { running: boolean; state?: { pid: number; endpoint: string; trino?: string } } }

suite('lab up --aws: the emulated AWS beside the local lab', function () {
  this.timeout(180_000);
  const env = { LIFECYCLE_LAB_LOCAL_LABDIR: repoLabDir() };

  suiteTeardown(async () => { await runCli(['lab', 'down', '--aws'], env); });

  test('starts detached, serves RDS de-c1w2-rds at the local lab, shows in lab status, stops with lab down --aws', async () => {
    const target = await labTarget();
    const trinoUrl = `http://127.0.0.1:${await freePort() /* nothing listens there: no local Trino starts */}`;
    const up = await runCli(['lab', 'up', '--aws', '--trino-url', trinoUrl, '--json'], env);
    assert.equal(up.code, 0, up.stderr);
    const started = JSON.parse(up.stdout) as Status;
    const emulator = started.emulatedAws?.state;
    assert.ok(started.emulatedAws?.running && emulator, up.stdout);
    assert.match(emulator.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(emulator.trino, trinoUrl);
    assert.ok(processAlive(emulator.pid), 'the emulator outlives the command that started it');

    const rds = new RDSClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      const found = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'de-c1w2-rds' }));
      assert.deepEqual(found.DBInstances?.[0]?.Endpoint && { host: found.DBInstances[0].Endpoint.Address, port: found.DBInstances[0].Endpoint.Port },
        { host: '127.0.0.1', port: target.port });
    } finally {
      rds.destroy();
    }

    const again = JSON.parse((await runCli(['lab', 'up', '--aws', '--trino-url', trinoUrl, '--json'], env)).stdout) as Status;
    assert.equal(again.emulatedAws?.state?.pid, emulator.pid, 'a second lab up --aws keeps the running emulator');
    const status = JSON.parse((await runCli(['lab', 'status', '--json'], env)).stdout) as Status;
    assert.equal(status.emulatedAws?.running, true);
    assert.equal(status.emulatedAws?.state?.endpoint, emulator.endpoint);

    // The CLI in AWS mode on the emulator's endpoint signs with placeholder keys while it runs: the AWS checks reach
    // the services (nothing is deployed yet) instead of failing for want of credentials.
    const check = await runCli(['check', '--json'], { ...env, LIFECYCLE_LAB_MODE: 'aws', LIFECYCLE_LAB_AWS_ENDPOINT: emulator.endpoint, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    const items = (JSON.parse(check.stdout) as { items: { name: string; detail?: string }[] }).items;
    assert.ok(!items.some((i) => /credential/i.test(i.detail ?? '')), check.stdout);
    assert.match(items.find((i) => /Glue job/.test(i.name))?.detail ?? '', /no Glue job 'de-c1w2-etl-job'/);

    const down = await runCli(['lab', 'down', '--aws', '--json'], env);
    assert.deepEqual(JSON.parse(down.stdout), { ok: true, emulatorStopped: true });
    assert.ok(!processAlive(emulator.pid), 'the emulator is gone');
    const after = JSON.parse((await runCli(['lab', 'status', '--json'], env)).stdout) as Status;
    assert.equal(after.emulatedAws?.running, false);
    assert.equal(after.port, target.port, 'the local lab runs on');
  });

  test('--trino-url without --aws is refused', async () => {
    const r = await runCli(['lab', 'up', '--trino-url', 'http://127.0.0.1:1', '--json'], env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /--trino-url goes with --aws/);
  });
});
