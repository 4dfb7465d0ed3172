import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendRunRecord, lastRunRecord, readRunLog, runLogPath } from '../../src/core/lake/runLog';
import type { RunRecord } from '../../src/core/run/runRecord';
import { applyPipelineEvent, emptyPipelineState, pipelineStateFromRecord, recordIsNewer } from '../../src/core/run/viewState';

function record(runId: string, finishedAt: string, status: RunRecord['status'] = 'ok'): RunRecord {
  return {
    runId,
    startedAt: new Date(Date.parse(finishedAt) - 1500).toISOString(),
    finishedAt,
    durationMs: 1500,
    status,
    message: status === 'ok' ? 'Pipeline succeeded.' : 'Pipeline failed: Lost the connection to the source classicmodels on 127.0.0.1:3306 (ECONNRESET).',
    steps: status === 'ok'
      ? [
        { step: 'source', status: 'ok', durationMs: 10, rows: 3866, summary: 's' },
        { step: 'extract', status: 'ok', durationMs: 100, rows: 3766, summary: 'e' },
        { step: 'transform', status: 'ok', durationMs: 50, rows: 3332, summary: 't' },
        { step: 'load', status: 'ok', durationMs: 40, rows: 3332, summary: 'l' },
        { step: 'reconcile', status: 'ok', durationMs: 20, summary: '8 checks passed' },
      ]
      : [
        { step: 'source', status: 'ok', durationMs: 10, rows: 3866, summary: 's' },
        { step: 'extract', status: 'failed', durationMs: 80, summary: 'Lost the connection' },
      ],
    origin: 'cli',
    pid: 4242,
  };
}

suite('pipeline view state from the lake run log', () => {
  test('a recorded run shows with the counts and durations the run itself reported', () => {
    const state = pipelineStateFromRecord(record('r1', '2026-11-25T22:00:00.000Z'));
    assert.equal(state.running, false);
    assert.deepEqual(state.steps.map((s) => [s.state, s.rows, s.durationMs]),
      [['ok', 3866, 10], ['ok', 3766, 100], ['ok', 3332, 50], ['ok', 3332, 40], ['ok', undefined, 20]]);
    assert.equal(state.lastRun?.ok, true);
    assert.equal(state.lastRun?.durationMs, 1500);
  });

  test('a failed run from another front end shows its failed step, and the steps after it stay pending', () => {
    const state = pipelineStateFromRecord(record('r2', '2026-11-25T23:00:00.000Z', 'failed'));
    assert.deepEqual(state.steps.map((s) => s.state), ['ok', 'failed', 'pending', 'pending', 'pending']);
    assert.equal(state.lastRun?.ok, false);
    assert.match(state.lastRun?.message ?? '', /Lost the connection/);
  });

  test('the editor counts a run the same way the record does', () => {
    // The events a run emits fold into the same step rows the record keeps.
    const r = record('r3', '2026-11-25T22:00:00.000Z');
    let state = applyPipelineEvent(emptyPipelineState(), { kind: 'runStarted', runId: 'r3', source: 's', lake: 'l' });
    for (const step of r.steps) {
      state = applyPipelineEvent(state, { kind: 'stepStarted', step: step.step });
      state = applyPipelineEvent(state, { kind: 'stepFinished', ...step });
    }
    state = applyPipelineEvent(state, { kind: 'runFinished', ok: true, durationMs: 1500, message: 'ok' });
    assert.deepEqual(state.steps, pipelineStateFromRecord(r).steps);
  });

  test("a run's failing and warning data tests are kept for the view, from its events and from its record alike", () => {
    const failing = { name: 'relationships_fact_orders_productCode_to_dim_products', ok: false, expected: '0', actual: '1',
      message: '1 failing row in fact_orders.productCode: (orderNumber=10100, productCode=S99_0002)' };
    const warned = { name: 'accepted_values_fact_orders_status', ok: true, warning: true, expected: '0', actual: '4', message: '4 failing rows' };
    const passed = { name: 'unique_dim_customers_customerNumber', ok: true, expected: '0', actual: '0', message: 'no failing rows' };
    let state = applyPipelineEvent(emptyPipelineState(), { kind: 'runStarted', runId: 'r4', source: 's', lake: 'l' });
    for (const check of [passed, warned, failing]) state = applyPipelineEvent(state, { kind: 'check', check });
    assert.deepEqual(state.problems, [warned, failing]);
    // The next run starts with none.
    assert.deepEqual(applyPipelineEvent(state, { kind: 'runStarted', runId: 'r5', source: 's', lake: 'l' }).problems, []);
    const recorded = { ...record('r4', '2026-11-25T22:00:00.000Z', 'failed'), problems: [warned, failing] };
    assert.deepEqual(pipelineStateFromRecord(recorded).problems, [warned, failing]);
  });

  test('a record replaces the remembered run only when it is a later, different run', () => {
    const older = pipelineStateFromRecord(record('r1', '2026-11-25T22:00:00.000Z'));
    assert.equal(recordIsNewer(record('r1', '2026-11-25T22:00:00.000Z'), older), false, 'same run');
    assert.equal(recordIsNewer(record('r2', '2026-11-25T23:00:00.000Z', 'failed'), older), true, 'later failed run');
    assert.equal(recordIsNewer(record('r0', '2026-11-25T21:00:00.000Z'), older), false, 'earlier run');
    assert.equal(recordIsNewer(record('r2', '2026-11-25T23:00:00.000Z'), emptyPipelineState()), true, 'nothing remembered');
    assert.equal(recordIsNewer(record('r2', '2026-11-25T23:00:00.000Z'), { ...older, running: true }), false, 'a run in progress wins');
  });

  test('the run log keeps every outcome in order, skips a torn line and stays bounded', async () => {
    const lake = await fs.mkdtemp(path.join(os.tmpdir(), 'runlog-'));
    try {
      assert.equal(await lastRunRecord(lake), undefined);
      await appendRunRecord(lake, record('a', '2026-11-25T22:00:00.000Z'));
      await fs.appendFile(runLogPath(lake), '{"runId": "torn", "st');
      await fs.appendFile(runLogPath(lake), '\n');
      await appendRunRecord(lake, record('b', '2026-11-25T23:00:00.000Z', 'failed'));
      assert.deepEqual((await readRunLog(lake)).map((r) => [r.runId, r.status]), [['a', 'ok'], ['b', 'failed']]);
      for (let i = 0; i < 205; i++) await appendRunRecord(lake, record(`n${i}`, '2026-11-26T00:00:00.000Z'));
      const all = await readRunLog(lake);
      assert.equal(all.length, 200);
      assert.equal(all[all.length - 1].runId, 'n204');
    } finally {
      await fs.rm(lake, { recursive: true, force: true });
    }
  });
});
