import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LabError } from '../errors';
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

/** Takes the lake's run lock (one run per lake at a time); returns its release function. */
export async function lockLake(lakeDir: string): Promise<() => Promise<void>> {
  try {
    await fs.mkdir(lakeDir, { recursive: true });
  } catch (err) {
    throw notWritable(lakeDir, err);
  }
  const lock = path.join(lakeDir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rm(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw notWritable(lakeDir, err);
      const holder = Number(await fs.readFile(lock, 'utf8').catch(() => ''));
      if (holder && holder !== process.pid && processAlive(holder)) {
        throw new LabError('lakeNotWritable', `Another pipeline run (process ${holder}) is writing the lake ${lakeDir}.`, {
          nextStep: { label: 'Cancel Pipeline Run', command: 'lifecycleLab.pipeline.cancel' },
        });
      }
      if (holder === process.pid) {
        throw new LabError('lakeNotWritable', `A pipeline run is already writing the lake ${lakeDir}.`, {
          nextStep: { label: 'Cancel Pipeline Run', command: 'lifecycleLab.pipeline.cancel' },
        });
      }
      await fs.rm(lock, { force: true }); // left by a process that died
    }
  }
  throw new LabError('lakeNotWritable', `The lake lock ${lock} could not be taken.`);
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
