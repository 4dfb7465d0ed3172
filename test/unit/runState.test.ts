import * as assert from 'node:assert/strict';
import type { LakeManifest } from '../../src/core/lake/manifest';
import { emptyPipelineState, manifestIsNewer, pipelineStateFromManifest } from '../../src/core/lake/runState';

function manifest(runId: string, finishedAt: string): LakeManifest {
  return {
    runId,
    startedAt: new Date(Date.parse(finishedAt) - 1500).toISOString(),
    finishedAt,
    model: 'star-v1',
    engine: { name: 'duckdb', version: 'v1.5.6' },
    source: { host: '127.0.0.1', port: 3306, database: 'classicmodels', counts: { orderdetails: 2996, orders: 326, customers: 122 }, orderAmountTotal: '9604190.61' },
    tables: { fact_orders: { rows: 2996, files: 1, bytes: 44000 }, dim_customers: { rows: 122, files: 1, bytes: 7000 } },
    checks: [
      { name: 'fact_rows_match_source', ok: true, expected: '2996', actual: '2996', message: '' },
      { name: 'order_amount_matches_source', ok: true, expected: '9604190.61', actual: '9604190.61', message: '' },
    ],
    ok: true,
  };
}

suite('pipeline view state from the lake manifest', () => {
  test('a run made outside the editor shows as a finished run with every step ok', () => {
    const state = pipelineStateFromManifest(manifest('r1', '2026-11-25T22:00:00.000Z'));
    assert.equal(state.running, false);
    assert.deepEqual(state.steps.map((s) => s.state), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.equal(state.steps.find((s) => s.step === 'extract')?.rows, 2996 + 326 + 122);
    assert.equal(state.steps.find((s) => s.step === 'load')?.rows, 2996 + 122);
    assert.equal(state.steps.find((s) => s.step === 'reconcile')?.summary, '2/2 checks passed');
    assert.equal(state.lastRun?.runId, 'r1');
    assert.equal(state.lastRun?.durationMs, 1500);
    assert.match(state.lastRun?.message ?? '', /2996 fact rows/);
  });

  test('the manifest replaces a remembered run only when it is a later, different run', () => {
    const older = pipelineStateFromManifest(manifest('r1', '2026-11-25T22:00:00.000Z'));
    assert.equal(manifestIsNewer(manifest('r1', '2026-11-25T22:00:00.000Z'), older), false, 'same run');
    assert.equal(manifestIsNewer(manifest('r2', '2026-11-25T23:00:00.000Z'), older), true, 'later run');
    assert.equal(manifestIsNewer(manifest('r0', '2026-11-25T21:00:00.000Z'), older), false, 'earlier run');
    assert.equal(manifestIsNewer(manifest('r2', '2026-11-25T23:00:00.000Z'), emptyPipelineState()), true, 'nothing remembered');
    assert.equal(manifestIsNewer(manifest('r2', '2026-11-25T23:00:00.000Z'), { ...older, running: true }), false, 'a run in progress wins');
  });
});
