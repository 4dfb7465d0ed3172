import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LabError } from '../errors';
import { loadModel } from '../lake/model';
import { loadDataTests, SCHEMA_FILE } from '../model';

/** A table of the model as the comparison walks it: its name and the columns that identify a row. */
export interface CompareTable {
  name: string;
  /** The key, in ORDER BY order; empty: no key is declared, so whole rows are the key. */
  key: string[];
  /** Where the key was read: a dbt primary_key constraint, a unique test, or none declared. */
  keyFrom: 'primary_key' | 'unique' | 'none';
}

interface SchemaDoc {
  models?: Array<{
    name?: unknown;
    constraints?: Array<{ type?: unknown; columns?: unknown }>;
    columns?: Array<{ name?: unknown; constraints?: Array<{ type?: unknown }> }>;
  }>;
}

/**
 * The published tables of the model (glue/sql: dim_* and fact_*) in run order, each with its key as schema.yml
 * declares it, in dbt's vocabulary: a model's `constraints: [{type: primary_key, columns: [...]}]`, a column's
 * `constraints: [{type: primary_key}]`, or else the column with a `unique` test.
 */
export async function compareTables(modelDir: string): Promise<CompareTable[]> {
  const published = (await loadModel(modelDir)).filter((m) => m.published).map((m) => m.table);
  const primaryKeys = await declaredPrimaryKeys(path.join(modelDir, SCHEMA_FILE));
  const unique = new Map<string, string>();
  for (const test of await loadDataTests(modelDir)) {
    if (test.kind === 'unique' && test.column && !unique.has(test.model)) unique.set(test.model, test.column);
  }
  return published.map((name): CompareTable => {
    const primary = primaryKeys.get(name);
    if (primary?.length) return { name, key: primary, keyFrom: 'primary_key' };
    const column = unique.get(name);
    return column ? { name, key: [column], keyFrom: 'unique' } : { name, key: [], keyFrom: 'none' };
  });
}

async function declaredPrimaryKeys(file: string): Promise<Map<string, string[]>> {
  const keys = new Map<string, string[]>();
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return keys;
    throw new LabError('config', `${file} could not be read.`, { cause: err });
  }
  // loadDataTests has already checked that the file is YAML of the expected shape.
  const doc = (parseYaml(text) ?? {}) as SchemaDoc;
  for (const model of doc.models ?? []) {
    if (typeof model.name !== 'string') continue;
    const fromModel = (model.constraints ?? []).find((c) => c?.type === 'primary_key' && Array.isArray(c.columns));
    const columns = fromModel
      ? (fromModel.columns as unknown[]).filter((c): c is string => typeof c === 'string')
      : (model.columns ?? []).filter((c) => typeof c.name === 'string' && (c.constraints ?? []).some((k) => k?.type === 'primary_key'))
        .map((c) => c.name as string);
    if (columns.length) keys.set(model.name, columns);
  }
  return keys;
}
