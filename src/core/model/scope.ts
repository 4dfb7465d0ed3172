/**
 * Names resolved in a query's scopes, over DuckDB's parse tree: which relation each column reference names (CTEs,
 * subqueries, joins, aliases), the columns every select-list item reads in the end, the hops it takes through the
 * scopes and the joins on the way. lineage.ts turns this into the model's lineage and a query's reads.
 */
import { LabError } from '../errors';
import type { SqlNode } from './parse';

/** A column of a source table or of a model. */
export interface ColumnRef {
  table: string;
  column: string;
}

/** A reference's identity: table and column, case-insensitive. */
export const refKey = (r: ColumnRef) => `${r.table.toLowerCase()}.${r.column.toLowerCase()}`;

export function uniqueRefs(refs: Iterable<ColumnRef>): ColumnRef[] {
  const seen = new Map<string, ColumnRef>();
  for (const r of refs) if (!seen.has(refKey(r))) seen.set(refKey(r), r);
  return [...seen.values()];
}

/** A column as seen inside one scope: where it comes from and how it got there. */
export interface Derived {
  name: string;
  reads: ColumnRef[];
  steps: { scope: string; node: SqlNode }[];
  joins: { kind: string; node: SqlNode; reads: ColumnRef[] }[];
}

interface Relation {
  alias: string;
  columns: Derived[];
  /** The join that brought this relation in (none for the first one in FROM). */
  join?: { kind: string; node: SqlNode };
}

/** Tables a query may name that are not its own CTEs: each with its columns, as terminal references. */
export type Catalog = ReadonlyMap<string, readonly string[]>;

export class Scope {
  /** Every column reference resolved anywhere in the query, for QueryReads. */
  readonly allReads: ColumnRef[] = [];
  readonly missing: string[] = [];
  readonly tablesRead = new Set<string>();

  constructor(private readonly catalog: Catalog, private readonly label: string, private readonly strict: boolean) {}

  query(node: SqlNode, ctes: ReadonlyMap<string, Derived[]>, scopeName: string): Derived[] {
    if (node.type === 'SET_OPERATION_NODE') {
      const left = this.query(node.left as SqlNode, ctes, scopeName);
      const right = this.query(node.right as SqlNode, ctes, scopeName);
      return left.map((l, i) => ({
        name: l.name,
        reads: uniqueRefs([...l.reads, ...(right[i]?.reads ?? [])]),
        steps: l.steps,
        joins: [...l.joins, ...(right[i]?.joins ?? [])],
      }));
    }
    if (node.type !== 'SELECT_NODE') throw new LabError('config', `${this.label}: ${String(node.type)} is not supported in the model.`);
    const local = new Map(ctes);
    const cteMap = (node.cte_map as { map: { key: string; value: { query: { node: SqlNode } } }[] } | undefined)?.map ?? [];
    for (const { key: name, value } of cteMap) local.set(name.toLowerCase(), this.query(value.query.node, local, name));

    const relations = this.from(node.from_table as SqlNode | undefined, local);
    const resolve = (n: SqlNode) => this.resolveRefs(n, relations, local);
    const joinReads = new Map<SqlNode, ColumnRef[]>();
    for (const r of relations) if (r.join) joinReads.set(r.join.node, resolve(r.join.node));
    const joinPath = (rel: Relation, seen = new Set<Relation>()): Derived['joins'] => {
      if (!rel.join || seen.has(rel)) return [];
      seen.add(rel);
      const own = { kind: rel.join.kind, node: rel.join.node, reads: joinReads.get(rel.join.node) ?? [] };
      const via = this.relationsNamed(rel.join.node, relations).filter((r) => r !== rel).flatMap((r) => joinPath(r, seen));
      return [...via, own];
    };

    // Clauses other than the select list only count as what the query reads.
    for (const clause of ['where_clause', 'having', 'qualify'] as const) if (node[clause]) resolve(node[clause] as SqlNode);
    for (const g of (node.group_expressions as SqlNode[] | undefined) ?? []) this.resolveGroupOrOrder(g, relations, local);
    for (const m of (node.modifiers as { type: string; orders?: { expression: SqlNode }[] }[] | undefined) ?? []) {
      for (const o of m.orders ?? []) this.resolveGroupOrOrder(o.expression, relations, local);
    }

    const out: Derived[] = [];
    for (const item of (node.select_list as SqlNode[]) ?? []) {
      if (item.class === 'STAR') {
        const only = (item.relation_name ?? '').toLowerCase();
        for (const rel of relations) {
          if (!only || rel.alias.toLowerCase() === only) {
            for (const c of rel.columns) {
              out.push({ ...c, joins: [...joinPath(rel), ...c.joins] });
              this.allReads.push(...c.reads);
            }
          }
        }
        continue;
      }
      const passthrough = item.class === 'COLUMN_REF' ? this.lookup(item, relations) : undefined;
      const reads = resolve(item);
      const name = item.alias || (item.class === 'COLUMN_REF' ? lastName(item) : `col${out.length}`);
      const inner = passthrough ?? { steps: [], joins: [] };
      out.push({
        name,
        reads: passthrough ? passthrough.reads : reads,
        steps: [{ scope: scopeName, node: item }, ...inner.steps],
        joins: [
          ...this.relationsNamed(item, relations).flatMap((r) => joinPath(r)),
          ...(passthrough ? passthrough.joins : this.innerJoins(item, relations)),
        ],
      });
    }
    return out;
  }

  /** A GROUP BY or ORDER BY item may be a position or an output name; both read what the select list reads. */
  private resolveGroupOrOrder(n: SqlNode, relations: Relation[], ctes: ReadonlyMap<string, Derived[]>): void {
    if (n.class === 'CONSTANT') return;
    if (n.class === 'COLUMN_REF' && !this.lookup(n, relations, true)) return; // an output alias: read through the select list
    this.resolveRefs(n, relations, ctes);
  }

  private from(n: SqlNode | undefined, ctes: ReadonlyMap<string, Derived[]>): Relation[] {
    if (!n || n.type === 'EMPTY') return [];
    switch (n.type) {
      case 'BASE_TABLE': {
        const name = String(n.table_name);
        const alias = String(n.alias || name);
        const cte = ctes.get(name.toLowerCase());
        const columns = cte ?? this.tableColumns(name);
        return [{ alias, columns: renameColumns(columns, n.column_name_alias as string[] | undefined) }];
      }
      case 'JOIN': {
        const left = this.from(n.left as SqlNode, ctes);
        const right = this.from(n.right as SqlNode, ctes);
        const join = n.condition ? { kind: n.join_type ?? 'INNER', node: n.condition as SqlNode } : undefined;
        return [...left, ...right.map((r) => (join && !r.join ? { ...r, join } : r))];
      }
      case 'SUBQUERY': {
        const sub = (n.subquery as { node: SqlNode }).node;
        const columns = this.query(sub, ctes, String(n.alias || 'subquery'));
        return [{ alias: String(n.alias ?? ''), columns: renameColumns(columns, n.column_name_alias as string[] | undefined) }];
      }
      default:
        throw new LabError('config', `${this.label}: a ${String(n.type)} in FROM is not supported by lineage.`);
    }
  }

  private tableColumns(name: string): Derived[] {
    const found = [...this.catalog.entries()].find(([t]) => t.toLowerCase() === name.toLowerCase());
    if (!found) {
      if (this.strict) throw new LabError('config', `${this.label} reads ${name}, which is neither a source table nor an earlier model.`);
      this.missing.push(name);
      return [];
    }
    const [table, columns] = found;
    this.tablesRead.add(table);
    return columns.map((column) => ({ name: column, reads: [{ table, column }], steps: [], joins: [] }));
  }

  /** The relations whose columns an expression names (outside subqueries). */
  private relationsNamed(n: SqlNode, relations: Relation[]): Relation[] {
    const found = new Set<Relation>();
    walk(n, (child) => {
      if (child.class === 'COLUMN_REF') {
        const names = child.column_names as string[];
        const column = names[names.length - 1].toLowerCase();
        const qualifier = names.length > 1 ? names[names.length - 2].toLowerCase() : undefined;
        for (const r of relations) {
          if ((!qualifier || r.alias.toLowerCase() === qualifier) && r.columns.some((c) => c.name.toLowerCase() === column)) found.add(r);
        }
        return false;
      }
      return child.class !== 'SUBQUERY';
    });
    return [...found];
  }

  /** The column a reference names, or undefined (with `quiet`, an unknown name is not an error). */
  private lookup(ref: SqlNode, relations: Relation[], quiet = false): Derived | undefined {
    const names = ref.column_names as string[];
    const column = names[names.length - 1].toLowerCase();
    const qualifier = names.length > 1 ? names[names.length - 2].toLowerCase() : undefined;
    const candidates = relations.filter((r) => !qualifier || r.alias.toLowerCase() === qualifier);
    const hits = candidates.flatMap((r) => r.columns.filter((c) => c.name.toLowerCase() === column));
    if (hits.length === 1) return hits[0];
    if (quiet) return undefined;
    const text = names.join('.');
    if (hits.length > 1) throw new LabError('config', `${this.label}: the column ${text} is ambiguous.`);
    if (this.strict) throw new LabError('config', `${this.label}: no table it reads has a column ${text}.`);
    this.missing.push(text);
    return undefined;
  }

  /** The terminal references of every column an expression names (subqueries included). */
  private resolveRefs(n: SqlNode, relations: Relation[], ctes: ReadonlyMap<string, Derived[]>): ColumnRef[] {
    const refs: ColumnRef[] = [];
    walk(n, (child) => {
      if (child.class === 'COLUMN_REF') {
        const hit = this.lookup(child, relations);
        if (hit) refs.push(...hit.reads);
        return false;
      }
      if (child.class === 'SUBQUERY') {
        const sub = this.query((child.subquery as { node: SqlNode }).node, ctes, 'subquery');
        for (const c of sub) refs.push(...c.reads);
        if (child.child) refs.push(...this.resolveRefs(child.child as SqlNode, relations, ctes));
        return false;
      }
      return true;
    });
    this.allReads.push(...refs);
    return uniqueRefs(refs);
  }

  /** The joins carried by the columns an expression reads from inner scopes. */
  private innerJoins(n: SqlNode, relations: Relation[]): Derived['joins'] {
    const joins: Derived['joins'] = [];
    walk(n, (child) => {
      if (child.class === 'COLUMN_REF') {
        const hit = this.lookup(child, relations, true);
        if (hit) joins.push(...hit.joins);
        return false;
      }
      return child.class !== 'SUBQUERY';
    });
    return joins;
  }
}

function lastName(ref: SqlNode): string {
  const names = ref.column_names as string[];
  return names[names.length - 1];
}

function renameColumns(columns: Derived[], aliases: string[] | undefined): Derived[] {
  if (!aliases?.length) return columns;
  return columns.map((c, i) => (aliases[i] ? { ...c, name: aliases[i] } : c));
}

/** Visits every node below `n` (objects with a `class`), descending while `visit` returns true. */
function walk(n: unknown, visit: (node: SqlNode) => boolean): void {
  if (Array.isArray(n)) {
    for (const v of n) walk(v, visit);
    return;
  }
  if (!n || typeof n !== 'object') return;
  const node = n as SqlNode;
  if (typeof node.class === 'string' && !visit(node)) return;
  for (const [k, v] of Object.entries(node)) if (k !== 'class' && v && typeof v === 'object') walk(v, visit);
}
