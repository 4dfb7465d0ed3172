/**
 * Column lineage of the star schema, derived from the model's SQL (glue/sql) by DuckDB's parser: for every column
 * of every model, the expression that makes it, the columns it reads (source tables or earlier models), the source
 * columns it comes from in the end, and the joins that feed it; for any other query over the lake (a dashboard
 * card, a notebook cell), the lake columns it reads. Nothing here is written by hand: change the SQL and the
 * lineage follows.
 */
import { validLocation, type SqlNode, type SqlParser } from './parse';
import { refKey, Scope, uniqueRefs, type Catalog, type ColumnRef, type Derived } from './scope';

export interface JoinLineage {
  /** LEFT, INNER, ... as DuckDB names it. */
  kind: string;
  condition: string;
  reads: ColumnRef[];
}

/** One hop of a column through the model: the CTE (or the model's final select) and the expression there. */
export interface LineageStep {
  scope: string;
  expression: string;
  line: number;
}

export interface ColumnLineage {
  table: string;
  column: string;
  /** Written to the lake (dim_*, fact_*), or internal (stg_*). */
  published: boolean;
  /** The expression that makes the column, where it is computed (a bare name where it is passed through). */
  expression: string;
  /** The hops from the model's output inwards, CTE by CTE. */
  steps: LineageStep[];
  /** The columns it reads directly: source tables' or earlier models'. */
  reads: ColumnRef[];
  /** The source-table columns it comes from in the end, through earlier models. */
  sources: ColumnRef[];
  joins: JoinLineage[];
  file: string;
  /** 1-based line of the expression that makes it. */
  line: number;
}

export interface ModelSource {
  table: string;
  published: boolean;
  file: string;
  /** The file's text as it is on disk (positions refer to it). */
  text: string;
}

export interface ModelLineage {
  columns: ColumnLineage[];
  /** Every model's output columns in order. */
  tables: Map<string, string[]>;
}

/** What a query reads: every column of the given tables it names anywhere (select, join, where, group, order). */
export interface QueryReads {
  /** The tables it reads, in the catalog's spelling (a count(*) reads a table and none of its columns). */
  tables: string[];
  reads: ColumnRef[];
  /** Names the query uses that no table it reads has (a model change that broke it). */
  missing: string[];
}

/** The smallest valid position in a subtree: where an expression starts when its own node has none. */
function firstLocation(n: SqlNode): number | undefined {
  let best: number | undefined;
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(visit);
    if (!x || typeof x !== 'object') return;
    const loc = (x as SqlNode).query_location;
    if (validLocation(loc) && (best === undefined || loc < best)) best = loc;
    for (const v of Object.values(x)) if (v && typeof v === 'object') visit(v);
  };
  visit(n);
  return best;
}

function lineOf(text: string, offset: number | undefined): number {
  if (offset === undefined) return 1;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The lineage of every model column, in run order: each model reads the source tables (`sources`: table -> columns)
 * and the models before it. Throws a config error naming the file when the SQL reads a table or column that does
 * not exist.
 */
export async function modelLineage(models: readonly ModelSource[], sources: Catalog, parser: SqlParser): Promise<ModelLineage> {
  const parsed = await parser.parse(models.map((m) => m.text), models.map((m) => m.file));
  const catalog = new Map<string, readonly string[]>(sources);
  const tables = new Map<string, string[]>();
  const pending: { model: ModelSource; column: Derived }[] = [];
  models.forEach((model, i) => {
    const scope = new Scope(catalog, model.file, true);
    const columns = scope.query(parsed[i].node, new Map(), model.table);
    tables.set(model.table, columns.map((c) => c.name));
    catalog.set(model.table, columns.map((c) => c.name));
    for (const column of columns) pending.push({ model, column });
  });

  // Render each hop's expression once, all in one call.
  const stepNodes = pending.flatMap((p) => p.column.steps.map((s) => s.node));
  const joinNodes = pending.flatMap((p) => p.column.joins.map((j) => j.node));
  const rendered = await parser.render([...stepNodes, ...joinNodes]);
  const text = new Map<SqlNode, string>();
  [...stepNodes, ...joinNodes].forEach((n, i) => text.set(n, rendered[i]));

  const byKey = new Map<string, ColumnLineage>();
  const columns = pending.map(({ model, column }) => {
    const steps = column.steps.map((s) => ({
      scope: s.scope,
      expression: stripAlias(text.get(s.node) ?? ''),
      line: lineOf(model.text, validLocation(s.node.query_location) ? s.node.query_location : firstLocation(s.node)),
    }));
    const defining = steps.find((s) => !isBareName(s.expression)) ?? steps[steps.length - 1];
    const joins = uniqueJoins(column.joins.map((j) => ({ kind: j.kind, condition: text.get(j.node) ?? '', reads: uniqueRefs(j.reads) })));
    const lineage: ColumnLineage = {
      table: model.table, column: column.name, published: model.published,
      expression: defining?.expression ?? column.name, steps, reads: uniqueRefs(column.reads), sources: [], joins,
      file: model.file, line: defining?.line ?? 1,
    };
    byKey.set(refKey(lineage), lineage);
    return lineage;
  });
  // Sources in the end: a read of an earlier model stands for that model column's own sources (run order makes them known).
  for (const c of columns) {
    c.sources = uniqueRefs(c.reads.flatMap((r) => byKey.get(refKey(r))?.sources ?? [r]));
  }
  return { columns, tables };
}

/**
 * The columns of `tables` that a query reads anywhere (a dashboard card, a notebook cell). Unknown names are
 * returned in `missing`, not thrown: a card the model no longer serves is reported, not fatal.
 */
export async function queryReads(sql: string, label: string, tables: Catalog, parser: SqlParser): Promise<QueryReads> {
  const [parsed] = await parser.parse([sql], [label]);
  const scope = new Scope(tables, label, false);
  scope.query(parsed.node, new Map(), label);
  return { tables: [...scope.tablesRead], reads: uniqueRefs(scope.allReads), missing: [...new Set(scope.missing)] };
}

function uniqueJoins(joins: JoinLineage[]): JoinLineage[] {
  const seen = new Map<string, JoinLineage>();
  for (const j of joins) if (!seen.has(j.condition)) seen.set(j.condition, j);
  return [...seen.values()];
}

/** DuckDB's rendering, made to read like the model: no `main.` schema or quotes on plain function names. */
function stripAlias(expression: string): string {
  return expression.replace(/\bmain\."?([A-Za-z_][A-Za-z0-9_]*)"?\(/g, '$1(').replace(/\s+AS\s+"?[A-Za-z_][A-Za-z0-9_]*"?\s*$/i, '').trim();
}

function isBareName(expression: string): boolean {
  return /^("?[A-Za-z_][A-Za-z0-9_]*"?\.)?"?[A-Za-z_][A-Za-z0-9_]*"?$/.test(expression);
}
