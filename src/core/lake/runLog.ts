import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { RunRecord } from '../run/runRecord';

/**
 * The lake's run log: one JSON line per finished run (succeeded, failed or cancelled), from any front end. The
 * manifest only describes the lake a successful run published; the log is how the editor shows a failed CLI run,
 * and every surface reads each step's counts from the same record. It sits beside `gold/` (which a run swaps) and
 * is only appended by the holder of the lake lock.
 */
export const RUN_LOG = '_runs.jsonl';
/** Older lines are dropped once the log is longer than this. */
const KEEP_RUNS = 200;

export function runLogPath(lakeDir: string): string {
  return path.join(lakeDir, RUN_LOG);
}

export async function appendRunRecord(lakeDir: string, record: RunRecord): Promise<void> {
  const file = runLogPath(lakeDir);
  await fs.appendFile(file, `${JSON.stringify(record)}\n`);
  const lines = (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean);
  if (lines.length > KEEP_RUNS) {
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, `${lines.slice(-KEEP_RUNS).join('\n')}\n`);
    await fs.rename(tmp, file);
  }
}

/** The recorded runs, oldest first; lines that do not parse (a torn write) are skipped. */
export async function readRunLog(lakeDir: string): Promise<RunRecord[]> {
  let text: string;
  try {
    text = await fs.readFile(runLogPath(lakeDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const records: RunRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as RunRecord;
      if (typeof r.runId === 'string' && Array.isArray(r.steps)) records.push(r);
    } catch {
      // a line cut short by a crash
    }
  }
  return records;
}

export async function lastRunRecord(lakeDir: string): Promise<RunRecord | undefined> {
  return (await readRunLog(lakeDir)).pop();
}
