import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { QUERIES } from '../../src/core/dashboard/queries';
import { DashboardData } from '../../src/core/dashboard/service';
import { CancelledError, LabError } from '../../src/core/errors';
import { localManifestReader } from '../../src/core/lake/lakeReaders';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import type { QueryParams, QueryResult } from '../../src/core/query/engine';
import { RecordingEngine } from '../recordingEngine';
import { buildTestLake, RUN_MANIFEST } from './dashboardLakeFixture';

/**
 * DuckDB over the fixture lake, holding each ask of one SQL text (the count of groups per date) until the test
 * releases it, or fails it. A held query honours its signal as an engine does: aborted, it ends with CancelledError.
 */
class HoldingEngine extends RecordingEngine {
  /** Each time the held SQL was asked, with the signal it was asked under. */
  readonly asks: Array<{ signal?: AbortSignal }> = [];
  private gate?: { released: Promise<void>; release: () => void; fail: (err: Error) => void };
  private askWaiters: Array<{ times: number; resolve: () => void }> = [];

  constructor(inner: DuckDbLakeEngine, private readonly heldSql: string) {
    super(inner);
    this.closeGate();
  }

  /** Resolves once the held SQL was asked `times` times in all. */
  asked(times = 1): Promise<void> {
    if (this.asks.length >= times) return Promise.resolve();
    return new Promise((resolve) => this.askWaiters.push({ times, resolve }));
  }

  /** Lets the held queries run on (later asks are held again). */
  release(): void { this.closeGate().release(); }

  /** Fails the held queries with `err` (later asks are held again). */
  fail(err: Error): void { this.closeGate().fail(err); }

  override async query(sql: string, params?: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    if (sql === this.heldSql) {
      this.asks.push({ signal });
      for (const waiter of this.askWaiters.filter((w) => this.asks.length >= w.times)) waiter.resolve();
      this.askWaiters = this.askWaiters.filter((w) => this.asks.length < w.times);
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(new CancelledError('Query'));
        signal?.addEventListener('abort', () => reject(new CancelledError('Query')), { once: true });
        this.gate!.released.then(resolve, reject);
      });
    }
    return super.query(sql, params, signal);
  }

  /** Opens a new gate for the asks to come and returns the one the asks so far wait at. */
  private closeGate(): { release: () => void; fail: (err: Error) => void } {
    const previous = this.gate;
    let release = () => {};
    let fail: (err: Error) => void = () => {};
    const released = new Promise<void>((resolve, reject) => { release = resolve; fail = reject; });
    released.catch(() => undefined);
    this.gate = { released, release, fail };
    return previous ?? this.gate;
  }
}

/** What became of an answer by the time `wait` is over: its result, its error, or "still waiting". */
async function settledWithin<T>(answer: Promise<T>, wait: Promise<void>): Promise<{ value: T } | { error: unknown } | 'still waiting'> {
  return Promise.race([answer.then((value) => ({ value }), (error: unknown) => ({ error })), wait.then(() => 'still waiting' as const)]);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

suite('dashboard: the count of groups per date shared by the detailed sales answers waiting for it', function () {
  this.timeout(30_000);
  let lakeDir: string;
  let duckdb: DuckDbLakeEngine;
  let datesSql: string;
  /** The rows of the self-contained salesDetail query (no run manifest, nothing counted), per offset, limit 1. */
  let expectedRows: (offset: number) => Promise<unknown[][]>;

  suiteSetup(async () => {
    lakeDir = await buildTestLake({ manifest: RUN_MANIFEST as unknown as Record<string, unknown> });
    duckdb = new DuckDbLakeEngine(lakeDir);
    const plain = new DashboardData(duckdb);
    datesSql = QUERIES.salesDetailDates.sql(await plain.model());
    expectedRows = async (offset) => (await plain.salesDetail(offset, 1)).rows;
  });
  suiteTeardown(async () => {
    await duckdb?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  /**
   * As on the dashboard: the first page (A, offset 0, asked ahead) starts the count; Next asks for the second page
   * (B, offset 1), which joins the running count. Resolves once B waits for it.
   */
  async function firstAndSecondPage() {
    const engine = new HoldingEngine(duckdb, datesSql);
    const readManifest = localManifestReader(lakeDir);
    const reads: Array<Promise<unknown>> = [];
    const data = new DashboardData(engine, () => {
      const read = readManifest();
      reads.push(read);
      return read;
    });
    await data.model();
    const a = new AbortController();
    const b = new AbortController();
    const first = data.salesDetail(0, 1, a.signal, () => undefined);
    await engine.asked();
    const readsBefore = reads.length;
    const second = data.salesDetail(1, 1, b.signal);
    // B reads the run off the manifest, then finds the count running and waits for it.
    while (reads.length === readsBefore) await new Promise(setImmediate);
    await reads[readsBefore];
    for (let i = 0; i < 5; i++) await new Promise(setImmediate);
    // Neither settles before the count is released.
    first.catch(() => undefined);
    second.catch(() => undefined);
    return { engine, data, a, b, first, second };
  }

  test('the first page cancelled: the second page, which joined its count, still gets its rows; the count ran once', async () => {
    const { engine, a, first, second } = await firstAndSecondPage();
    a.abort();
    await assert.rejects(first, CancelledError, 'the cancelled first page ends cancelled');
    engine.release();
    const answer = await second;
    assert.equal(engine.asks[0].signal?.aborted, false, 'the count ran on for the second page');
    assert.deepEqual(answer.rows, await expectedRows(1), 'the second page');
    assert.ok(answer.sql.includes('query "salesDetailPage"'), 'answered from the per-date counts');
    assert.equal(engine.asks.length, 1, 'the groups per date were counted once');
  });

  test('the second page cancelled: it stops waiting at once; the first page gets its rows from the same count', async () => {
    const { engine, b, first, second } = await firstAndSecondPage();
    b.abort();
    const outcome = await settledWithin(second, delay(2000));
    assert.ok(outcome !== 'still waiting' && 'error' in outcome && outcome.error instanceof CancelledError,
      `the second page ends cancelled while the count still runs: ${outcome === 'still waiting' ? outcome : JSON.stringify(outcome)}`);
    assert.equal(engine.asks[0].signal?.aborted, false, 'the count runs on for the first page');
    engine.release();
    assert.deepEqual((await first).rows, await expectedRows(0), 'the first page');
    assert.equal(engine.asks.length, 1, 'the groups per date were counted once');
  });

  test('both pages cancelled: the count is cancelled too, and the next answer counts afresh', async () => {
    const { engine, data, a, b, first, second } = await firstAndSecondPage();
    a.abort();
    await assert.rejects(first, CancelledError);
    assert.equal(engine.asks[0].signal?.aborted, false, 'one answer still waits for the count');
    b.abort();
    await assert.rejects(second, CancelledError);
    assert.equal(engine.asks[0].signal?.aborted, true, 'nobody waits for the count: it is cancelled');
    const again = data.salesDetail(1, 1);
    await engine.asked(2);
    engine.release();
    assert.deepEqual((await again).rows, await expectedRows(1));
    assert.equal(engine.asks.length, 2, 'counted again, not joined to the cancelled count');
  });

  test('a count that fails fails every answer waiting for it, and the next answer counts afresh', async () => {
    const { engine, data, first, second } = await firstAndSecondPage();
    engine.fail(new LabError('queryFailed', 'the lake went away'));
    for (const answer of [first, second]) await assert.rejects(answer, /the lake went away/);
    const again = data.salesDetail(0, 1);
    await engine.asked(2);
    engine.release();
    assert.deepEqual((await again).rows, await expectedRows(0));
  });
});

suite('dashboard: cancelling one card does not fail the others waiting for the same lake model', function () {
  this.timeout(30_000);
  let lakeDir: string;
  let duckdb: DuckDbLakeEngine;

  suiteSetup(async () => {
    lakeDir = await buildTestLake({ manifest: RUN_MANIFEST as unknown as Record<string, unknown> });
    duckdb = new DuckDbLakeEngine(lakeDir);
  });
  suiteTeardown(async () => {
    await duckdb?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('the card that asked for the model first is cancelled: it ends cancelled, the other card gets its rows', async () => {
    const engine = new HoldingEngine(duckdb, QUERIES.dimLocationsColumns.sql('star-v1'));
    const data = new DashboardData(engine);
    const a = new AbortController();
    const cancelled = data.dataset({ id: 'kpis' }, a.signal);
    await engine.asked();
    const other = data.dataset({ id: 'salesByProductLine' });
    other.catch(() => undefined);
    a.abort();
    await assert.rejects(cancelled, CancelledError);
    engine.release();
    const answer = await other;
    assert.deepEqual(answer.rows, (await new DashboardData(duckdb).dataset({ id: 'salesByProductLine' })).rows);
    assert.equal(engine.asks.length, 1, 'the model was asked once, for both cards');
    assert.notEqual(engine.asks[0].signal?.aborted, true, 'the shared question was not cancelled with the first card');
  });

  test('a detailed sales answer waiting for the other cards to finish stops waiting at once when cancelled', async () => {
    const engine = new HoldingEngine(duckdb, QUERIES.kpis.sql('star-v1'));
    const data = new DashboardData(engine, localManifestReader(lakeDir));
    const busy = data.dataset({ id: 'kpis' });
    await engine.asked();
    const c = new AbortController();
    let partial = false;
    // The first page is shown at once (partial); the count of groups per date waits until the kpis card is done.
    const detail = data.salesDetail(0, 1, c.signal, () => { partial = true; });
    while (!partial) await delay(10);
    c.abort();
    const outcome = await settledWithin(detail, delay(2000));
    assert.ok(outcome !== 'still waiting' && 'error' in outcome && outcome.error instanceof CancelledError,
      `cancelled while the kpis card still runs: ${outcome === 'still waiting' ? outcome : JSON.stringify(outcome)}`);
    engine.release();
    assert.ok((await busy).rows.length > 0, 'the kpis card still gets its rows');
  });
});
