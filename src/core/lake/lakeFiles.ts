import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { systemClock, type Clock } from '../clock';
import { LabError } from '../errors';
import type { Logger } from '../log';
import { processAlive } from '../lab/state';
import { goldDir } from './manifest';

/**
 * The lake's write discipline: a run writes into `<lake>/.tmp-<runId>/gold`, then swaps it for `<lake>/gold`
 * with two renames on the same file system. Readers see the old tables or the new ones, never a mix; a failed
 * or cancelled run deletes its temp folder and leaves `gold/` as it was.
 */
const TEMP_PREFIX = '.tmp-';
const OLD_PREFIX = '.old-';
const LOCK = '.pipeline.lock';

export function notWritable(lakeDir: string, err: unknown): LabError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const reason = code === 'ENOSPC' ? 'the disk is full' : code ? `${code}` : (err as Error).message;
  return new LabError('lakeNotWritable', `The lake folder ${lakeDir} is not writable (${reason}).`, {
    nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.local.lakeDir' },
    cause: err,
  });
}

/** How often the holder of the lake lock touches it, and how old a lock may get before it counts as abandoned. */
export const LOCK_HEARTBEAT_MS = 5_000;
export const LOCK_STALE_MS = 30_000;

/** What the lock file says about its holder. */
export interface LakeLockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
}

export interface LockOptions {
  clock?: Clock;
  log?: Logger;
  /** A lock not touched for this long is stale and taken over (default LOCK_STALE_MS). */
  staleMs?: number;
  heartbeatMs?: number;
}

/** The lock's holder, or undefined when the lake is not locked (or the lock file is unreadable). */
export async function readLakeLock(lakeDir: string): Promise<(LakeLockHolder & { touchedAt: number }) | undefined> {
  const lock = path.join(lakeDir, LOCK);
  try {
    const [text, st] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock)]);
    return { ...parseHolder(text), touchedAt: st.mtimeMs };
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): LakeLockHolder {
  try {
    const parsed = JSON.parse(text) as Partial<LakeLockHolder>;
    if (typeof parsed === 'object' && parsed && typeof parsed.pid === 'number') {
      return { pid: parsed.pid, hostname: String(parsed.hostname ?? ''), startedAt: String(parsed.startedAt ?? '') };
    }
  } catch {
    // an older lock file holds just the pid
  }
  return { pid: Number(text) || 0, hostname: '', startedAt: '' };
}

/** The run that holds the lake, as the user sees it. */
export function lakeBusyError(lakeDir: string, holder: LakeLockHolder): LabError {
  const who = holder.pid === process.pid && holder.hostname === os.hostname() ? 'this process' : `process ${holder.pid}`;
  const since = holder.startedAt ? `, started ${holder.startedAt}` : '';
  return new LabError('lakeBusy', `Another run (${who}${since}) is writing the lake ${lakeDir}. Retry when it has finished.`, {
    nextStep: { label: 'Retry', command: 'lifecycleLab.pipeline.run' },
  });
}

/**
 * Takes the lake's run lock (one run per lake at a time); returns its release function. The holder proves it is
 * alive by touching the lock every few seconds (a heartbeat), so a lock whose holder died, hung or lost its window
 * goes stale after LOCK_STALE_MS and is taken over, with a log line, instead of keeping everyone out. A lock of a
 * process on this machine that no longer exists is taken over at once.
 */
export async function lockLake(lakeDir: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const clock = options.clock ?? systemClock;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  try {
    await fs.mkdir(lakeDir, { recursive: true });
  } catch (err) {
    throw notWritable(lakeDir, err);
  }
  const lock = path.join(lakeDir, LOCK);
  const me: LakeLockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date(clock.now()).toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(lock, JSON.stringify(me), { flag: 'wx' });
      return startHeartbeat(lock, clock, options.heartbeatMs ?? LOCK_HEARTBEAT_MS);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw notWritable(lakeDir, err);
    }
    const holder = await readLakeLock(lakeDir);
    if (!holder) continue; // released meanwhile
    const sameHost = !holder.hostname || holder.hostname === os.hostname();
    const dead = sameHost && !(holder.pid > 0 && processAlive(holder.pid));
    const silentMs = clock.now() - holder.touchedAt;
    if (!dead && silentMs < staleMs) throw lakeBusyError(lakeDir, holder);
    options.log?.warn(dead
      ? `Took over the lake lock of process ${holder.pid}, which no longer runs (${lock}).`
      : `Took over the lake lock of process ${holder.pid}: no heartbeat for ${Math.round(silentMs / 1000)} s (${lock}).`);
    await fs.rm(lock, { force: true });
  }
  throw new LabError('lakeBusy', `The lake lock ${lock} could not be taken.`, { nextStep: { label: 'Retry', command: 'lifecycleLab.pipeline.run' } });
}

function startHeartbeat(lock: string, clock: Clock, everyMs: number): () => Promise<void> {
  let released = false;
  const beat = clock.setInterval(() => {
    const now = new Date(clock.now());
    // A failed touch is retried on the next beat; the lock only goes stale after several missed ones.
    fs.utimes(lock, now, now).catch(() => undefined);
  }, everyMs);
  return async () => {
    if (released) return;
    released = true;
    beat.cancel();
    await fs.rm(lock, { force: true });
  };
}

/**
 * Tidies what an interrupted run (a killed process) can leave: restores `gold/` if the process died between
 * the two renames, and removes temp folders. Only called while holding the lock.
 */
export async function recoverLake(lakeDir: string): Promise<void> {
  const entries = await fs.readdir(lakeDir).catch(() => [] as string[]);
  const gold = goldDir(lakeDir);
  const goldExists = entries.includes('gold');
  const olds = entries.filter((e) => e.startsWith(OLD_PREFIX)).sort();
  if (!goldExists && olds.length > 0) {
    await fs.rename(path.join(lakeDir, olds[olds.length - 1]), gold);
    olds.pop();
  }
  for (const e of entries.filter((x) => x.startsWith(TEMP_PREFIX)).concat(olds)) {
    await fs.rm(path.join(lakeDir, e), { recursive: true, force: true });
  }
}

export function tempRunDir(lakeDir: string, runId: string): string {
  return path.join(lakeDir, `${TEMP_PREFIX}${runId}`);
}

/** Swaps a fully written gold folder in place of the current one. */
export async function swapInGold(lakeDir: string, stagedGold: string, runId: string): Promise<void> {
  const gold = goldDir(lakeDir);
  const old = path.join(lakeDir, `${OLD_PREFIX}${runId}`);
  let movedOld = false;
  try {
    await fs.rename(gold, old);
    movedOld = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw notWritable(lakeDir, err);
  }
  try {
    await fs.rename(stagedGold, gold);
  } catch (err) {
    if (movedOld) await fs.rename(old, gold);
    throw notWritable(lakeDir, err);
  }
  if (movedOld) await fs.rm(old, { recursive: true, force: true });
}

/** Whether any temp or half-swapped folder of a run is present (tests assert there is none). */
export async function leftoverRunDirs(lakeDir: string): Promise<string[]> {
  const entries = await fs.readdir(lakeDir).catch(() => [] as string[]);
  return entries.filter((e) => e.startsWith(TEMP_PREFIX) || e.startsWith(OLD_PREFIX));
}
