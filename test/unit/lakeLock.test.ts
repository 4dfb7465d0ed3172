import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../../src/core/errors';
import { lockLake, readLakeLock } from '../../src/core/lake/lakeFiles';
import type { Logger } from '../../src/core/log';
import { FakeClock } from '../fakeClock';

const LOCK = '.pipeline.lock';

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
}

/** A lock file written by another, live process that holds it but never touches it again. */
async function foreignLock(lake: string, pid: number, ageMs: number): Promise<void> {
  const file = path.join(lake, LOCK);
  await fs.writeFile(file, JSON.stringify({ pid, hostname: os.hostname(), startedAt: '2026-11-30T08:00:00.000Z' }));
  const when = new Date(Date.now() - ageMs);
  await fs.utimes(file, when, when);
}

suite('lake lock: heartbeat and takeover', () => {
  let lake: string;
  let holder: ChildProcess;

  setup(async () => {
    lake = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-lock-'));
    // A real, live process that is not heartbeating: a hung or forgotten holder.
    holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  });

  teardown(async () => {
    holder.kill('SIGKILL');
    await fs.rm(lake, { recursive: true, force: true });
  });

  test('a live holder that stopped heartbeating is taken over after the stale time, with a log line', async () => {
    await foreignLock(lake, holder.pid!, 45_000);
    const log = recordingLog();
    const release = await lockLake(lake, { log });
    try {
      assert.equal((await readLakeLock(lake))?.pid, process.pid);
      assert.match(log.warnings.join('\n'), new RegExp(`Took over the lake lock of process ${holder.pid}: no heartbeat for 4\\d s`));
    } finally {
      await release();
    }
    assert.equal(await readLakeLock(lake), undefined, 'released');
  });

  test('a live holder with a fresh heartbeat keeps the lake, and the refusal names it and its start', async () => {
    await foreignLock(lake, holder.pid!, 2_000);
    await assert.rejects(lockLake(lake), (e: unknown) => e instanceof LabError && e.code === 'lakeBusy'
      && e.message.includes(`Another run (process ${holder.pid}, started 2026-11-30T08:00:00.000Z) is writing the lake`)
      && e.nextStep?.label === 'Retry' && e.nextStep.command === 'lifecycleLab.pipeline.run');
    assert.equal((await readLakeLock(lake))?.pid, holder.pid, 'the holder keeps its lock');
  });

  test('the holder touches the lock on every beat, so it never goes stale while held', async () => {
    const clock = new FakeClock(Date.now());
    const release = await lockLake(lake, { clock, heartbeatMs: 5_000 });
    try {
      const file = path.join(lake, LOCK);
      const first = (await fs.stat(file)).mtimeMs;
      await clock.advance(60_000);
      // utimes runs on the thread pool: give it a moment to land.
      for (let i = 0; i < 500 && (await fs.stat(file)).mtimeMs < first + 50_000; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok((await fs.stat(file)).mtimeMs >= first + 50_000, 'mtime follows the heartbeat');
      // Seen from another process at the clock's time, the lock is fresh.
      await assert.rejects(lockLake(lake, { clock }), (e: unknown) => e instanceof LabError && e.code === 'lakeBusy');
    } finally {
      await release();
    }
    assert.equal(clock.pending, 0, 'release stops the heartbeat');
  });

  test('an old-style lock holding a dead pid is replaced at once', async () => {
    // Written just now, so it is not stale: only the dead pid lets it be taken (999999999 is above any pid_max).
    await fs.writeFile(path.join(lake, LOCK), '999999999');
    const log = recordingLog();
    const release = await lockLake(lake, { log });
    try {
      const holder = await readLakeLock(lake);
      assert.deepEqual([holder?.pid, holder?.hostname], [process.pid, os.hostname()], 'the lock now names this process');
      assert.match(log.warnings.join('\n'), /Took over the lake lock of process 999999999, which no longer runs/);
    } finally {
      await release();
    }
    assert.equal(await readLakeLock(lake), undefined, 'released');
  });
});
