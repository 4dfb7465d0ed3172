import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import type { DatasetResult } from '../../src/core/dashboard/model';
import { QUERIES } from '../../src/core/dashboard/queries';
import { DashboardData } from '../../src/core/dashboard/service';
import { CancelledError, LabError } from '../../src/core/errors';
import { localManifestReader } from '../../src/core/lake/lakeReaders';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import type { QueryParams, QueryResult } from '../../src/core/query/engine';
import { RecordingEngine } from '../recordingEngine';
import { buildTestLake, RUN_MANIFEST } from './dashboardLakeFixture';

/**
 * Holds every ask of one SQL text until the test releases them (the asks after that pass), or fails the ones held
 * (the asks after that are held again). A held ask honours its signal as an engine does: aborted, it ends with
 * CancelledError.
 */
class Gate {
  /** Each ask, with the signal it was asked under. */
  readonly asks: Array<{ signal?: AbortSignal }> = [];
  private open = false;
  private held: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private askWaiters: Array<{ times: number; resolve: () => void }> = [];

  /** Resolves once the SQL was asked `times` times in all. */
  asked(times = 1): Promise<void> {
    if (this.asks.length >= times) return Promise.resolve();
    return new Promise((resolve) => this.askWaiters.push({ times, resolve }));
  }

  /** Lets the held asks and every later one run. */
  release(): void {
    this.open = true;
    for (const ask of this.held.splice(0)) ask.resolve();
  }

  /** Fails the held asks with `err`. */
  fail(err: Error): void {
    for (const ask of this.held.splice(0)) ask.reject(err);
  }

  pass(signal: AbortSignal | undefined): Promise<void> {
    this.asks.push({ signal });
    for (const waiter of this.askWaiters.filter((w) => this.asks.length >= w.times)) waiter.resolve();
    this.askWaiters = this.askWaiters.filter((w) => this.asks.length < w.times);
    if (this.open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError('Query'));
      const ask = { resolve, reject };
      this.held.push(ask);
      signal?.addEventListener('abort', () => {
        this.held = this.held.filter((a) => a !== ask);
        reject(new CancelledError('Query'));
      }, { once: true });
    });
  }
}

/** DuckDB over the fixture lake, holding the queries of the SQL texts the test holds at a gate. */
class GateEngine extends RecordingEngine {
  private readonly gates = new Map<string, Gate>();

  hold(sql: string): Gate {
    const gate = new Gate();
    this.gates.set(sql, gate);
    return gate;
  }

  override async query(sql: string, params?: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    await this.gates.get(sql)?.pass(signal);
    return super.query(sql, params, signal);
  }
}

/** What became of an answer by the time `wait` is over: its result, its error, or "still waiting". */
async function settledWithin<T>(answer: Promise<T>, wait: Promise<void>): Promise<{ value: T } | { error: unknown } | 'still waiting'> {
  return Promise.race([answer.then((value) => ({ value }), (error: unknown) => ({ error })), wait.then(() => 'still waiting' as const)]);
}

/** Fails unless `answer` ends with CancelledError within a second (it must not wait for anything held). */
async function assertCancelledAtOnce(answer: Promise<unknown>, what: string): Promise<void> {
  const outcome = await settledWithin(answer, delay(1000));
  assert.ok(outcome !== 'still waiting' && 'error' in outcome && outcome.error instanceof CancelledError,
    `${what} ends cancelled at once: ${outcome === 'still waiting' ? outcome : JSON.stringify(outcome)}`);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ticks = async (n = 5) => { for (let i = 0; i < n; i++) await new Promise(setImmediate); };

/** The SQL reading the lake's model (the columns of dim_locations). */
const MODEL_SQL = QUERIES.dimLocationsColumns.sql('star-v1');

suite('dashboard: cancelling one card leaves the work it shared with others alone', function () {
  this.timeout(30_000);
  let lakeDir: string;
  let duckdb: DuckDbLakeEngine;
  let kpiRows: unknown[][];
  let firstPageRows: unknown[][];

  suiteSetup(async () => {
    lakeDir = await buildTestLake({ manifest: RUN_MANIFEST as unknown as Record<string, unknown> });
    duckdb = new DuckDbLakeEngine(lakeDir);
    const plain = new DashboardData(duckdb);
    kpiRows = (await plain.dataset({ id: 'kpis' })).rows;
    firstPageRows = (await plain.salesDetail(0, 1)).rows;
  });
  suiteTeardown(async () => {
    await duckdb?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('the model: the card that started reading it cancelled, the other cards waiting for it still get their answers; it is read once', async () => {
    const engine = new GateEngine(duckdb);
    const read = engine.hold(MODEL_SQL);
    const data = new DashboardData(engine);
    const a = new AbortController();
    const b = new AbortController();
    const first = data.model(a.signal);
    await read.asked();
    const card = data.dataset({ id: 'kpis' }, b.signal);
    card.catch(() => undefined);
    await ticks();
    a.abort();
    await assertCancelledAtOnce(first, 'the cancelled caller');
    assert.equal(read.asks[0].signal?.aborted, false, 'the read runs on for the card still waiting');
    read.release();
    assert.deepEqual((await card).rows, kpiRows, 'the card that was not cancelled');
    assert.equal(await data.model(), 'star-v1', 'the model, cached');
    assert.equal(read.asks.length, 1, 'the model was read once');
  });

  test('the model: every card waiting for it cancelled, its read is cancelled and the next card reads it afresh', async () => {
    const engine = new GateEngine(duckdb);
    const read = engine.hold(MODEL_SQL);
    const data = new DashboardData(engine);
    const a = new AbortController();
    const b = new AbortController();
    const first = data.model(a.signal);
    const second = data.model(b.signal);
    await read.asked();
    a.abort();
    await assertCancelledAtOnce(first, 'the first caller');
    assert.equal(read.asks[0].signal?.aborted, false, 'one caller still waits for the read');
    b.abort();
    await assertCancelledAtOnce(second, 'the second caller');
    assert.equal(read.asks[0].signal?.aborted, true, 'nobody waits for the read: it is cancelled');
    const again = data.dataset({ id: 'kpis' });
    await read.asked(2);
    read.release();
    assert.deepEqual((await again).rows, kpiRows);
    assert.equal(read.asks.length, 2, 'read again, not joined to the cancelled read');
  });

  test('the model: a read that fails fails every card waiting for it, and the next card reads it again', async () => {
    const engine = new GateEngine(duckdb);
    const read = engine.hold(MODEL_SQL);
    const data = new DashboardData(engine);
    const first = data.model(new AbortController().signal);
    const card = data.dataset({ id: 'kpis' });
    await read.asked();
    await ticks();
    read.fail(new LabError('queryFailed', 'the lake went away'));
    for (const answer of [first, card]) await assert.rejects(answer, /the lake went away/);
    const again = data.model();
    await read.asked(2);
    read.release();
    assert.equal(await again, 'star-v1');
    assert.equal(read.asks.length, 2);
  });

  test('the model: a read dropped by invalidate() and then cancelled does not drop the read started after it', async () => {
    const engine = new GateEngine(duckdb);
    const read = engine.hold(MODEL_SQL);
    const data = new DashboardData(engine);
    const a = new AbortController();
    const stale = data.model(a.signal);
    await read.asked();
    data.invalidate();
    const fresh = data.model();
    await read.asked(2);
    a.abort();
    await assertCancelledAtOnce(stale, 'the caller of the dropped read');
    assert.equal(read.asks[0].signal?.aborted, true, 'nobody waits for the dropped read: it is cancelled');
    read.release();
    assert.equal(await fresh, 'star-v1');
    assert.equal(await data.model(), 'star-v1');
    assert.equal(read.asks.length, 2, 'the read started after invalidate() stays cached');
  });

  /**
   * As on the dashboard: the KPI card's query runs (held) while the detailed sales' first page, asked with
   * `onPartial` on a lake run whose groups per date are not counted yet, shows its early rows and then waits for the
   * other cards' queries before counting. Resolves once the early first page was shown.
   */
  async function firstPageWaitingForQuiet(signal?: AbortSignal) {
    const engine = new GateEngine(duckdb);
    const data = new DashboardData(engine, localManifestReader(lakeDir));
    const model = await data.model();
    const kpiQuery = engine.hold(QUERIES.kpis.sql(model));
    const count = engine.hold(QUERIES.salesDetailDates.sql(model));
    const kpis = data.dataset({ id: 'kpis' });
    await kpiQuery.asked();
    const partials: DatasetResult[] = [];
    const page = data.salesDetail(0, 1, signal, (partial) => partials.push(partial));
    page.catch(() => undefined);
    for (let waited = 0; waited < 5000 && !partials.length; waited += 5) await delay(5);
    assert.equal(partials.length, 1, 'the early first page was shown');
    await ticks();
    return { data, kpiQuery, count, kpis, page };
  }

  test('the first page cancelled while it waits for the other cards\' queries: it ends at once; they run on', async () => {
    const a = new AbortController();
    const { data, kpiQuery, count, kpis, page } = await firstPageWaitingForQuiet(a.signal);
    a.abort();
    await assertCancelledAtOnce(page, 'the cancelled first page');
    assert.equal(count.asks.length, 0, 'the cancelled page started no count');
    kpiQuery.release();
    assert.deepEqual((await kpis).rows, kpiRows, 'the KPI card');
    // The cancelled page no longer waits: a first page asked now counts at once.
    count.release();
    const again = await data.salesDetail(0, 1, undefined, () => undefined);
    assert.deepEqual(again.rows, firstPageRows, 'the first page asked again');
    assert.equal(count.asks.length, 1);
  });

  test('the first page not cancelled: its count still waits until the other cards\' queries are done', async () => {
    const { kpiQuery, count, kpis, page } = await firstPageWaitingForQuiet();
    await ticks(20);
    assert.equal(count.asks.length, 0, 'no count while the KPI card\'s query runs');
    count.release();
    kpiQuery.release();
    await count.asked();
    assert.deepEqual((await kpis).rows, kpiRows);
    const answer = await page;
    assert.deepEqual(answer.rows, firstPageRows);
  });
});
