/**
 * The Lab notebook's file format (`.labnb`): plain text that diffs cleanly in git. A header line, then each cell as a
 * marker line and its text as typed:
 *
 *   -- lifecycle-lab notebook v1 {"saveOutputs":false}
 *   -- %% md
 *   # Top-10 countries
 *   -- %% sql
 *   select ...
 *   -- %% params
 *   {"country": "USA"}
 *
 * Metadata rides on the marker line as JSON with sorted keys, so saving twice gives the same bytes. Outputs are
 * written (one `-- %% output` line each, after their cell) only when the notebook's metadata says `saveOutputs: true`.
 * A line of cell text starting with `-- %%` gets one more `%` on disk and loses it when read back.
 *
 * A file may come from anyone, so saved outputs are read back only as the lab writes them (its table and chart JSON,
 * rebuilt field by field, and text/plain): any other type (HTML, script, Markdown, an error) comes back as text, and
 * the parse says which types it set aside. Nothing in the file (metadata, a marker) can make it trust an output.
 */
import { CHART_MIME, TABLE_MIME, tableOutputFrom } from './execute';

export const NOTEBOOK_TYPE = 'lifecycle-lab-notebook';
export const NOTEBOOK_EXTENSION = '.labnb';
const HEADER = '-- lifecycle-lab notebook v1';
const MARKER = /^-- %% ([a-z]+)(?: (.*))?$/;

/** `sql`: a query; `md`: Markdown; `params`: a JSON object of `:name` parameter values for the SQL cells below it. */
export type LabCellKind = 'sql' | 'md' | 'params';
const CELL_KINDS: readonly LabCellKind[] = ['sql', 'md', 'params'];

export type JsonObject = Record<string, unknown>;

/** One output as saved: its items' mime types and text (every item the lab writes is text: JSON, CSV, plain). */
export interface LabCellOutput {
  items: Array<{ mime: string; text: string }>;
  metadata?: JsonObject;
}

export interface LabCell {
  kind: LabCellKind;
  source: string;
  metadata?: JsonObject;
  outputs?: LabCellOutput[];
}

export interface LabNotebook {
  /** `saveOutputs: true` keeps outputs in the file; anything else is kept as given. */
  metadata: JsonObject;
  cells: LabCell[];
}

/** A notebook read from file text; `setAside` lists (once each) the saved output types that came back as text. */
export interface ParsedNotebook extends LabNotebook {
  setAside?: string[];
}

const PLAIN = 'text/plain';
/** What a saved output's metadata may hold (the controller's: the output's kind and its summary numbers). */
const OUTPUT_METADATA: Record<string, 'string' | 'number'> = { kind: 'string', rows: 'number', elapsedMs: 'number', bytesScanned: 'number', costUsd: 'number' };
/** The editor's error output: JSON with a name and a message. */
const ERROR_MIME = 'application/vnd.code.notebook.error';

/**
 * One saved output as the lab writes them: text/plain as it is, table and chart JSON rebuilt by tableOutputFrom,
 * anything else set aside (its type added to `setAside`) and shown as text when the output has no text of its own.
 * Undefined when nothing is left.
 */
function gateOutput(raw: unknown, setAside: Set<string>): LabCellOutput | undefined {
  const output = raw as { items?: unknown; metadata?: unknown };
  const items: LabCellOutput['items'] = [];
  let asText: string | undefined;
  for (const item of Array.isArray(output.items) ? output.items as unknown[] : []) {
    const { mime, text } = (item ?? {}) as { mime?: unknown; text?: unknown };
    if (typeof mime !== 'string' || typeof text !== 'string') continue;
    if (mime === PLAIN) {
      items.push({ mime, text });
      continue;
    }
    if (mime === TABLE_MIME || mime === CHART_MIME) {
      const table = tableOutputFrom(parseJson(text));
      if (table) {
        items.push({ mime, text: JSON.stringify(table) });
        continue;
      }
    }
    setAside.add(mime);
    asText ??= mime === ERROR_MIME ? errorText(text) : text;
  }
  if (asText !== undefined && !items.some((i) => i.mime === PLAIN)) items.push({ mime: PLAIN, text: asText });
  if (!items.length) return undefined;
  const metadata: JsonObject = {};
  if (output.metadata && typeof output.metadata === 'object') {
    for (const [key, value] of Object.entries(output.metadata)) {
      if (OUTPUT_METADATA[key] === typeof value && (typeof value !== 'number' || Number.isFinite(value))) metadata[key] = value;
    }
  }
  return { items, ...(isEmpty(metadata) ? {} : { metadata }) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorText(text: string): string {
  const error = parseJson(text) as { name?: unknown; message?: unknown } | undefined;
  return typeof error?.message === 'string' ? `${typeof error.name === 'string' ? `${error.name}: ` : ''}${error.message}` : text;
}

/** JSON with object keys sorted at every level, on one line: the same value always gives the same text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const sorted: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as JsonObject)[key];
      if (v !== undefined) sorted[key] = sortKeys(v);
    }
    return sorted;
  }
  return value;
}

function isEmpty(obj: JsonObject | undefined): boolean {
  return !obj || Object.keys(obj).every((k) => obj[k] === undefined);
}

/** Cell text lines starting with `-- %%` get one more `%` on disk, so no cell text reads as a marker. */
function escapeLine(line: string): string {
  return line.startsWith('-- %%') ? `-- %${line.slice(3)}` : line;
}

function unescapeLine(line: string): string {
  return line.startsWith('-- %%%') ? `-- ${line.slice(4)}` : line;
}

/** The notebook as file text. Outputs are written only when `metadata.saveOutputs === true`. */
export function serializeNotebook(notebook: LabNotebook): string {
  const saveOutputs = notebook.metadata.saveOutputs === true;
  const lines = [isEmpty(notebook.metadata) ? HEADER : `${HEADER} ${stableJson(notebook.metadata)}`];
  for (const cell of notebook.cells) {
    lines.push(isEmpty(cell.metadata) ? `-- %% ${cell.kind}` : `-- %% ${cell.kind} ${stableJson(cell.metadata)}`);
    lines.push(...cell.source.split('\n').map(escapeLine));
    if (saveOutputs) {
      for (const output of cell.outputs ?? []) lines.push(`-- %% output ${stableJson(output)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads file text written by serializeNotebook (or by hand). Text before the first marker becomes a SQL cell, so a
 * plain .sql file renamed to .labnb opens as one cell. Throws an Error naming the line for a marker it cannot read.
 */
export function parseNotebook(text: string): ParsedNotebook {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let metadata: JsonObject = {};
  let start = 0;
  if (lines[0] !== undefined && (lines[0] === HEADER || lines[0].startsWith(`${HEADER} `))) {
    const json = lines[0].slice(HEADER.length).trim();
    if (json) metadata = parseObject(json, 1);
    start = 1;
  }
  const cells: LabCell[] = [];
  const setAside = new Set<string>();
  let current: { cell: LabCell; lines: string[] } | undefined;
  const finish = () => {
    if (!current) return;
    current.cell.source = current.lines.join('\n');
    cells.push(current.cell);
    current = undefined;
  };
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    const marker = MARKER.exec(line);
    if (marker && marker[1] === 'output') {
      const target = current?.cell ?? cells[cells.length - 1];
      if (!target) throw new Error(`Line ${i + 1}: an output before any cell.`);
      const output = parseObject(marker[2] ?? '', i + 1);
      if (!Array.isArray(output.items)) throw new Error(`Line ${i + 1}: an output needs an "items" list.`);
      const gated = gateOutput(output, setAside);
      // The cell is marked as having outputs even when none came through, so text after it still reads as an error.
      target.outputs ??= [];
      if (gated) target.outputs.push(gated);
      continue;
    }
    if (marker) {
      if (!(CELL_KINDS as readonly string[]).includes(marker[1])) {
        throw new Error(`Line ${i + 1}: unknown cell kind "${marker[1]}" (expected ${CELL_KINDS.join(', ')}).`);
      }
      finish();
      const cellMetadata = marker[2] ? parseObject(marker[2], i + 1) : undefined;
      current = { cell: { kind: marker[1] as LabCellKind, source: '', ...(cellMetadata ? { metadata: cellMetadata } : {}) }, lines: [] };
      continue;
    }
    if (current?.cell.outputs) {
      throw new Error(`Line ${i + 1}: cell text after the cell's outputs.`);
    }
    current ??= { cell: { kind: 'sql', source: '' }, lines: [] };
    current.lines.push(unescapeLine(line));
  }
  finish();
  for (const cell of cells) if (cell.outputs && !cell.outputs.length) delete cell.outputs;
  return { metadata, cells, ...(setAside.size ? { setAside: [...setAside] } : {}) };
}

function parseObject(json: string, line: number): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`Line ${line}: the metadata is not valid JSON (${(err as Error).message}).`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`Line ${line}: the metadata must be a JSON object.`);
  return value as JsonObject;
}
