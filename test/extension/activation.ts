import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** `publisher.name` from package.json, so the tests follow the manifest. */
export const EXTENSION_ID = ((m: { publisher: string; name: string }) => `${m.publisher}.${m.name}`)(
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { publisher: string; name: string });

/** The libraries that load on first use: MySQL, DuckDB (an external native module) and the AWS SDK. */
export const LAZY_LIBRARY = /[\\/]node_modules[\\/](mysql2|@duckdb|@aws-sdk|@smithy)[\\/]/;
const CHUNK = new RegExp(`\\${path.sep}dist\\${path.sep}chunks\\${path.sep}[^\\${path.sep}]+\\.js$`);

/** The modules of a webpack chunk file, from its source map (sources only: the build's maps carry no content). */
function chunkSources(file: string): string[] {
  try {
    return (JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources;
  } catch {
    return [];
  }
}

/**
 * Of the files in a require cache: the lazy libraries loaded, each as the file Node loaded (DuckDB's) or the chunk
 * that holds it with the libraries it holds (MySQL and the AWS SDK are bundled into chunks); and the other chunks.
 */
export function lazyModulesIn(loaded: Iterable<string>): { libraries: string[]; otherChunks: string[] } {
  const libraries: string[] = [];
  const otherChunks: string[] = [];
  for (const file of [...loaded].sort()) {
    if (LAZY_LIBRARY.test(file)) libraries.push(file);
    else if (CHUNK.test(file)) {
      const held = [...new Set(chunkSources(file).map((s) => LAZY_LIBRARY.exec(s)?.[1]).filter((x): x is string => !!x))];
      if (held.length) libraries.push(`${path.basename(file)} (${held.join(', ')})`);
      else otherChunks.push(path.basename(file));
    }
  }
  return { libraries, otherChunks };
}

export interface ActivationRecord {
  /** Whether something had activated the extension before the suite started. */
  activeBefore: boolean;
  /** Lazy libraries in this host's require cache right after activation, before any test ran. */
  lazyLoaded: string[];
  /** Chunks of the extension's own code loaded by then (allowed; reported). */
  otherChunks: string[];
}

let record: ActivationRecord | undefined;

/**
 * Activates the extension before any test file is loaded (the test files themselves import mysql2 and DuckDB) and
 * notes which lazy modules the host has loaded by then. Called by index.ts.
 */
export async function recordActivation(): Promise<void> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) return;
  const activeBefore = ext.isActive;
  try {
    await ext.activate();
  } catch (err) {
    // The Foundation suite reports the missing record; the other suites say why activation fails.
    console.error(`[ext-test] activation failed: ${String(err)}`);
    return;
  }
  const { libraries, otherChunks } = lazyModulesIn(Object.keys(require.cache));
  record = { activeBefore, lazyLoaded: libraries, otherChunks };
}

export function activationRecord(): ActivationRecord | undefined {
  return record;
}
