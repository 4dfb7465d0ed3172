import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { sleep, systemClock, type Clock } from './clock';
import { throwIfCancelled } from './errors';
import type { Logger } from './log';
import { processAlive } from './lab/state';

/**
 * The one pid lock file: created exclusively, holding a small JSON record of its holder. The holder proves it is alive
 * by touching the file every few seconds (a heartbeat), so a lock whose holder died, hung or lost its window goes
 * stale and is taken over, with a log line, instead of keeping everyone out. A lock of a process on this machine that
 * no longer exists is taken over at once. The lake's run lock and the local lab's operation lock both use it.
 */

/** How often a holder touches its lock, and how long a lock may go untouched before it counts as abandoned. */
export const LOCK_HEARTBEAT_MS = 5_000;
export const LOCK_STALE_MS = 30_000;

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
}

export interface LockFileOptions {
  clock?: Clock;
  log?: Logger;
  /** A lock not touched for this long is stale and taken over (default LOCK_STALE_MS). */
  staleMs?: number;
  heartbeatMs?: number;
  /** How log lines name the lock ("lake lock"). */
  label?: string;
}

/** Releases the lock (idempotent) and stops its heartbeat. */
export type ReleaseLock = () => Promise<void>;

/** Either the lock, or who keeps it (undefined when it changed hands while we looked). */
export type LockAttempt = { release: ReleaseLock } | { busy: (LockHolder & { touchedAt: number }) | undefined };

/** The lock's holder and when it was last touched, or undefined when there is no lock (or it is unreadable). */
export async function readLockFile(file: string): Promise<(LockHolder & { touchedAt: number }) | undefined> {
  try {
    const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { ...parseLockHolder(text), touchedAt: st.mtimeMs };
  } catch {
    return undefined;
  }
}

/** The JSON record; a lock file of an older version holds just the pid, and one being written holds nothing yet (pid 0). */
export function parseLockHolder(text: string): LockHolder {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed === 'object' && parsed && typeof parsed.pid === 'number') {
      return { pid: parsed.pid, hostname: String(parsed.hostname ?? ''), startedAt: String(parsed.startedAt ?? '') };
    }
  } catch {
    // not JSON: the pid alone
  }
  return { pid: Number(text) || 0, hostname: '', startedAt: '' };
}

/**
 * One try at the lock: a live holder with a fresh heartbeat keeps it (returned as `busy`); a dead or silent one is
 * taken over. Errors other than "the file exists" (a folder that is not writable) are thrown as they are.
 */
export async function tryLockFile(file: string, options: LockFileOptions = {}): Promise<LockAttempt> {
  const clock = options.clock ?? systemClock;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const label = options.label ?? 'lock';
  const me: LockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date(clock.now()).toISOString() };
  let holder: (LockHolder & { touchedAt: number }) | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(me), { flag: 'wx' });
      return { release: startHeartbeat(file, clock, options.heartbeatMs ?? LOCK_HEARTBEAT_MS) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    holder = await readLockFile(file);
    if (!holder) continue; // released meanwhile
    const sameHost = !holder.hostname || holder.hostname === os.hostname();
    // pid 0: the holder created the file and has not written it yet; only its silence can make it stale.
    const dead = sameHost && holder.pid > 0 && !processAlive(holder.pid);
    const silentMs = clock.now() - holder.touchedAt;
    if (!dead && silentMs < staleMs) return { busy: holder };
    options.log?.warn(dead
      ? `Took over the ${label} of process ${holder.pid}, which no longer runs (${file}).`
      : `Took over the ${label} of process ${holder.pid}: no heartbeat for ${Math.round(silentMs / 1000)} s (${file}).`);
    await fs.rm(file, { force: true });
  }
  return { busy: holder };
}

/**
 * Takes the lock, waiting on the clock (every `pollMs`) while a live holder keeps it. `onWait` is called once, when
 * the wait starts. The signal cancels the wait with a CancelledError.
 */
export async function waitForLockFile(
  file: string,
  options: LockFileOptions & { signal?: AbortSignal; pollMs?: number; onWait?: (holder: LockHolder | undefined) => void } = {},
): Promise<ReleaseLock> {
  const clock = options.clock ?? systemClock;
  let waiting = false;
  for (;;) {
    throwIfCancelled(options.signal, `Waiting for the ${options.label ?? 'lock'}`);
    const attempt = await tryLockFile(file, options);
    if ('release' in attempt) return attempt.release;
    if (!waiting) options.onWait?.(attempt.busy);
    waiting = true;
    await sleep(clock, options.pollMs ?? 250, options.signal).catch(() => undefined);
  }
}

function startHeartbeat(file: string, clock: Clock, everyMs: number): ReleaseLock {
  let released = false;
  // One touch at a time, so they land in order and a slow filesystem never leaves an older time last; beats that come
  // while one is in flight make one more touch, with the time then, after it.
  let touching: Promise<void> | undefined;
  let again = false;
  const touch = (): void => {
    if (touching) {
      again = true;
      return;
    }
    const now = new Date(clock.now());
    // A failed touch is retried on the next beat; the lock only goes stale after several missed ones.
    touching = fs.utimes(file, now, now).catch(() => undefined).then(() => {
      touching = undefined;
      if (again && !released) {
        again = false;
        touch();
      }
    });
  };
  const beat = clock.setInterval(touch, everyMs);
  return async () => {
    if (released) return;
    released = true;
    beat.cancel();
    await touching;
    await fs.rm(file, { force: true });
  };
}
