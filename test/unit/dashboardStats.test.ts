import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import type { DatasetResult } from '../../src/core/dashboard/model';
import { QUERIES } from '../../src/core/dashboard/queries';
import { DashboardData } from '../../src/core/dashboard/service';
import { localManifestReader } from '../../src/core/lake/lakeReaders';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import type { QueryParams, QueryResult } from '../../src/core/query/engine';
import { RecordingEngine, type RecordingEngineOptions } from '../recordingEngine';
import { buildTestLake, RUN_MANIFEST } from './dashboardLakeFixture';

/**
 * DuckDB over the fixture lake, billed as Athena bills: the n-th query reports its own engine time, bytes scanned and
 * cost, a different amount each, so an answer that reports one of its queries instead of all of them shows.
 */
const BILLED: RecordingEngineOptions = {
  kind: 'athena', description: 'DuckDB over the fixture lake, billed per query',
  bill: (n) => ({ elapsedMs: 10 * n, bytesScanned: 1000 * n + 24, costUsd: n * 1e-6 }),
};

/** The billed engine, holding the next query of one SQL text back until the test releases it. */
class HoldingEngine extends RecordingEngine {
  private held?: { sql: string; asked: () => void; released: Promise<void> };

  /** `asked` resolves when the query is asked (and held); `release` lets it run. */
  hold(sql: string): { asked: Promise<void>; release: () => void } {
    let asked = () => {};
    let release = () => {};
    const wasAsked = new Promise<void>((resolve) => { asked = resolve; });
    this.held = { sql, asked, released: new Promise<void>((resolve) => { release = resolve; }) };
    return { asked: wasAsked, release };
  }

  override async query(sql: string, params?: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    const held = this.held;
    if (held?.sql === sql) {
      this.held = undefined;
      held.asked();
      await held.released;
    }
    return super.query(sql, params, signal);
  }
}

/** What the card must show for these queries: their engine times, bytes and costs added up. */
function assertSumOf(result: DatasetResult, queries: QueryResult[], what: string): void {
  assert.ok(queries.length > 0, `${what}: queries ran`);
  assert.equal(result.elapsedMs, queries.reduce((s, q) => s + q.stats.elapsedMs, 0), `${what}: engine time of ${queries.length} queries`);
  assert.equal(result.bytesScanned, queries.reduce((s, q) => s + (q.stats.bytesScanned ?? NaN), 0), `${what}: bytes scanned by ${queries.length} queries`);
  const cost = queries.reduce((s, q) => s + (q.stats.costUsd ?? NaN), 0);
  assert.ok(Math.abs((result.costUsd ?? NaN) - cost) <= cost * 1e-9, `${what}: cost ${result.costUsd} of ${queries.length} queries, ${cost} expected`);
}

suite('dashboard cards made of several queries: engine time, bytes scanned and cost added up', function () {
  this.timeout(30_000);
  let lakeDir: string;
  let duckdb: DuckDbLakeEngine;
  let engine: RecordingEngine;

  /** A dashboard whose lake model is already known (that query is asked once for every card). */
  async function dashboard(): Promise<DashboardData> {
    const data = new DashboardData(engine, localManifestReader(lakeDir));
    await data.model();
    return data;
  }

  suiteSetup(async () => {
    lakeDir = await buildTestLake({ manifest: RUN_MANIFEST as unknown as Record<string, unknown> });
    duckdb = new DuckDbLakeEngine(lakeDir);
    engine = new RecordingEngine(duckdb, BILLED);
  });
  suiteTeardown(async () => {
    await duckdb?.close();
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('a card of one query shows that query', async () => {
    const data = await dashboard();
    const from = engine.answers.length;
    const kpis = await data.dataset({ id: 'kpis' });
    assert.equal(engine.answers.length - from, 1);
    assertSumOf(kpis, engine.answers.slice(from), 'kpis');
  });

  test('the filter options: their three queries', async () => {
    const data = await dashboard();
    const from = engine.answers.length;
    const options = await data.dataset({ id: 'filterOptions' });
    assert.equal(engine.answers.length - from, 3);
    assertSumOf(options, engine.answers.slice(from), 'filterOptions');
  });

  test('the detailed sales: the first page served early shows its queries, the whole answer all of them; a later page its own', async () => {
    const data = await dashboard();
    const from = engine.answers.length;
    const partials: Array<{ result: DatasetResult; queries: number }> = [];
    const whole = await data.salesDetail(0, 1, undefined, (result) => partials.push({ result, queries: engine.answers.length }));
    assert.equal(partials.length, 1, 'the first page came before the groups were counted');
    const [early] = partials;
    assertSumOf(early.result, engine.answers.slice(from, early.queries), 'the early first page (date range, then a page)');
    assert.ok(engine.answers.length - early.queries >= 2, 'then the dates were counted and a page asked');
    assertSumOf(whole, engine.answers.slice(from), 'the whole first page');

    // The dates are counted once per run: the next page is one query.
    const next = engine.answers.length;
    const second = await data.salesDetail(1, 1);
    assert.equal(engine.answers.length - next, 1);
    assertSumOf(second, engine.answers.slice(next), 'the second page');
  });

  test('the detailed sales: a page that waited for the count of groups per date another answer started shows it too; it runs once', async () => {
    // As on the dashboard: the first page (asked ahead) starts counting the groups per date, and Next asks for the
    // second page while the count runs. The second page's answer waited for the count, so its card shows it as well.
    const reads: Array<Promise<unknown>> = [];
    const readManifest = localManifestReader(lakeDir);
    const holding = new HoldingEngine(duckdb, BILLED);
    const data = new DashboardData(holding, () => {
      const read = readManifest();
      reads.push(read);
      return read;
    });
    const datesSql = QUERIES.salesDetailDates.sql(await data.model());
    const count = holding.hold(datesSql);
    const from = holding.answers.length;
    const first = data.salesDetail(0, 1, undefined, () => undefined);
    await count.asked;
    const readsBefore = reads.length;
    const second = data.salesDetail(1, 1);
    // The second page reads the run off the manifest, then finds the count running: it waits for nothing else.
    while (reads.length === readsBefore) await new Promise(setImmediate);
    await reads[readsBefore];
    await new Promise(setImmediate);
    count.release();
    const [whole, next] = await Promise.all([first, second]);

    const ran = holding.answers.slice(from);
    const counts = ran.filter((a) => a.sql === datesSql);
    assert.equal(counts.length, 1, 'the groups per date were counted once');
    const secondPage = ran.filter((a) => a.params?.offset === 1);
    assert.equal(secondPage.length, 1, 'one page query for the second page');
    assertSumOf(next, [...counts, ...secondPage], 'the second page (the count it waited for, then its page)');
    assertSumOf(whole, ran.filter((a) => !secondPage.includes(a)), 'the whole first page (date range, a page, the count, the page)');
  });

  test('the detailed sales without a run manifest: its one query', async () => {
    const data = new DashboardData(engine);
    await data.model();
    const from = engine.answers.length;
    const page = await data.dataset({ id: 'salesDetail', page: 0 });
    assert.equal(engine.answers.length - from, 1);
    assertSumOf(page, engine.answers.slice(from), 'salesDetail');
  });

  test('the lake status: its queries', async () => {
    const data = await dashboard();
    const from = engine.answers.length;
    const status = await data.dataset({ id: 'lakeStatus' });
    assert.ok(engine.answers.length - from >= 2, 'the model and the fact rows at least');
    assertSumOf(status, engine.answers.slice(from), 'lakeStatus');
  });

  test('an engine that bills nothing: no bytes or cost on a card of several queries', async () => {
    const data = new DashboardData(duckdb, localManifestReader(lakeDir));
    for (const result of [await data.dataset({ id: 'filterOptions' }), await data.salesDetail(0, 1, undefined, () => undefined)]) {
      assert.ok(!('bytesScanned' in result) && !('costUsd' in result), `${result.id}: ${JSON.stringify(Object.keys(result))}`);
      assert.ok(result.elapsedMs >= 0);
    }
  });
});
