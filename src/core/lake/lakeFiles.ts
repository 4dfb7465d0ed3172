import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../errors';
import { readLockFile, tryLockFile, type LockFileOptions, type LockHolder } from '../lock';
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

export { LOCK_HEARTBEAT_MS, LOCK_STALE_MS } from '../lock';

/** What the lock file says about its holder. */
export type LakeLockHolder = LockHolder;

export type LockOptions = LockFileOptions;

/** The lock's holder, or undefined when the lake is not locked (or the lock file is unreadable). */
export function readLakeLock(lakeDir: string): Promise<(LakeLockHolder & { touchedAt: number }) | undefined> {
  return readLockFile(path.join(lakeDir, LOCK));
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
 * Takes the lake's run lock (one run per lake at a time); returns its release function. It is the heartbeat lock of
 * core/lock.ts: a holder that died, or has not touched the lock for LOCK_STALE_MS, is taken over with a log line;
 * a live one makes this throw lakeBusy with Retry.
 */
export async function lockLake(lakeDir: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  try {
    await fs.mkdir(lakeDir, { recursive: true });
  } catch (err) {
    throw notWritable(lakeDir, err);
  }
  const lock = path.join(lakeDir, LOCK);
  let attempt;
  try {
    attempt = await tryLockFile(lock, { ...options, label: 'lake lock' });
  } catch (err) {
    throw notWritable(lakeDir, err);
  }
  if ('release' in attempt) return attempt.release;
  if (attempt.busy) throw lakeBusyError(lakeDir, attempt.busy);
  throw new LabError('lakeBusy', `The lake lock ${lock} could not be taken.`, { nextStep: { label: 'Retry', command: 'lifecycleLab.pipeline.run' } });
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
