import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Connection } from 'mysql2';
import type { MysqlTarget } from '../../src/core/config';
import type { LabError } from '../../src/core/errors';
import { SourceWatch } from '../../src/core/lake/sourceWatch';
import { FakeClock } from '../fakeClock';

const TARGET: MysqlTarget = { host: '10.1.2.3', port: 3306, user: 'admin', password: 'secret', database: 'classicmodels', tls: 'off', origin: 'settings' };

/** A connection stand-in: pings answer as told (or never), and 'error' can be emitted like a reset socket. */
class FakeConnection extends EventEmitter {
  pings = 0;
  answer: 'ok' | 'error' | 'never' = 'ok';
  ping(callback: (err: Error | null) => void): void {
    this.pings++;
    if (this.answer === 'ok') setImmediate(() => callback(null));
    else if (this.answer === 'error') setImmediate(() => callback(Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' })));
  }
}

function watch(conn: FakeConnection, clock: FakeClock, stallMs = 10_000) {
  const failures: LabError[] = [];
  const w = new SourceWatch(conn as unknown as Connection, { clock, target: TARGET, database: 'classicmodels', stallMs, pingEveryMs: 2_000, onFail: (e) => failures.push(e) });
  w.start();
  return { w, failures };
}

suite('source watch: a lost or silent source fails the run', () => {
  test('a source that answers its pings keeps the run alive', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection();
    const { w, failures } = watch(conn, clock);
    await clock.advance(60_000);
    assert.equal(failures.length, 0);
    assert.ok(conn.pings >= 25, `pinged every 2 s (${conn.pings})`);
    w.stop();
    assert.equal(clock.pending, 0, 'stop leaves no timer');
  });

  test('no rows and no answered ping for the stall time fails with a timeout naming the source', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection();
    conn.answer = 'never'; // a hung server or a dropped network: nothing comes back
    const { failures } = watch(conn, clock, 10_000);
    await clock.advance(9_000);
    assert.equal(failures.length, 0);
    await clock.advance(2_000);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].code, 'timeout');
    assert.match(failures[0].message, /classicmodels on 10\.1\.2\.3:3306 sent nothing for 1\d s/);
    assert.equal(conn.pings, 1, 'one ping in flight at a time');
    assert.equal(clock.pending, 0, 'the watch stops itself');
  });

  test('rows arriving count as life even when pings wait behind the stream', async () => {
    const clock = new FakeClock();
    const conn = new FakeConnection();
    conn.answer = 'never';
    const { w, failures } = watch(conn, clock, 10_000);
    for (let i = 0; i < 30; i++) {
      await clock.advance(1_000);
      w.alive();
    }
    assert.equal(failures.length, 0);
    w.stop();
  });

  test('a failed ping or a connection error fails at once as unreachable, once', async () => {
    for (const how of ['ping', 'event'] as const) {
      const clock = new FakeClock();
      const conn = new FakeConnection();
      const { failures } = watch(conn, clock);
      if (how === 'ping') {
        conn.answer = 'error';
        await clock.advance(2_000);
      } else {
        conn.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        conn.emit('error', Object.assign(new Error('again'), { code: 'ECONNRESET' }));
      }
      await clock.advance(1);
      assert.equal(failures.length, 1, how);
      assert.equal(failures[0].code, 'unreachable');
      assert.match(failures[0].message, /Lost the connection to the source classicmodels on 10\.1\.2\.3:3306/);
      assert.doesNotMatch(failures[0].message, /secret/);
    }
  });
});
