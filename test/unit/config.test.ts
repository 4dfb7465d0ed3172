import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { resolveLabConfig } from '../../src/core/config';
import { LabError, describeError } from '../../src/core/errors';
import { settingsFromEnv } from '../../src/cli/env';

suite('config', () => {
  const root = '/work/project';

  test('defaults: local mode, lab and lake under the workspace', () => {
    const c = resolveLabConfig({}, root);
    assert.equal(c.mode, 'local');
    assert.equal(c.local.labDir, path.join(root, '.lab'));
    assert.equal(c.local.lakeDir, path.join(root, '.lab', 'lake'));
    assert.equal(c.mysql.host, '');
    assert.equal(c.mysql.database, 'classicmodels');
    assert.equal(c.aws.rdsInstanceId, 'de-c1w2-rds');
  });

  test('relative and absolute paths resolve against the root', () => {
    const c = resolveLabConfig({ 'local.labDir': 'x/lab', 'local.lakeDir': '/data/lake' }, root);
    assert.equal(c.local.labDir, path.join(root, 'x/lab'));
    assert.equal(c.local.lakeDir, '/data/lake');
  });

  test('an invalid value says what is wrong and offers Open Settings at that setting (the text names no editor setting)', () => {
    for (const [key, value] of [['mode', 'cloud'], ['mysql.port', 70000], ['mysql.port', 'abc'], ['mysql.tls', 'maybe']] as const) {
      assert.throws(() => resolveLabConfig({ [key]: value }, root), (err: unknown) => {
        assert.ok(err instanceof LabError);
        assert.equal(err.code, 'config');
        assert.doesNotMatch(err.message, /lifecycleLab\./);
        assert.ok(err.message.includes(JSON.stringify(value)), err.message);
        assert.equal(err.nextStep?.setting, `lifecycleLab.${key}`);
        assert.equal(err.nextStep?.command, 'lifecycleLab.openSettings');
        return true;
      });
    }
  });

  test('CLI settings come from LIFECYCLE_LAB_* variables', () => {
    const raw = settingsFromEnv({ LIFECYCLE_LAB_MODE: 'aws', LIFECYCLE_LAB_MYSQL_PORT: '3307', LIFECYCLE_LAB_SOURCE_SHOWSYSTEMSCHEMAS: 'true' });
    const c = resolveLabConfig(raw, root);
    assert.equal(c.mode, 'aws');
    assert.equal(c.mysql.port, 3307);
    assert.equal(c.showSystemSchemas, true);
  });

  test('describeError appends the next step', () => {
    const e = new LabError('auth', 'Access denied for lab@127.0.0.1.', { nextStep: { label: 'Set Database Password', command: 'lifecycleLab.setDatabasePassword' } });
    assert.equal(describeError(e), 'Access denied for lab@127.0.0.1. Next step: Set Database Password.');
    assert.equal(describeError(new Error('boom')), 'boom');
  });
});
