import * as fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors';
import { MODEL_TABLES, type ModelTable } from './manifest';

export interface ModelFile {
  table: ModelTable;
  file: string;
  sql: string;
}

/**
 * Reads the model: one `<table>.sql` per star-schema table, in run order. Each file is one SELECT
 * (no trailing semicolon needed); earlier tables are available to later ones by name.
 */
export async function loadModel(modelDir: string): Promise<ModelFile[]> {
  const files: ModelFile[] = [];
  for (const table of MODEL_TABLES) {
    const file = path.join(modelDir, `${table}.sql`);
    let sql: string;
    try {
      sql = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new LabError('config', `The model file ${file} could not be read.`, { cause: err });
    }
    files.push({ table, file, sql: stripTrailingSemicolon(sql) });
  }
  return files;
}

function stripTrailingSemicolon(sql: string): string {
  return sql.trim().replace(/;\s*$/, '');
}

/**
 * Finds `glue/sql` by walking up from `start` (the compiled module's folder in out/ or dist/), so the CLI,
 * tests and the extension bundle all read the one model in the repository or the installed extension.
 */
export function findModelDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'glue', 'sql');
    if (existsSync(path.join(candidate, 'fact_orders.sql'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new LabError('internal', `The model folder glue/sql was not found above ${start}.`);
    dir = parent;
  }
}
