import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LabError, throwIfCancelled, type NextStep } from '../errors';
import type { LongWork } from '../progress';
import type { LakeIntegrity } from '../query/lakeIntegrity';
import { isPlainName } from '../query/sqlText';
import { lockLake, recoverLake } from './lakeFiles';
import type { LakeCheck, LakeProblemKind, LakeTableCheck } from '../run/lakeCheck';
import type { LakeManifest, LakePart } from '../run/manifest';
import { goldDir, readLakeManifest } from './manifest';

/**
 * Whether the lake's files are the ones its last run wrote. The manifest records each file's size and SHA-256.
 * Three levels: 'quick' compares sizes (a few stat calls); 'open' (done whenever a lake version is opened: the
 * dashboard's engine, the Lake view) also checks each file's Parquet framing and, when the lake is at most
 * `hashMaxBytes`, every file's SHA-256, remembered per file until the file changes; 'full' hashes every file
 * (Verify Lake, `lifecycle-lab lake verify`). A manifest written before parts were recorded only has a table's total
 * bytes and file count, which the checks compare instead. bench/lake-open-checks.md has what each level costs.
 */
export interface LakeCheckOptions extends LongWork {
  /** Also hash every file and compare with the recorded SHA-256 (reads the whole lake). */
  full?: boolean;
  /** The manifest to check against; read from the lake when absent. */
  manifest?: LakeManifest | null;
  /**
   * The check on opening a lake version: sizes, each file's Parquet framing, and SHA-256 of every file when the files
   * the manifest records total at most `hashMaxBytes` (0: never).
   */
  onOpen?: { hashMaxBytes: number };
}

/** Lakes up to this size are hashed whole when a version is opened (above the scale-1000 lake: bench/lake-open-checks.md). */
export const OPEN_HASH_MAX_BYTES = 256 * 1024 * 1024;

const RUN_PIPELINE: NextStep = { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };
/** Codes lockLake refuses with: a live run holds the lock, the folder is not writable, or it is not a lake. */
const LOCK_REFUSED = ['lakeNotWritable', 'lakeBusy', 'notALake'];

/** SHA-256 (hex) of a file, streamed; an aborted signal stops the read with CancelledError. */
export async function sha256File(file: string, signal?: AbortSignal, onBytes?: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      throwIfCancelled(signal, 'Lake verification');
      hash.update(chunk as Buffer);
      onBytes?.((chunk as Buffer).length);
    }
  } finally {
    stream.destroy();
  }
  return hash.digest('hex');
}

/** What the manifest records for one written file (`file` relative to `tableDir`). */
export async function describePart(tableDir: string, file: string): Promise<LakePart> {
  const full = path.join(tableDir, file);
  const [stat, sha256] = await Promise.all([fs.stat(full), sha256File(full)]);
  return { file, bytes: stat.size, sha256 };
}

/** Compares the lake's files with its manifest: sizes always, checksums with `full`. */
export async function checkLake(lakeDir: string, options: LakeCheckOptions = {}): Promise<LakeCheck> {
  const { signal, full = false, onOpen } = options;
  const progress = options.onProgress ?? (() => {});
  const manifest = options.manifest === undefined ? await readLakeManifest(lakeDir).catch(() => undefined) : options.manifest ?? undefined;
  const gold = goldDir(lakeDir);
  const folders = await parquetFolders(gold);
  const names = new Set([...Object.keys(manifest?.tables ?? {}).filter((t) => isPlainName(t)), ...[...folders].filter(([, files]) => files.size > 0).map(([name]) => name)]);
  const tables: LakeTableCheck[] = [];
  /** Recorded files whose size is right: the ones a checksum can say more about. */
  const sized: Array<{ check: LakeTableCheck; part: LakePart; file: string }> = [];

  for (const table of [...names].sort()) {
    const dir = path.join(gold, table);
    const onDisk = folders.get(table) ?? new Map<string, number>();
    const check: LakeTableCheck = { table, files: onDisk.size, bytes: [...onDisk.values()].reduce((a, b) => a + b, 0), ok: true, problems: [] };
    tables.push(check);
    const recorded = manifest?.tables[table];
    if (!recorded) continue; // not written by the run the manifest describes: nothing to compare
    const problem = (file: string, kind: LakeProblemKind, message: string) =>
      check.problems.push({ table, file, path: file === '*' ? dir : path.join(dir, file), kind, message });
    if (Array.isArray(recorded.parts)) {
      const listed = new Set<string>();
      for (const part of recorded.parts) {
        listed.add(part.file);
        const size = onDisk.get(part.file);
        if (size === undefined) problem(part.file, 'missing', `${table}/${part.file} is missing.`);
        else if (size !== part.bytes) problem(part.file, 'size', `${table}/${part.file} is ${size} bytes; the run wrote ${part.bytes} (truncated or overwritten).`);
        else if (part.sha256) sized.push({ check, part, file: path.join(dir, part.file) });
      }
      for (const file of onDisk.keys()) {
        if (!listed.has(file)) problem(file, 'unexpected', `${table}/${file} is not one of the files the run wrote.`);
      }
    } else if (onDisk.size === 0) {
      problem('*', 'missing', `${table} has no Parquet files; the run wrote ${recorded.files}.`);
    } else if (check.bytes !== recorded.bytes || onDisk.size !== recorded.files) {
      const file = onDisk.size === 1 ? [...onDisk.keys()][0] : '*';
      problem(file, 'size', `${file === '*' ? `${table}'s files` : `${table}/${file}`} ${file === '*' ? 'are' : 'is'} ${check.bytes} bytes in ${onDisk.size} file${onDisk.size === 1 ? '' : 's'}; the run wrote ${recorded.bytes} bytes in ${recorded.files}.`);
    }
  }

  if (onOpen) {
    for (const check of tables) {
      const named = new Set(check.problems.map((p) => p.file));
      for (const file of [...(folders.get(check.table)?.keys() ?? [])].filter((f) => !named.has(f))) {
        const why = await parquetFramingProblem(path.join(gold, check.table, file));
        if (why) check.problems.push({ table: check.table, file, path: path.join(gold, check.table, file), kind: 'unreadable', message: `${check.table}/${file} is not a whole Parquet file: ${why}.` });
      }
    }
  }
  const framed = new Set(tables.flatMap((t) => t.problems.map((p) => p.path)));
  const sizedBytes = sized.reduce((a, h) => a + h.part.bytes, 0);
  const toHash = full ? sized : onOpen && sizedBytes <= onOpen.hashMaxBytes ? sized.filter((h) => !framed.has(h.file)) : [];
  const totalBytes = toHash.reduce((a, h) => a + h.part.bytes, 0);
  let hashed = 0;
  for (const { check, part, file } of toHash) {
    throwIfCancelled(signal, 'Lake verification');
    progress({ message: `Checksum ${check.table}/${part.file}`, fraction: totalBytes ? hashed / totalBytes : undefined });
    let actual: string;
    try {
      const onBytes = (n: number) => {
        hashed += n;
        progress({ message: `Checksum ${check.table}/${part.file}`, fraction: totalBytes ? Math.min(1, hashed / totalBytes) : undefined });
      };
      // Verify Lake reads every file whatever was seen before; opening trusts a hash taken of the very same file.
      actual = full ? await sha256File(file, signal, onBytes) : await rememberedSha256(file, signal);
    } catch (err) {
      if (err instanceof LabError) throw err;
      check.problems.push({ table: check.table, file: part.file, path: file, kind: 'missing', message: `${check.table}/${part.file} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).` });
      continue;
    }
    if (actual !== part.sha256.toLowerCase()) {
      check.problems.push({ table: check.table, file: part.file, path: file, kind: 'checksum', message: `${check.table}/${part.file} does not match the SHA-256 the run recorded (changed or corrupted).` });
    }
  }
  for (const t of tables) t.ok = t.problems.length === 0;
  const problems = tables.flatMap((t) => t.problems);
  return {
    lakeDir,
    level: full ? 'full' : onOpen ? 'open' : 'quick',
    manifest: manifest !== undefined,
    checksums: toHash.length > 0,
    tables,
    problems,
    ok: problems.length === 0,
  };
}

/**
 * Verify Lake: recovers an interrupted swap first (as opening the lake does), then the full check. Throws lakeMissing
 * when there is no lake to verify.
 */
export async function verifyLake(lakeDir: string, work: LongWork = {}): Promise<LakeCheck & { recovered: boolean }> {
  const recovered = await recoverLakeOnOpen(lakeDir);
  const result = await checkLake(lakeDir, { ...work, full: true });
  if (!result.manifest && result.tables.length === 0) {
    throw new LabError('lakeMissing', `The lake at ${lakeDir} has no tables yet.`, { nextStep: RUN_PIPELINE });
  }
  return { ...result, recovered };
}

/**
 * The open check as the lake engine asks it (query/lakeIntegrity.ts): sizes, each file's Parquet framing and, up to
 * `hashMaxBytes` of lake, checksums against the manifest; and the recovery of an interrupted swap.
 */
export function localLakeIntegrity(lakeDir: string, hashMaxBytes = OPEN_HASH_MAX_BYTES): LakeIntegrity {
  return {
    recover: () => recoverLakeOnOpen(lakeDir),
    async damagedTables() {
      const check = await checkLake(lakeDir, { onOpen: { hashMaxBytes } });
      return new Map(check.tables.filter((t) => !t.ok).map((t) => [t.table, t.problems]));
    },
  };
}

/** Plain-text report of a check, one line per table then one per problem (CLI, log). */
export function formatLakeCheck(check: LakeCheck & { recovered?: boolean }): string[] {
  const lines: string[] = [];
  if (check.recovered) lines.push(`recovered gold/ from an interrupted pipeline run`);
  if (!check.manifest) lines.push(`no _manifest.json in ${goldDir(check.lakeDir)}: nothing to check the files against`);
  else if (check.level === 'full' && !check.checksums && check.tables.some((t) => t.files > 0)) {
    lines.push('the manifest records no checksums (written by an older run): sizes only; run the pipeline to record them');
  }
  for (const t of check.tables) {
    lines.push(`${t.ok ? 'ok     ' : 'DAMAGED'}  ${t.table}  ${t.files} file${t.files === 1 ? '' : 's'}, ${t.bytes} bytes`);
    for (const p of t.problems) lines.push(`         ${p.kind}: ${p.message}`);
  }
  lines.push(check.ok
    ? `lake ${check.lakeDir}: ${check.tables.length} tables intact (${check.level === 'full' && check.checksums ? 'sizes and checksums' : 'sizes'})`
    : `lake ${check.lakeDir}: ${new Set(check.problems.map((p) => p.table)).size} damaged table(s); run the pipeline to rewrite the lake`);
  return lines;
}

/**
 * A crash between the two renames of a swap leaves no `gold/` but a `.old-*` folder. Opening the lake restores it,
 * under the run lock, the way the next run would; when a live run holds the lock it is left to that run. Cheap when
 * there is nothing to do (one readdir). Resolves to whether gold/ was restored.
 */
export async function recoverLakeOnOpen(lakeDir: string): Promise<boolean> {
  const entries = await fs.readdir(lakeDir).catch(() => [] as string[]);
  if (entries.includes('gold') || !entries.some((e) => e.startsWith('.old-'))) return false;
  let release: () => Promise<void>;
  try {
    release = await lockLake(lakeDir);
  } catch (err) {
    // A live run owns the lake and will fix it (or the lake is read-only: leave it as it is).
    if (err instanceof LabError && (LOCK_REFUSED as readonly string[]).includes(err.code)) return false;
    throw err;
  }
  try {
    await recoverLake(lakeDir);
  } finally {
    await release();
  }
  return (await fs.readdir(lakeDir).catch(() => [] as string[])).includes('gold');
}

/**
 * What is wrong with a Parquet file's framing (undefined when nothing): it starts with PAR1 and ends with the footer's
 * length and PAR1, the length fitting in the file. Reads 12 bytes, so it says nothing of the pages and the footer's content.
 */
async function parquetFramingProblem(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    if (size < 12) return `it is ${size} bytes, too short for Parquet`;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(8);
    await handle.read(head, 0, 4, 0);
    await handle.read(tail, 0, 8, size - 8);
    if (head.toString('latin1') !== 'PAR1') return 'it does not start with PAR1, as every Parquet file does';
    if (tail.toString('latin1', 4) !== 'PAR1') return 'it does not end with PAR1, as every Parquet file does: its end was cut or overwritten';
    const footer = tail.readUInt32LE(0);
    if (footer === 0 || footer > size - 12) return `its footer length (${footer} bytes) does not fit in the file (${size} bytes)`;
    return undefined;
  } catch (err) {
    return `it could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  } finally {
    await handle?.close();
  }
}

/**
 * SHA-256 of files as they were when last hashed on open, keyed by path and a stamp of size, modification and
 * change times and inode: a rewrite changes the change time even when size and modification time are put back.
 */
const openHashes = new Map<string, { stamp: string; sha256: string }>();
const OPEN_HASHES_KEPT = 10_000;

async function rememberedSha256(file: string, signal?: AbortSignal): Promise<string> {
  const st = await fs.stat(file);
  const stamp = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
  const known = openHashes.get(file);
  if (known?.stamp === stamp) return known.sha256;
  const sha256 = await sha256File(file, signal);
  if (openHashes.size >= OPEN_HASHES_KEPT) openHashes.clear();
  openHashes.set(file, { stamp, sha256 });
  return sha256;
}

/** table → (Parquet file name → size) for each table folder under gold/. */
async function parquetFolders(gold: string): Promise<Map<string, Map<string, number>>> {
  const result = new Map<string, Map<string, number>>();
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(gold, { withFileTypes: true });
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || !isPlainName(entry.name) || entry.name.startsWith('_')) continue;
    const dir = path.join(gold, entry.name);
    const files = new Map<string, number>();
    for (const f of (await fs.readdir(dir).catch(() => [] as string[])).filter((x) => x.endsWith('.parquet')).sort()) {
      const st = await fs.stat(path.join(dir, f)).catch(() => undefined);
      if (st?.isFile()) files.set(f, st.size);
    }
    result.set(entry.name, files);
  }
  return result;
}
