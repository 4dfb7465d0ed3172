import { constants as fsConstants, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError, type NextStep } from '../errors';
import { readLockFile, tryLockFile, type LockFileOptions, type LockHolder } from '../lock';
import { lakePathProblem } from './lakePath';
import { goldDir, manifestPath } from './manifest';
import { RUN_LOG } from './runLog';

/**
 * The lake's write discipline: a run writes into `<lake>/.tmp-<runId>/gold`, then swaps it for `<lake>/gold`
 * with two renames on the same file system. Readers see the old tables or the new ones, never a mix; a failed
 * or cancelled run deletes its temp folder and leaves `gold/` as it was.
 */
const TEMP_PREFIX = '.tmp-';
const OLD_PREFIX = '.old-';
const LOCK = '.pipeline.lock';

const LAKE_SETTING: NextStep = { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.local.lakeDir' };

export function notWritable(lakeDir: string, err: unknown): LabError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const reason = code === 'ENOSPC' ? 'the disk is full' : code ? `${code}` : (err as Error).message;
  return new LabError('lakeNotWritable', `The lake folder ${lakeDir} is not writable (${reason}).`, { nextStep: LAKE_SETTING, cause: err });
}

/** A folder a run must not write into; `why` follows the folder's name. */
function notALake(lakeDir: string, why: string): LabError {
  return new LabError('notALake',
    `The lake folder ${lakeDir} ${why}. A lake needs a folder of its own: a new or empty one, or one a run wrote before.`,
    { nextStep: LAKE_SETTING });
}

/** statfs magic numbers (linux/magic.h) of pseudo-filesystems, wherever they are mounted. */
const PSEUDO_FS = new Set([
  0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x1cd1 /* devpts */, 0x27e0eb /* cgroup */, 0x63677270 /* cgroup2 */,
  0x64626720 /* debugfs */, 0x74726163 /* tracefs */, 0x73636673 /* securityfs */, 0x6165676c /* pstore */, 0xcafe4a11 /* bpf */,
  0x62656570 /* configfs */, 0xde5e81e4 /* efivarfs */, 0x65735543 /* fusectl */, 0x42494e4d /* binfmt_misc */,
  0x6e736673 /* nsfs */, 0x19800202 /* mqueue */,
]);

/** What a run itself keeps in a lake folder: gold/, its run log, its lock, and its temp and swapped-out folders. */
function isLakeEntry(name: string): boolean {
  return name === 'gold' || name.startsWith(RUN_LOG) || name.startsWith(LOCK) || name.startsWith(TEMP_PREFIX) || name.startsWith(OLD_PREFIX);
}

function someNames(names: string[]): string {
  const sorted = [...names].sort();
  return sorted.length > 3 ? `${sorted.slice(0, 3).join(', ')} and ${sorted.length - 3} more` : sorted.join(', ');
}

/**
 * Refuses a lake folder a run must not touch, before anything in it is created, moved or deleted: the filesystem root,
 * a system folder, a pseudo-filesystem (by its path, by where a symlink leads, or by the file system's type), a place
 * that cannot be written, and a folder that is not a lake. A lake proves it is one by its manifest
 * (`gold/_manifest.json`) or by holding nothing but what a run keeps there; a missing or empty folder becomes one.
 */
export async function assertLakeFolder(lakeDir: string): Promise<void> {
  const dir = path.resolve(lakeDir);
  const byPath = lakePathProblem(dir);
  if (byPath) throw notALake(lakeDir, byPath);
  // The nearest folder that exists: the lake itself, or where it will be created.
  let existing = dir;
  let stat: Stats | undefined;
  while (!(stat = await fs.stat(existing).catch(() => undefined)) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  if (!stat) return;
  const real = path.join(await fs.realpath(existing).catch(() => existing), path.relative(existing, dir));
  const byRealPath = real !== dir ? lakePathProblem(real) : undefined;
  if (byRealPath) throw notALake(lakeDir, `(${real}) ${byRealPath}`);
  const type = await fs.statfs(existing).then((s) => s.type, () => undefined);
  if (type !== undefined && PSEUDO_FS.has(type)) throw notALake(lakeDir, `is on a pseudo-filesystem (at ${existing}), where nothing is stored`);
  // A file in the way: creating the folder fails and says so (lakeNotWritable).
  if (!stat.isDirectory()) return;
  try {
    await fs.access(existing, fsConstants.W_OK | fsConstants.X_OK);
  } catch (err) {
    throw notWritable(lakeDir, err);
  }
  if (existing === dir) await assertLakeContents(lakeDir);
}

async function assertLakeContents(lakeDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(lakeDir);
  } catch (err) {
    throw notWritable(lakeDir, err);
  }
  if (entries.includes('gold')) {
    if ((await fs.stat(manifestPath(lakeDir)).catch(() => undefined))?.isFile()) return;
    const gold = await fs.readdir(goldDir(lakeDir)).catch(() => undefined);
    if (!gold) throw notALake(lakeDir, 'is not a lake: its gold is not a folder');
    if (gold.length > 0) {
      throw notALake(lakeDir, `is not a lake: its gold/ folder holds ${someNames(gold)} but no lake manifest (gold/_manifest.json), and a run replaces gold/ whole`);
    }
  }
  const foreign = entries.filter((e) => !isLakeEntry(e));
  if (foreign.length > 0) throw notALake(lakeDir, `is not a lake: it holds ${someNames(foreign)} and no lake manifest (gold/_manifest.json)`);
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
 * Takes the lake's run lock (one run per lake at a time), once the folder has proved it may be a lake (assertLakeFolder):
 * every writer of a lake comes through here first. Returns its release function. It is the heartbeat lock of
 * core/lock.ts: a holder that died, or has not touched the lock for LOCK_STALE_MS, is taken over with a log line;
 * a live one makes this throw lakeBusy with Retry.
 */
export async function lockLake(lakeDir: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  await assertLakeFolder(lakeDir);
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
