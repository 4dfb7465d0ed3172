import { LabError, throwIfCancelled } from '../errors';
import { formatDuration } from '../format';
import type { QueryColumn, QueryEngine, QueryParams, QueryStreamSummary, QueryValue } from '../query/engine';
import { compileParams } from '../query/params';
import { isBlankSql, isPlainName, noStatementError } from '../query/sqlText';

/**
 * Running one notebook cell on the backend's query engine, without the editor: parameters from the notebook bound
 * through the engines' own `:name` compilation (never spliced), a result capped for display, and the outputs'
 * payloads (the table renderer's JSON, a plain-text fallback, CSV). The editor's controller (src/notebook) and the
 * AWS tests both run cells through here.
 */

/** The table renderer's mime type; its payload is a TableOutput. */
export const TABLE_MIME = 'application/vnd.lifecycle-lab.table+json';
/** The chart renderer's mime type; its payload is a TableOutput too (the renderer picks the chart from its shape). */
export const CHART_MIME = 'application/vnd.lifecycle-lab.chart+json';

/** Rows kept in a cell's output; a longer result is cut here (the output says so and offers an export of the whole). */
export const MAX_ROWS_SHOWN = 5_000;
/** Rows in the plain-text fallback (other tools read it; the renderer shows the rest). */
const PLAIN_TEXT_ROWS = 50;

export interface CellStats {
  elapsedMs: number;
  bytesScanned?: number;
  costUsd?: number;
}

/** What the table and chart renderers draw (JSON: the output item's data). */
export interface TableOutput {
  columns: QueryColumn[];
  rows: QueryValue[][];
  /** Rows the query returned; more than rows.length when the result was cut at MAX_ROWS_SHOWN. */
  totalRows: number;
  truncated: boolean;
  /** Set when the engine stopped past the rows shown without counting the rest (Athena): totalRows is then a lower bound. */
  countUnknown?: boolean;
  stats: CellStats;
  /** e.g. "duckdb", "athena". */
  engine: string;
  /** The parameter values the cell ran with. */
  params: QueryParams;
}

/** A cell's run: what its outputs show. The rest of a cut result is not kept; an export runs the query again. */
export interface CellRun {
  output: TableOutput;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Checks parameter values as JSON gives them: each must be text, a finite number or null (what both engines bind).
 * `where` names the place for the message, e.g. "the parameters cell".
 */
export function validateParams(value: unknown, where: string): QueryParams {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new LabError('queryFailed', `${where} must be a JSON object of parameter values, e.g. {"country": "USA", "n": 5}; got ${describeType(value)}.`);
  }
  const params: QueryParams = {};
  // A JSON object's values are unknown until checked, whatever Object.entries says of an `object`.
  const entries: [string, unknown][] = Object.entries(value);
  for (const [name, v] of entries) {
    if (!isPlainName(name)) throw new LabError('queryFailed', `${where}: "${name}" is not a parameter name (letters, digits and _, used as :${name}).`);
    if (typeof v === 'string' || v === null || (typeof v === 'number' && Number.isFinite(v))) params[name] = v;
    else if (typeof v === 'boolean') throw new LabError('queryFailed', `${where}: :${name} is ${v}; use 1 or 0 (parameters are text, numbers or null).`);
    else throw new LabError('queryFailed', `${where}: :${name} is ${describeType(v)}; a parameter is text, a number or null.`);
  }
  return params;
}

/** The text of a parameters cell (a JSON object) as parameter values; an empty cell has none. */
export function parseParamsCell(text: string): QueryParams {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LabError('queryFailed', `The parameters cell is not valid JSON (${(err as Error).message}). Write an object, e.g. {"country": "USA", "n": 5}.`);
  }
  return validateParams(value, 'The parameters cell');
}

/**
 * The `:name` placeholders the SQL uses, found by the engines' own compilation (compileParams): every name is
 * offered, so none is missing, and the compiled list says which were used.
 */
export function placeholdersOf(sql: string): string[] {
  const everyName = new Proxy({} as QueryParams, {
    getOwnPropertyDescriptor: () => ({ value: null, configurable: true, enumerable: false, writable: false }),
    get: () => null,
    ownKeys: () => [],
  });
  return compileParams(sql, everyName, 'positional').names;
}

/**
 * The values a cell's SQL uses, from what the notebook offers (parameters cells above it, then the cell's own
 * metadata). A placeholder with no value is a readable error naming it; values the SQL does not use are left out.
 */
export function bindCellParams(sql: string, available: QueryParams): QueryParams {
  const used = placeholdersOf(sql);
  const missing = used.filter((name) => !Object.prototype.hasOwnProperty.call(available, name));
  if (missing.length) {
    throw new LabError('queryFailed',
      `The cell uses ${missing.map((n) => `:${n}`).join(', ')} but no value was given: add ${missing.length > 1 ? 'them' : 'it'} to a parameters cell above it ` +
      `(e.g. {${missing.map((n) => `"${n}": ...`).join(', ')}}) or to the cell's metadata "params".`);
  }
  const bound: QueryParams = {};
  for (const name of used) bound[name] = available[name];
  return bound;
}

/**
 * Runs one SQL cell: binds its parameters, streams the result from the engine (the signal interrupts DuckDB or
 * stops the Athena execution) and keeps only the rows the output shows; past them the engine counts the rest where
 * it can. Errors are LabErrors with the engine's message; a conversion error names the parameter values, since a
 * wrong type there is the usual cause.
 */
export async function runSqlCell(engine: QueryEngine, sql: string, available: QueryParams, signal?: AbortSignal): Promise<CellRun> {
  throwIfCancelled(signal, 'Query');
  if (isBlankSql(sql)) throw noStatementError();
  const params = bindCellParams(sql, available);
  const rows: QueryValue[][] = [];
  let summary: QueryStreamSummary;
  try {
    summary = await engine.stream(sql, Object.keys(params).length ? params : undefined, {
      signal, limit: MAX_ROWS_SHOWN, countAll: true, onRows: (batch) => { for (const row of batch) rows.push(row); },
    });
  } catch (err) {
    throw withParamHint(err, params);
  }
  return {
    output: {
      columns: summary.columns,
      rows,
      totalRows: summary.totalRows ?? rows.length,
      truncated: summary.more,
      ...(summary.totalRows === undefined ? { countUnknown: true } : {}),
      stats: summary.stats,
      engine: engine.kind,
      params,
    },
  };
}

/**
 * Runs the query again and writes its whole result as CSV (header first) through `write`, batch by batch as the
 * engine reads it, so memory does not grow with the result; `write` is awaited, so a slow disk holds the reading
 * back. Resolves to the number of rows written.
 */
export async function exportQueryCsv(engine: QueryEngine, sql: string, params: QueryParams,
  write: (text: string) => void | Promise<void>, signal?: AbortSignal): Promise<number> {
  if (isBlankSql(sql)) throw noStatementError();
  let columns: QueryColumn[] = [];
  try {
    const summary = await engine.stream(sql, Object.keys(params).length ? params : undefined, {
      signal,
      onColumns: async (c) => {
        columns = c;
        await write(toDelimited(c, [], ','));
      },
      onRows: (batch) => write(toDelimited(columns, batch, ',', { header: false })),
    });
    return summary.rowsRead;
  } catch (err) {
    throw withParamHint(err, params);
  }
}

function withParamHint(err: unknown, params: QueryParams): unknown {
  if (!(err instanceof LabError) || err.code !== 'queryFailed' || !Object.keys(params).length) return err;
  if (!/convert|conversion|cast|mismatch|type/i.test(err.message)) return err;
  const values = Object.entries(params).map(([k, v]) => `:${k} = ${JSON.stringify(v)}`).join(', ');
  return new LabError('queryFailed', `${err.message} (parameters: ${values}; a parameter of the wrong type is a common cause)`, { cause: err, nextStep: err.nextStep });
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isValue = (v: unknown): v is QueryValue => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/**
 * A TableOutput rebuilt field by field from untrusted JSON (a saved output read back from a file, a payload given to
 * a renderer), or undefined when it is not one. Only the fields the lab writes come back, each of its own type, so
 * nothing else in the JSON reaches a renderer.
 */
export function tableOutputFrom(value: unknown): TableOutput | undefined {
  if (!isObject(value)) return undefined;
  const { columns, rows, totalRows, truncated, countUnknown, stats, engine, params } = value;
  if (!Array.isArray(columns) || !columns.every((c) => isObject(c) && typeof c.name === 'string' && typeof c.type === 'string')) return undefined;
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.length === columns.length && r.every(isValue))) return undefined;
  if (!isCount(totalRows) || totalRows < rows.length || typeof truncated !== 'boolean' || (countUnknown !== undefined && typeof countUnknown !== 'boolean')) return undefined;
  if (!isObject(stats) || !isAmount(stats.elapsedMs) || (stats.bytesScanned !== undefined && !isAmount(stats.bytesScanned))
    || (stats.costUsd !== undefined && !isAmount(stats.costUsd))) return undefined;
  if (typeof engine !== 'string') return undefined;
  let checkedParams: QueryParams;
  try {
    checkedParams = validateParams(params, 'params');
  } catch {
    return undefined;
  }
  return {
    columns: (columns as QueryColumn[]).map((c) => ({ name: c.name, type: c.type })),
    rows: (rows as QueryValue[][]).map((r) => [...r]),
    totalRows,
    truncated,
    ...(countUnknown ? { countUnknown: true } : {}),
    stats: {
      elapsedMs: stats.elapsedMs,
      ...(stats.bytesScanned !== undefined ? { bytesScanned: stats.bytesScanned } : {}),
      ...(stats.costUsd !== undefined ? { costUsd: stats.costUsd } : {}),
    },
    engine,
    params: checkedParams,
  };
}

/** Whether the chart renderer has something to draw: a label column and at least one numeric column, 2+ rows. */
export function isChartable(output: Pick<TableOutput, 'columns' | 'rows'>): boolean {
  return chartShape(output) !== 'none';
}

export type ChartKind = 'bar' | 'line' | 'none';

const DATE_TYPE = /^(DATE|TIMESTAMP)/i;
const NUMERIC_TYPE = /^(DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL|BIGINT|HUGEINT|INTEGER|INT|SMALLINT|TINYINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)/i;

/** Index of the numeric columns (by type, or by values when the type says nothing). */
export function numericColumns(output: Pick<TableOutput, 'columns' | 'rows'>): number[] {
  return output.columns.map((c, i) => i).filter((i) => {
    const type = output.columns[i].type;
    if (NUMERIC_TYPE.test(type)) return true;
    if (type && !/^(varchar|unknown)?$/i.test(type)) return false;
    return output.rows.length > 0 && output.rows.every((r) => r[i] === null || typeof r[i] === 'number');
  });
}

/**
 * The chart a result's shape suggests: a line over dates (or months) in the first column, bars over labels, none
 * when there is no label and value pair, a single row, or too many categories to read (over 100).
 */
export function chartShape(output: Pick<TableOutput, 'columns' | 'rows'>): ChartKind {
  if (output.columns.length < 2 || output.rows.length < 2 || output.rows.length > 100) return 'none';
  const numeric = numericColumns(output);
  const values = numeric.filter((i) => i !== 0);
  if (!values.length) return 'none';
  const first = output.columns[0];
  const firstIsDate = DATE_TYPE.test(first.type) || output.rows.every((r) => typeof r[0] === 'string' && /^\d{4}-\d{2}-\d{2}/.test(r[0]));
  if (firstIsDate) return 'line';
  return numeric.includes(0) ? 'none' : 'bar';
}

/** A value as CSV/TSV and plain text show it: NULL as NULL in text, empty in CSV. */
function cellText(value: QueryValue, nullText: string): string {
  return value === null ? nullText : String(value);
}

/** Comma- or tab-separated text with a header row (RFC 4180 quoting for CSV; tabs and newlines as spaces in TSV). */
export function toDelimited(columns: QueryColumn[], rows: QueryValue[][], separator: ',' | '\t', options: { header?: boolean } = {}): string {
  const field = (text: string) => {
    if (separator === '\t') return text.replace(/[\t\r\n]+/g, ' ');
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = rows.map((r) => r.map((v) => field(cellText(v, ''))).join(separator));
  if (options.header !== false) lines.unshift(columns.map((c) => field(c.name)).join(separator));
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
}

/** The output as aligned text (first rows only), for tools that do not run the renderers; says how much was left out. */
export function toPlainText(output: TableOutput): string {
  const shown = output.rows.slice(0, PLAIN_TEXT_ROWS);
  const header = output.columns.map((c) => c.name);
  const body = shown.map((r) => r.map((v) => cellText(v, 'NULL')));
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...body.map((r) => r[i].length))));
  const line = (cells: string[]) => cells.map((c, i) => (c.length > widths[i] ? `${c.slice(0, widths[i] - 1)}…` : c.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  lines.push(summaryLine(output));
  return lines.join('\n');
}

/** e.g. "10 rows · 12 ms · duckdb" or "5,000 of 1,000,000 rows shown · 2.1 s · 1.2 MB scanned · ~$0.000006 · athena". */
export function summaryLine(output: TableOutput): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const rows = output.truncated
    ? `${n(output.rows.length)} of ${output.countUnknown ? 'more than ' : ''}${n(output.totalRows)} rows shown (export for all)`
    : `${n(output.totalRows)} ${output.totalRows === 1 ? 'row' : 'rows'}`;
  const parts = [rows, formatDuration(output.stats.elapsedMs)];
  if (output.stats.bytesScanned !== undefined) parts.push(`${formatBytes(output.stats.bytesScanned)} scanned`);
  if (output.stats.costUsd !== undefined) parts.push(`~$${output.stats.costUsd.toPrecision(2)} (estimated)`);
  parts.push(output.engine);
  return parts.join(' · ');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}
