import * as fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors';
import { MODEL_TABLES } from '../run/manifest';

export interface ModelFile {
  /** The file's stem: the name its result is registered under. */
  table: string;
  /** Whether the result is written to the lake (dimensions and facts); staging models are internal. */
  published: boolean;
  file: string;
  sql: string;
}

/**
 * The model's layers in run order, by file-name prefix (the dbt convention): staging models prepare shared
 * columns, dimensions read sources and staging, facts read everything before them. Within a layer files run in
 * name order. The Glue job (glue/model.py) applies the same rule, so the order has no second home.
 */
const LAYERS = ['stg_', 'dim_', 'fact_'] as const;

/** Position of a model in the run order, or -1 when its name has no layer prefix. */
export function modelLayer(table: string): number {
  return LAYERS.findIndex((prefix) => table.startsWith(prefix));
}

/**
 * Reads the model: every `<name>.sql` in the folder is one SELECT (a trailing semicolon is dropped), returned in
 * run order; earlier results are available to later models by name. The star-schema tables (MODEL_TABLES) must
 * all be there.
 */
export async function loadModel(modelDir: string): Promise<ModelFile[]> {
  let names: string[];
  try {
    names = (await fs.readdir(modelDir)).filter((f) => f.endsWith('.sql'));
  } catch (err) {
    throw new LabError('config', `The model folder ${modelDir} could not be read.`, { cause: err });
  }
  const tables = names.map((f) => f.slice(0, -'.sql'.length));
  for (const table of tables) {
    if (modelLayer(table) < 0 || !/^[a-z][a-z0-9_]*$/.test(table)) {
      throw new LabError('config', `The model file ${path.join(modelDir, `${table}.sql`)} is not named stg_*, dim_* or fact_* (lowercase).`);
    }
  }
  for (const table of MODEL_TABLES) {
    if (!tables.includes(table)) throw new LabError('config', `The model file ${path.join(modelDir, `${table}.sql`)} is missing.`);
  }
  tables.sort((a, b) => modelLayer(a) - modelLayer(b) || a.localeCompare(b));
  const files: ModelFile[] = [];
  for (const table of tables) {
    const file = path.join(modelDir, `${table}.sql`);
    let sql: string;
    try {
      sql = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new LabError('config', `The model file ${file} could not be read.`, { cause: err });
    }
    files.push({ table, published: modelLayer(table) > 0, file, sql: stripTrailingSemicolon(sql) });
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
