import * as assert from 'node:assert/strict';
import { createDashboardTestHooks, TEST_HOOKS_ENV, testHooksEnabled } from '../../src/webview/dashboardHooks';

suite('dashboard test hooks', () => {
  test('absent unless the runner sets LIFECYCLE_LAB_TEST_HOOKS=1', () => {
    assert.equal(TEST_HOOKS_ENV, 'LIFECYCLE_LAB_TEST_HOOKS');
    assert.equal(createDashboardTestHooks({}), undefined);
    for (const value of ['', '0', 'true', 'yes', ' 1']) {
      assert.equal(testHooksEnabled({ [TEST_HOOKS_ENV]: value }), false, `"${value}" does not switch them on`);
      assert.equal(createDashboardTestHooks({ [TEST_HOOKS_ENV]: value }), undefined);
    }
    assert.ok(createDashboardTestHooks({ [TEST_HOOKS_ENV]: '1' }));
  });

  test('reports are numbered in arrival order, an injected failure fires once, marks are kept', () => {
    const hooks = createDashboardTestHooks({ [TEST_HOOKS_ENV]: '1' })!;
    hooks.mark('show', 10);
    hooks.rendered({ dataset: 'kpis', state: 'data', rowCount: 1, labels: [], values: [1] });
    hooks.rendered({ dataset: 'lakeStatus', state: 'empty', rowCount: 0, labels: [], values: [] });
    hooks.pageTimings([{ name: 'scriptStart', at: 12 }]);
    hooks.injectFailure('kpis');
    assert.equal(hooks.takeFailure('kpis'), true);
    assert.equal(hooks.takeFailure('kpis'), false);
    const state = hooks.state(true, true);
    assert.equal(state.lastSeq, 2);
    assert.equal(state.reports.kpis?.seq, 1);
    assert.equal(state.reports.lakeStatus?.seq, 2);
    assert.deepEqual(state.timings.host.map((m) => m.name), ['show', 'rendered:kpis', 'rendered:lakeStatus']);
    assert.deepEqual(state.timings.page, [{ name: 'scriptStart', at: 12 }]);
  });
});
