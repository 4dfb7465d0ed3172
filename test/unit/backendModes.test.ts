import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsEndpointInUse, configForLake, configuredLakes, otherLakeSetUp } from '../../src/core/backend';
import { resolveLabConfig } from '../../src/core/config';
import { usesEmulator } from '../../src/core/lab/emulatedAws';

suite('what the mode means outside the backends (core/backend/modes.ts)', () => {
  test('the configured lake and the other one follow the mode setting', () => {
    assert.deepEqual(configuredLakes(resolveLabConfig({}, '/')), { current: 'local', other: 'aws' });
    assert.deepEqual(configuredLakes(resolveLabConfig({ mode: 'aws' }, '/')), { current: 'aws', other: 'local' });
  });

  test('the other mode is set up: in AWS mode when the local lake has a manifest; in local mode when AWS settings reach a lake', () => {
    const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-modes-'));
    try {
      const aws = resolveLabConfig({ mode: 'aws', 'local.lakeDir': lakeDir }, '/');
      assert.equal(otherLakeSetUp(aws), false, 'no manifest yet');
      fs.mkdirSync(path.join(lakeDir, 'gold'));
      fs.writeFileSync(path.join(lakeDir, 'gold', '_manifest.json'), '{}');
      assert.equal(otherLakeSetUp(aws), true);
      assert.equal(otherLakeSetUp(resolveLabConfig({ 'local.lakeDir': lakeDir }, '/')), false, 'no AWS settings');
      assert.equal(otherLakeSetUp(resolveLabConfig({ 'local.lakeDir': lakeDir, 'aws.profile': 'lab' }, '/')), true);
    } finally {
      fs.rmSync(lakeDir, { recursive: true, force: true });
    }
  });

  test('configForLake aims the settings at the lake in its own mode, changing nothing else', () => {
    const config = resolveLabConfig({ 'local.lakeDir': '/x/lake', 'athena.database': 'de_c1w2_lake' }, '/');
    const folder = configForLake({ engine: 'local', lakeDir: '/y/lake' }, { ...config, mode: 'aws' });
    assert.equal(folder.mode, 'local');
    assert.equal(folder.local.lakeDir, '/y/lake');
    assert.equal(configForLake({ engine: 'local' }, config).local.lakeDir, '/x/lake');
    const glue = configForLake({ engine: 'aws', database: 'other_lake' }, config);
    assert.equal(glue.mode, 'aws');
    assert.equal(glue.athena.database, 'other_lake');
    assert.equal(configForLake({ engine: 'aws' }, config).athena.database, 'de_c1w2_lake');
    assert.deepEqual(glue.aws, config.aws);
  });

  test('the AWS endpoint in use is the override in AWS mode only; usesEmulator compares with it', () => {
    const endpoint = 'http://127.0.0.1:4566';
    assert.equal(awsEndpointInUse(resolveLabConfig({ 'aws.endpoint': endpoint }, '/')), undefined, 'local mode talks to no AWS endpoint');
    assert.equal(awsEndpointInUse(resolveLabConfig({ mode: 'aws' }, '/')), undefined, "AWS's own endpoints");
    const aws = resolveLabConfig({ mode: 'aws', 'aws.endpoint': endpoint }, '/');
    assert.equal(awsEndpointInUse(aws), endpoint);
    assert.equal(usesEmulator(aws, `${endpoint}/`), true);
    assert.equal(usesEmulator(aws, 'http://127.0.0.1:4567'), false);
    assert.equal(usesEmulator(resolveLabConfig({ 'aws.endpoint': endpoint }, '/'), endpoint), false);
  });
});
