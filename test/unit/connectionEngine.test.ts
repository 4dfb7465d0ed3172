/**
 * The QueryEngine over one DuckDB connection (the pipeline's staging database): close() waits until every query asked
 * has settled, so its owner never closes the connection under a running statement (DuckDB deadlocks in that
 * statement, and the process never exits).
 */
import * as assert from 'node:assert/strict';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CancelledError } from '../../src/core/errors';
import { connectionEngine } from '../../src/core/query/connectionEngine';

suite('connectionEngine: close waits for every query asked', function () {
  this.timeout(60_000);
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;

  setup(async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  teardown(() => {
    connection.closeSync();
    instance.closeSync();
  });

  test('a caller that stopped at its first failure: close() resolves only once the query still running has settled', async () => {
    const engine = connectionEngine(connection, 'test');
    let longSettled = false;
    const failing = engine.query('select * from no_such_table');
    const long = engine.query('select count(*) as n from range(300000000) a where a.range % 7 = 3');
    void long.finally(() => { longSettled = true; });
    // As Promise.all does for the recorder: it gives up at the first failure while the other query runs on.
    await assert.rejects(Promise.all([failing, long]), /no_such_table/);
    assert.equal(longSettled, false, 'the long query is still running when its caller gave up');
    await engine.close();
    assert.equal(longSettled, true, 'close() waited for it');
    // 0 .. 299,999,999 holds 42,857,142 whole weeks and 6 numbers more (0 to 5, with a 3 among them).
    assert.equal((await long).rows[0][0], 42_857_143);
  });

  test('after close, a new query is refused as cancelled, and close() again resolves at once', async () => {
    const engine = connectionEngine(connection, 'test');
    assert.equal((await engine.query('select 42')).rows[0][0], 42);
    await engine.close();
    await assert.rejects(engine.query('select 1'), CancelledError);
    await engine.close();
  });
});
