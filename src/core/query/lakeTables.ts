import type { Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isPlainName, sqlLiteral } from './sqlText';

/** A table of the lake: `<lakeDir>/gold/<name>/*.parquet`. */
export interface LakeTable {
  name: string;
  files: string[];
}

/** The lake's tables at one moment, with a signature that changes whenever any of its files does. */
export interface LakeVersion {
  tables: LakeTable[];
  bytes: number;
  hasManifest: boolean;
  signature: string;
}

/** The tables found in a local lake (sorted by name); empty when the lake has none. Reads no Parquet. */
export async function listLakeTables(lakeDir: string): Promise<LakeTable[]> {
  const gold = path.join(lakeDir, 'gold');
  let entries: Dirent[];
  try {
    entries = await fs.readdir(gold, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
  const tables: LakeTable[] = [];
  for (const entry of entries) {
    // Folders starting with "_" or "." are the writer's own (manifest, temp dirs of an atomic swap).
    if (!entry.isDirectory() || !isPlainName(entry.name) || entry.name.startsWith('_')) continue;
    const dir = path.join(gold, entry.name);
    const files = (await fs.readdir(dir).catch(() => [] as string[]))
      .filter((f) => f.endsWith('.parquet'))
      .sort()
      .map((f) => path.join(dir, f));
    if (files.length) tables.push({ name: entry.name, files });
  }
  return tables.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The lake's tables as just listed, with a signature of their files and the manifest (names, sizes, modification and
 * change times, inodes: a file rewritten in place with its size and modification time put back has a new change time).
 */
export async function readLakeVersion(lakeDir: string, tables: LakeTable[]): Promise<LakeVersion> {
  const manifestStat = await fs.stat(path.join(lakeDir, 'gold', '_manifest.json')).catch(() => undefined);
  const files = await Promise.all(tables.map((t) => Promise.all(t.files.map((f) => fs.stat(f).catch(() => undefined)))));
  const version = tables.map((t, i) => ({ ...t, stats: files[i].map((st) => (st ? [st.size, st.mtimeMs, st.ctimeMs, st.ino] : null)) }));
  return {
    tables,
    bytes: files.flat().reduce((a, st) => a + (st?.size ?? 0), 0),
    hasManifest: manifestStat !== undefined,
    signature: JSON.stringify({ version, manifest: manifestStat ? [manifestStat.size, manifestStat.mtimeMs, manifestStat.ctimeMs, manifestStat.ino] : null }),
  };
}

/** DuckDB's reader of a table's Parquet files. */
export function parquetSource(table: LakeTable): string {
  return `read_parquet([${table.files.map(sqlLiteral).join(', ')}])`;
}
