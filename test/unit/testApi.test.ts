/**
 * The extension's exports: a user's install (no LIFECYCLE_LAB_TEST_HOOKS) gets nothing and nothing is built; only a
 * host the test or bench runner started with LIFECYCLE_LAB_TEST_HOOKS=1 gets the test API. The runners set the switch.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionExports } from '../../src/testApi';

const repoRoot = path.resolve(__dirname, '../../..');

suite('extension exports: the test API only under LIFECYCLE_LAB_TEST_HOOKS=1', () => {
  test('without the switch (or with any other value) nothing is exported and the API is never built', () => {
    for (const env of [{}, { LIFECYCLE_LAB_TEST_HOOKS: '' }, { LIFECYCLE_LAB_TEST_HOOKS: '0' }, { LIFECYCLE_LAB_TEST_HOOKS: 'true' }]) {
      let built = 0;
      assert.equal(extensionExports(() => { built++; return { services: 'test only' }; }, env), undefined, JSON.stringify(env));
      assert.equal(built, 0, 'the test API was built for a user install');
    }
  });

  test('with LIFECYCLE_LAB_TEST_HOOKS=1 the API is built and exported', () => {
    const api = { services: 'test only' };
    assert.equal(extensionExports(() => api, { LIFECYCLE_LAB_TEST_HOOKS: '1' }), api);
  });

  test('every runner that starts a host for tests or the bench turns the switch on', () => {
    for (const runner of ['scripts/run-extension-tests.mjs', 'scripts/run-electron-tests.mjs', 'scripts/run-install-test.mjs', 'bench/editor-run.mjs']) {
      assert.match(fs.readFileSync(path.join(repoRoot, runner), 'utf8'), /LIFECYCLE_LAB_TEST_HOOKS: '1'/, runner);
    }
  });
});
