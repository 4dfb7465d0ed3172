import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseLakeManifest, type LakeManifest } from '../run/manifest';

export function goldDir(lakeDir: string): string {
  return path.join(lakeDir, 'gold');
}

export function manifestPath(lakeDir: string): string {
  return path.join(goldDir(lakeDir), '_manifest.json');
}

/** Parquet file of one table, as the local engine writes it. */
export function tableFile(lakeDir: string, table: string): string {
  return path.join(goldDir(lakeDir), table, 'part-0.parquet');
}

/** The manifest of the lake, or undefined when the lake has never been written (or was written by something else). */
export async function readLakeManifest(lakeDir: string): Promise<LakeManifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(manifestPath(lakeDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseLakeManifest(JSON.parse(text));
}
