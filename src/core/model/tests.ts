import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as v from 'valibot';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { LabError } from '../errors';
import { isPlainName, PLAIN_NAME } from '../query/sqlText';

/**
 * The model's declared data tests: `glue/sql/schema.yml` in dbt's vocabulary (generic tests on columns) and singular
 * tests, `glue/sql/tests/<name>.sql`, each a query returning the failing rows. Each compiles to one SELECT of the
 * failing rows in the SQL both engines read (DuckDB and Spark SQL): plain identifiers, single-quoted literals.
 */

export type TestSeverity = 'error' | 'warn';
export type DataTestKind = 'unique' | 'not_null' | 'relationships' | 'accepted_values' | 'singular';

export interface DataTest {
  /** dbt-style id, e.g. "unique_dim_customers_customerNumber"; a singular test's is its file's stem. */
  id: string;
  kind: DataTestKind;
  /** The model it tests (for a singular test, the first model its query reads, when named in its file). */
  model: string;
  column?: string;
  severity: TestSeverity;
  /** relationships: the parent model and column every value must be in. */
  to?: { model: string; field: string };
  /** accepted_values: the values allowed. */
  values?: string[];
  /** Where it is declared. */
  file: string;
  /** One SELECT returning the failing rows. */
  sql: string;
}

export const SCHEMA_FILE = 'schema.yml';
export const TESTS_DIR = 'tests';

const ident = (what: string) => v.pipe(v.string(`${what} must be text`), v.regex(PLAIN_NAME, `${what} must be a plain identifier (letters, digits, _)`));
const severity = v.optional(v.strictObject({
  severity: v.optional(v.picklist(['error', 'warn'], "severity must be 'error' or 'warn'")),
}, 'config takes only severity'));
// Spark reads '' inside a literal as two literals, so a quote or backslash cannot be written the same for both engines.
const acceptedValue = v.pipe(v.union([v.string(), v.number()], 'each accepted value must be text or a number'), v.transform(String),
  v.regex(/^[^'\\]*$/, 'an accepted value may not contain a quote or a backslash'));

const GENERIC_ARGS = {
  unique: v.nullish(v.strictObject({ config: severity }, 'unique takes only config')),
  not_null: v.nullish(v.strictObject({ config: severity }, 'not_null takes only config')),
  relationships: v.strictObject({
    to: v.pipe(v.string('to must be text'), v.regex(/^ref\(\s*'[A-Za-z_][A-Za-z0-9_]*'\s*\)$/, "to must be ref('<model>')")),
    field: ident('field'),
    config: severity,
  }, 'relationships takes to, field and config'),
  accepted_values: v.strictObject({
    values: v.pipe(v.array(acceptedValue, 'values must be a list'), v.minLength(1, 'values must list at least one value')),
    config: severity,
  }, 'accepted_values takes values and config'),
} as const;
type GenericKind = keyof typeof GENERIC_ARGS;

const SCHEMA = v.object({
  version: v.optional(v.literal(2, 'version must be 2')),
  models: v.array(v.object({
    name: ident('a model name'),
    description: v.optional(v.string()),
    columns: v.optional(v.array(v.object({
      name: ident('a column name'),
      description: v.optional(v.string()),
      tests: v.optional(v.array(v.unknown(), 'tests must be a list')),
    }, 'each column must be a mapping with a name'), 'columns must be a list')),
  }, 'each model must be a mapping with a name'), 'models must be a list'),
}, 'the file must be a mapping with models');

function declarationError(file: string, where: string, problem: string): LabError {
  return new LabError('config', `The data tests in ${file} are not valid: ${where ? `${where}: ` : ''}${problem}.`, {
    nextStep: { label: `Fix ${path.basename(file)} (dbt's schema.yml vocabulary: unique, not_null, relationships, accepted_values)` },
  });
}

function firstIssue(issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): { at: string; message: string } {
  const issue = issues[0];
  return { at: v.getDotPath(issue) ?? '', message: issue.message };
}

/**
 * The generic tests of a schema.yml text, compiled. `models` are the model names in the folder: a test on any other
 * model, or a relationship to one, is a declaration error naming the entry.
 */
export function parseSchemaTests(text: string, file: string, models: readonly string[]): DataTest[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const at = err instanceof YAMLParseError && err.linePos ? `line ${err.linePos[0].line}` : '';
    throw declarationError(file, at, `not YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = v.safeParse(SCHEMA, doc);
  if (!parsed.success) {
    const { at, message } = firstIssue(parsed.issues);
    throw declarationError(file, at, message);
  }
  const tests: DataTest[] = [];
  const ids = new Set<string>();
  for (const model of parsed.output.models) {
    if (!models.includes(model.name)) throw declarationError(file, `model ${model.name}`, `there is no ${model.name}.sql beside it`);
    for (const column of model.columns ?? []) {
      for (const [index, entry] of (column.tests ?? []).entries()) {
        const where = `${model.name}.${column.name} test ${index + 1}`;
        const test = genericTest(entry, model.name, column.name, file, models, (problem) => declarationError(file, where, problem));
        if (ids.has(test.id)) throw declarationError(file, where, `${test.id} is declared twice`);
        ids.add(test.id);
        tests.push(test);
      }
    }
  }
  return tests;
}

function genericTest(entry: unknown, model: string, column: string, file: string, models: readonly string[],
  fail: (problem: string) => LabError): DataTest {
  let kind: string;
  let args: unknown;
  if (typeof entry === 'string') {
    kind = entry;
    args = undefined;
  } else if (entry && typeof entry === 'object' && !Array.isArray(entry) && Object.keys(entry).length === 1) {
    [[kind, args]] = Object.entries(entry);
  } else {
    throw fail('a test is a name (unique, not_null) or a mapping of one test name to its arguments');
  }
  if (!(kind in GENERIC_ARGS)) throw fail(`unknown test '${kind}' (known: ${Object.keys(GENERIC_ARGS).join(', ')})`);
  const parsed = v.safeParse(GENERIC_ARGS[kind as GenericKind], args);
  if (!parsed.success) {
    const { at, message } = firstIssue(parsed.issues);
    throw fail(`${kind}${at ? ` ${at}` : ''}: ${message}`);
  }
  const out = (parsed.output ?? {}) as { config?: { severity?: TestSeverity }; to?: string; field?: string; values?: string[] };
  const base = { model, column, file, severity: out.config?.severity ?? 'error' } as const;
  switch (kind as GenericKind) {
    case 'unique':
      return { ...base, id: `unique_${model}_${column}`, kind: 'unique', sql: compileUnique(model, column) };
    case 'not_null':
      return { ...base, id: `not_null_${model}_${column}`, kind: 'not_null', sql: `select * from ${model} where ${column} is null` };
    case 'relationships': {
      const parent = /'([^']+)'/.exec(out.to!)![1];
      if (!models.includes(parent)) throw fail(`relationships to: there is no ${parent}.sql beside it`);
      const to = { model: parent, field: out.field! };
      return { ...base, id: `relationships_${model}_${column}_to_${parent}`, kind: 'relationships', to, sql: compileRelationship(model, column, to) };
    }
    case 'accepted_values': {
      const values = out.values!;
      return { ...base, id: `accepted_values_${model}_${column}`, kind: 'accepted_values', values,
        sql: `select * from ${model} where ${column} not in (${values.map((x) => `'${x}'`).join(', ')})` };
    }
  }
}

/** dbt's unique: each duplicated value once, with how many rows carry it. */
function compileUnique(model: string, column: string): string {
  return `select ${column}, count(*) as duplicate_rows from ${model} where ${column} is not null group by ${column} having count(*) > 1`;
}

/** dbt's relationships: child rows whose (non-null) key has no parent row. */
function compileRelationship(model: string, column: string, to: { model: string; field: string }): string {
  return `select child.* from ${model} as child left join ${to.model} as parent on child.${column} = parent.${to.field} `
    + `where child.${column} is not null and parent.${to.field} is null`;
}

/**
 * A singular test file: a SELECT of the failing rows. A leading `-- severity: warn` comment makes it warn (default
 * error); the model it is listed under is the first model named after FROM.
 */
export function parseSingularTest(text: string, file: string, models: readonly string[]): DataTest {
  const id = path.basename(file, '.sql');
  if (!isPlainName(id)) throw declarationError(file, '', 'a singular test file is named <letters, digits, _>.sql');
  const declared = /^\s*--\s*severity\s*:\s*(\S+)/im.exec(text)?.[1];
  if (declared !== undefined && declared !== 'error' && declared !== 'warn') throw declarationError(file, 'severity', "severity must be 'error' or 'warn'");
  const sql = text.trim().replace(/;\s*$/, '');
  const body = sql.replace(/--[^\n]*/g, '').trim();
  if (!/^(select|with)\b/i.test(body)) throw declarationError(file, '', 'a singular test is one SELECT returning the failing rows');
  const model = [...body.matchAll(/\b(?:from|join)\s+([A-Za-z_][A-Za-z0-9_]*)/gi)].map((m) => m[1]).find((name) => models.includes(name));
  if (!model) throw declarationError(file, '', `its query reads none of the models (${models.join(', ')})`);
  return { id, kind: 'singular', model, severity: (declared as TestSeverity | undefined) ?? 'error', file, sql };
}

/** Every declared test of the model folder: schema.yml's (absent file: none), then tests/*.sql in name order. */
export async function loadDataTests(modelDir: string): Promise<DataTest[]> {
  const models = (await fs.readdir(modelDir)).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -'.sql'.length));
  const schemaFile = path.join(modelDir, SCHEMA_FILE);
  const schema = await readOptional(schemaFile);
  const tests = schema === undefined ? [] : parseSchemaTests(schema, schemaFile, models);
  const testsDir = path.join(modelDir, TESTS_DIR);
  const singular = ((await fs.readdir(testsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.sql'))).sort();
  for (const name of singular) {
    const file = path.join(testsDir, name);
    const test = parseSingularTest((await readOptional(file)) ?? '', file, models);
    if (tests.some((t) => t.id === test.id)) throw declarationError(file, '', `${test.id} is also declared in ${SCHEMA_FILE}`);
    tests.push(test);
  }
  return tests;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LabError('config', `The data tests file ${file} could not be read.`, { cause: err });
  }
}
