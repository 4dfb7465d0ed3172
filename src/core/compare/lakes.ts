import { describeError, isCancelled, LabError, throwIfCancelled } from '../errors';
import type { LongWork } from '../progress';
import type { QueryColumn, QueryEngine, QueryValue } from '../query/engine';
import { sqlIdent } from '../query/sqlText';
import { mergeSortedRows, type CanonicalRow, type RowDiff } from './merge';
import type { CompareTable } from './model';
import { engineRows } from './rows';
import { canonicalDecimal, canonicalSql, canonicalValue, packedSql, unpackValues, valueKind, type CompareColumn } from './values';

/** One lake of a comparison: what the user named and the engine that reads it. */
export interface LakeSide {
  /** As the user named it, e.g. "local", "aws" or a folder. */
  name: string;
  engine: QueryEngine;
}

export interface MoneyTotal {
  column: string;
  /** SUM of the column on each side as an exact decimal at the column's scale; null: no rows, or the side lacks it. */
  left: string | null;
  right: string | null;
  equal: boolean;
}

export interface TableComparison {
  table: string;
  /** The key the rows were walked by (all compared columns when none is declared). */
  key: string[];
  keyFrom: CompareTable['keyFrom'];
  /** A side that could not read the table, with its message (the table counts as different). */
  leftError?: string;
  rightError?: string;
  /** Why the rows were not compared though both sides read the table (e.g. a key column one side lacks). */
  problem?: string;
  /** Columns only one side has (matched case-insensitively: Glue lower-cases names), and columns whose kinds differ. */
  onlyLeftColumns: string[];
  onlyRightColumns: string[];
  typeMismatches: Array<{ column: string; left: string; right: string }>;
  /** The columns compared row by row, in the left lake's order. */
  columns: CompareColumn[];
  leftRows?: number;
  rightRows?: number;
  money: MoneyTotal[];
  /** Row by row; absent when a side could not be read. */
  rows?: RowDiff;
  equal: boolean;
}

export interface LakeComparison {
  left: { name: string; description: string };
  right: { name: string; description: string };
  /** Rows kept of each kind per table. */
  limit: number;
  tables: TableComparison[];
  equal: boolean;
}

export interface CompareLakesOptions extends LongWork {
  /** The first differing rows shown per table and kind (default 10). */
  limit?: number;
}

export const DEFAULT_DIFF_LIMIT = 10;

interface SideColumn extends QueryColumn {
  kind: CompareColumn['kind'];
  scale: number;
}

/**
 * Puts two lakes side by side, table by table, through their query engines (DuckDB over a folder, Athena over a Glue
 * database), so any two lakes compare the same way: row counts, money totals (SUM of each decimal column with a
 * fraction, exact, to the scale), then both tables streamed in key order and merged (mergeSortedRows): keys only on
 * one side and the first differing rows. A table one side cannot read is reported for that table; the others go on.
 */
export async function compareLakes(left: LakeSide, right: LakeSide, tables: readonly CompareTable[],
  options: CompareLakesOptions = {}): Promise<LakeComparison> {
  const limit = options.limit ?? DEFAULT_DIFF_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new LabError('config', `The number of differing rows to show must be a whole number ≥ 0 (got ${limit}).`);
  const results: TableComparison[] = [];
  for (const [index, table] of tables.entries()) {
    throwIfCancelled(options.signal, 'Comparing the lakes');
    const report = (message: string, done = 0) => options.onProgress?.({ message: `${table.name}: ${message}`, fraction: (index + done) / tables.length });
    report('reading the schema');
    results.push(await compareTable(left, right, table, limit, options.signal, report));
  }
  return {
    left: { name: left.name, description: left.engine.description },
    right: { name: right.name, description: right.engine.description },
    limit,
    tables: results,
    equal: results.every((t) => t.equal),
  };
}

async function compareTable(left: LakeSide, right: LakeSide, table: CompareTable, limit: number, signal: AbortSignal | undefined,
  report: (message: string, done?: number) => void): Promise<TableComparison> {
  const [leftSchema, rightSchema] = await Promise.all([readSchema(left.engine, table.name, signal), readSchema(right.engine, table.name, signal)]);
  const result: TableComparison = {
    table: table.name, key: table.key, keyFrom: table.keyFrom, onlyLeftColumns: [], onlyRightColumns: [], typeMismatches: [],
    columns: [], money: [], equal: false,
  };
  if ('error' in leftSchema) result.leftError = leftSchema.error;
  if ('error' in rightSchema) result.rightError = rightSchema.error;
  if ('error' in leftSchema || 'error' in rightSchema) {
    // The side that reads it still says how many rows it has.
    if (!('error' in leftSchema)) result.leftRows = (await readTotals(left.engine, table.name, [], signal)).rows;
    if (!('error' in rightSchema)) result.rightRows = (await readTotals(right.engine, table.name, [], signal)).rows;
    return result;
  }

  const rightByName = new Map(rightSchema.columns.map((c) => [c.name.toLowerCase(), c]));
  const leftNames = new Set(leftSchema.columns.map((c) => c.name.toLowerCase()));
  result.onlyRightColumns = rightSchema.columns.filter((c) => !leftNames.has(c.name.toLowerCase())).map((c) => c.name);
  const pairs: Array<{ column: CompareColumn; left: SideColumn; right: SideColumn }> = [];
  for (const l of leftSchema.columns) {
    const r = rightByName.get(l.name.toLowerCase());
    if (!r) {
      result.onlyLeftColumns.push(l.name);
    } else if (l.kind !== r.kind) {
      result.typeMismatches.push({ column: l.name, left: l.type, right: r.type });
    } else {
      pairs.push({ column: { name: l.name, kind: l.kind, scale: Math.max(l.scale, r.scale) }, left: l, right: r });
    }
  }
  result.columns = pairs.map((p) => p.column);
  const keyIndexes = table.key.length
    ? table.key.map((k) => pairs.findIndex((p) => p.column.name.toLowerCase() === k.toLowerCase()))
    : pairs.map((_, i) => i);
  if (keyIndexes.some((i) => i < 0)) {
    const missing = table.key.filter((k) => !pairs.some((p) => p.column.name.toLowerCase() === k.toLowerCase()));
    result.problem = `its key column ${missing.join(', ')} is not on both sides with the same kind of type, so rows cannot be matched`;
    return result;
  }
  result.key = keyIndexes.map((i) => pairs[i].column.name);

  report('counting rows and money totals');
  const money = pairs.filter((p) => p.column.kind === 'decimal' && p.column.scale > 0);
  const [leftTotals, rightTotals] = await Promise.all([
    readTotals(left.engine, table.name, money.map((p) => p.left.name), signal),
    readTotals(right.engine, table.name, money.map((p) => p.right.name), signal),
  ]);
  result.leftRows = leftTotals.rows;
  result.rightRows = rightTotals.rows;
  result.money = money.map((p, i): MoneyTotal => {
    const total = (sum: string | null) => (sum === null ? null : canonicalDecimal(sum, p.column.scale) ?? sum);
    const l = total(leftTotals.sums[i]);
    const r = total(rightTotals.sums[i]);
    return { column: p.column.name, left: l, right: r, equal: l === r };
  });

  const expected = Math.max(1, leftTotals.rows + rightTotals.rows);
  // Each row is walked as [key values…, the packed text of every column the engines render alike, the other columns…]:
  // the engine builds the text, so a row crosses into JS as a few values however many columns it has.
  const columns = result.columns;
  const packed = columns.map((c, i) => (canonicalSql('', c) === undefined ? -1 : i)).filter((i) => i >= 0);
  const loose = columns.map((_, i) => i).filter((i) => !packed.includes(i));
  const rowsSql = (side: 'left' | 'right') => {
    const names = pairs.map((p) => sqlIdent(p[side].name));
    const text = (i: number) => canonicalSql(names[i], columns[i]) ?? names[i];
    const select = [
      ...keyIndexes.map((i) => text(i)),
      packedSql(packed.map(text)),
      ...loose.map((i) => names[i]),
    ].map((e, i) => `${e} AS ${sqlIdent(`v${i}`)}`);
    const order = keyIndexes.map((i) => `${names[i]} ASC NULLS LAST`);
    return `SELECT ${select.join(', ')} FROM ${sqlIdent(table.name)}${order.length ? ` ORDER BY ${order.join(', ')}` : ''}`;
  };
  const keyCount = keyIndexes.length;
  const toRow = (values: QueryValue[]): CanonicalRow => [
    ...keyIndexes.map((c, k) => (loose.includes(c) ? canonicalValue(values[k] ?? null, columns[c]) : (values[k] ?? null) as string | null)),
    (values[keyCount] ?? '') as string,
    ...loose.map((c, j) => canonicalValue(values[keyCount + 1 + j] ?? null, columns[c])),
  ];
  const expand = (row: CanonicalRow): CanonicalRow => {
    const full: CanonicalRow = new Array<string | null>(columns.length).fill(null);
    unpackValues(row[keyCount] ?? '', packed.length).forEach((value, j) => { full[packed[j]] = value; });
    loose.forEach((c, j) => { full[c] = row[keyCount + 1 + j]; });
    return full;
  };
  report('comparing rows');
  result.rows = await mergeSortedRows(
    engineRows(left.engine, rowsSql('left'), toRow, signal),
    engineRows(right.engine, rowsSql('right'), toRow, signal),
    {
      columns, keyIndexes: keyIndexes.map((_, k) => k), keyKinds: keyIndexes.map((i) => columns[i].kind), expand, limit, signal,
      onRows: (l, r) => report(`${(l + r).toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} rows compared`, (l + r) / expected),
    });
  result.equal = !result.onlyLeftColumns.length && !result.onlyRightColumns.length && !result.typeMismatches.length
    && result.leftRows === result.rightRows && result.money.every((m) => m.equal)
    && !result.rows.onlyLeftCount && !result.rows.onlyRightCount && !result.rows.differingCount;
  return result;
}

async function readSchema(engine: QueryEngine, table: string, signal: AbortSignal | undefined): Promise<{ columns: SideColumn[] } | { error: string }> {
  try {
    const result = await engine.query(`SELECT * FROM ${sqlIdent(table)} LIMIT 0`, undefined, signal);
    return { columns: result.columns.map((c) => ({ ...c, ...valueKind(c.type) })) };
  } catch (err) {
    if (isCancelled(err) || signal?.aborted) throw err;
    return { error: describeError(err) };
  }
}

async function readTotals(engine: QueryEngine, table: string, moneyColumns: string[], signal: AbortSignal | undefined): Promise<{ rows: number; sums: (string | null)[] }> {
  const sums = moneyColumns.map((c, i) => `CAST(SUM(${sqlIdent(c)}) AS VARCHAR) AS ${sqlIdent(`s${i}`)}`);
  const result = await engine.query(`SELECT COUNT(*) AS ${sqlIdent('row_count')}${sums.map((s) => `, ${s}`).join('')} FROM ${sqlIdent(table)}`, undefined, signal);
  const row = result.rows[0] ?? [];
  return { rows: Number(row[0] ?? 0), sums: moneyColumns.map((_, i) => (row[i + 1] === null || row[i + 1] === undefined ? null : String(row[i + 1]))) };
}
