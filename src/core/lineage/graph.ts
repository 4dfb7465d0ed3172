/**
 * The lab's lineage graph: source columns → model expressions → lake columns → the dashboard's cards and the lab
 * notebook's cells that read them. Model lineage comes from glue/sql (core/model); a card's or cell's reads from its
 * own SQL, so nothing here is kept by hand.
 */
import * as fs from 'node:fs/promises';
import type { DatasetId } from '../dashboard/model';
import { QUERIES, type QueryId } from '../dashboard/queries';
import { LabError } from '../errors';
import { loadModel } from '../lake/model';
import { SOURCE_TABLES } from '../lake/sourceSchema';
import { modelLineage, queryReads, SqlParser, type ColumnLineage, type ColumnRef } from '../model';
import { labNotebook } from '../notebook/labNotebook';
import { compileParams } from '../query/params';
import type { LineageFocus, LineageNode } from './types';

export type { LineageFocus, LineageNode } from './types';

/** A question asked of the lake: a dashboard card's query or a lab-notebook cell. */
export interface LakeReader {
  kind: 'card' | 'cell';
  /** The dashboard query id, or the notebook cell's question. */
  id: string;
  title: string;
  tables: string[];
  reads: ColumnRef[];
  /** Names the query uses that the lake tables do not have (the model changed under it). */
  missing: string[];
}

export interface LineageGraph {
  columns: ColumnLineage[];
  readers: LakeReader[];
}

/** The queries the dashboard's cards ask (the metadata queries that read information_schema are not cards). */
const CARD_QUERIES: readonly QueryId[] = [
  'factRows', 'kpis', 'salesByCountryTop10', 'salesByProductLine', 'monthlySales', 'topProducts', 'products', 'salesDetail',
  'filterCountries', 'filterProductLines', 'orderDateRange',
];

/** `:name` placeholders as DuckDB's `$name`, so the parser reads them as parameters. */
function asDollarParams(sql: string, names: readonly string[]): string {
  return compileParams(sql, Object.fromEntries(names.map((n) => [n, ''])), 'dollar').sql;
}

/** Builds the whole graph from the model folder (one parser session for everything). */
export async function lineageGraph(modelDir: string): Promise<LineageGraph> {
  const files = await loadModel(modelDir);
  const models = await Promise.all(files.map(async (f) => ({ table: f.table, published: f.published, file: f.file, text: await fs.readFile(f.file, 'utf8') })));
  const sources = new Map(SOURCE_TABLES.map((t) => [t.name, t.columns.map((c) => c.name)]));
  const parser = new SqlParser();
  try {
    const model = await modelLineage(models, sources, parser);
    const lake = new Map([...model.tables].filter(([table]) => files.find((f) => f.table === table)?.published));
    const readers: LakeReader[] = [];
    for (const id of CARD_QUERIES) {
      const q = QUERIES[id];
      const r = await queryReads(asDollarParams(q.sql('star-v1'), q.params), `The dashboard query ${id}`, lake, parser);
      readers.push({ kind: 'card', id, title: q.title, ...r });
    }
    const notebook = labNotebook();
    let params: string[] = [];
    let heading = '';
    for (const cell of notebook.cells) {
      if (cell.kind === 'params') params = Object.keys(JSON.parse(cell.source) as object);
      if (cell.kind === 'md') heading = /^#+\s*(?:\d+\.\s*)?(.+)$/m.exec(cell.source)?.[1] ?? heading;
      if (cell.kind !== 'sql') continue;
      const asked = cell.metadata?.question;
      const question = typeof asked === 'string' ? asked : '';
      if (question === 'tableColumns') continue; // reads information_schema, not the lake's columns
      const used = params.filter((p) => cell.source.includes(`:${p}`));
      const r = await queryReads(asDollarParams(cell.source, used), `The lab notebook cell ${question}`, lake, parser);
      const comment = /^--\s*(.+)$/.exec(cell.source.split('\n')[0])?.[1];
      readers.push({ kind: 'cell', id: question, title: comment ?? heading, ...r });
    }
    return { columns: model.columns, readers };
  } finally {
    parser.close();
  }
}

export interface ColumnView {
  column: ColumnLineage;
  /** The model columns it reads, recursively (earlier models first). */
  upstream: ColumnLineage[];
  /** Model columns that read it, recursively. */
  downstream: ColumnLineage[];
  /** Cards and cells that read it, or read a lake column that comes from it. */
  readers: LakeReader[];
}

const same = (a: ColumnRef, b: ColumnRef) => a.table.toLowerCase() === b.table.toLowerCase() && a.column.toLowerCase() === b.column.toLowerCase();

/**
 * One column's neighbourhood in the graph, for `table.column` (a model or lake column, or a source column: then
 * `column` is its first reader and upstream is empty).
 */
export function columnView(graph: LineageGraph, name: string): ColumnView | { source: ColumnRef; downstream: ColumnLineage[]; readers: LakeReader[] } {
  const [table, column] = name.split('.');
  if (!table || !column) throw new LabError('config', `Name a column as table.column (got ${name}).`);
  const ref = { table, column };
  const found = graph.columns.find((c) => same(c, ref));
  const downstreamOf = (start: ColumnRef[]): ColumnLineage[] => {
    const out: ColumnLineage[] = [];
    let frontier = start;
    while (frontier.length) {
      const next = graph.columns.filter((c) => !out.includes(c) && c.reads.some((r) => frontier.some((f) => same(r, f))));
      out.push(...next);
      frontier = next;
    }
    return out;
  };
  const readersOf = (cols: ColumnRef[]) => graph.readers.filter((r) => r.reads.some((read) => cols.some((c) => same(read, c))));
  if (!found) {
    const source = SOURCE_TABLES.find((t) => t.name.toLowerCase() === table.toLowerCase())?.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
    if (!source) {
      throw new LabError('config', `${name} is neither a column of the model (${[...new Set(graph.columns.map((c) => c.table))].join(', ')}) nor a source column the model reads.`);
    }
    const src = { table: SOURCE_TABLES.find((t) => t.name.toLowerCase() === table.toLowerCase())!.name, column: source.name };
    const downstream = downstreamOf([src]);
    return { source: src, downstream, readers: readersOf(downstream.filter((c) => c.published)) };
  }
  const upstream: ColumnLineage[] = [];
  let frontier = found.reads;
  while (frontier.length) {
    const next = graph.columns.filter((c) => !upstream.includes(c) && frontier.some((f) => same(c, f)));
    upstream.unshift(...next);
    frontier = next.flatMap((c) => c.reads);
  }
  const downstream = downstreamOf([found]);
  return { column: found, upstream, downstream, readers: readersOf([found, ...downstream].filter((c) => c.published)) };
}

const refId = (graph: LineageGraph, r: ColumnRef) =>
  graph.columns.some((c) => same(c, r)) ? `model:${r.table}.${r.column}` : `source:${r.table}.${r.column}`;

/**
 * The part of the graph around one column, as nodes and edges to draw: everything it comes from (down to source
 * columns), everything that reads it (model columns, cards, notebook cells), and the edges between those.
 */
export function lineageFocus(graph: LineageGraph, name: string): LineageFocus {
  const reader = /^(card|cell|dataset):(.+)$/.exec(name);
  if (reader) return readerFocus(graph, reader[1] as 'card' | 'cell' | 'dataset', reader[2]);
  const view = columnView(graph, name);
  const models = 'source' in view ? view.downstream : [...view.upstream, view.column, ...view.downstream];
  const focus = 'source' in view ? `source:${view.source.table}.${view.source.column}` : `model:${view.column.table}.${view.column.column}`;
  return drawn(graph, focus, models, view.readers, 'source' in view ? view.source : undefined);
}

/** Which named queries a dashboard card asks (the dashboard's dataset ids are not query ids). */
const DATASET_QUERIES: Record<DatasetId, readonly QueryId[]> = {
  lakeStatus: ['factRows'],
  kpis: ['kpis'],
  salesByCountry: ['salesByCountryTop10'],
  salesByProductLine: ['salesByProductLine'],
  monthlySales: ['monthlySales'],
  filterOptions: ['filterCountries', 'filterProductLines', 'orderDateRange'],
  topProducts: ['topProducts'],
  products: ['products'],
  salesDetail: ['salesDetail'],
};

/** The graph behind a card or a notebook cell: the lake columns it reads and everything they come from. */
function readerFocus(graph: LineageGraph, kind: 'card' | 'cell' | 'dataset', id: string): LineageFocus {
  const ids: readonly string[] = kind === 'dataset' ? DATASET_QUERIES[id as DatasetId] ?? [] : [id];
  const readers = graph.readers.filter((r) => (kind === 'cell' ? r.kind === 'cell' : r.kind === 'card') && ids.includes(r.id));
  if (!readers.length) throw new LabError('config', `No ${kind === 'cell' ? 'notebook cell' : 'dashboard card'} ${id} reads the lake.`);
  const models: ColumnLineage[] = [];
  let frontier: ColumnRef[] = readers.flatMap((r) => r.reads);
  while (frontier.length) {
    const next = graph.columns.filter((c) => !models.includes(c) && frontier.some((f) => same(c, f)));
    models.unshift(...next);
    frontier = next.flatMap((c) => c.reads);
  }
  return drawn(graph, `${readers[0].kind}:${readers[0].id}`, models, readers);
}

function drawn(graph: LineageGraph, focus: string, models: ColumnLineage[], readers: LakeReader[], source?: ColumnRef): LineageFocus {
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, { from: string; to: string }>();
  const edge = (from: string, to: string) => edges.set(`${from}>${to}`, { from, to });
  const sourceNode = (r: ColumnRef) => nodes.set(`source:${r.table}.${r.column}`, {
    id: `source:${r.table}.${r.column}`, lane: 'source', label: `${r.table}.${r.column}`, detail: 'source column', column: `${r.table}.${r.column}`,
  });
  if (source) sourceNode(source);
  for (const c of models) {
    const id = `model:${c.table}.${c.column}`;
    nodes.set(id, { id, lane: c.published ? 'lake' : 'staging', label: `${c.table}.${c.column}`, detail: c.expression, file: c.file, line: c.line, column: `${c.table}.${c.column}` });
  }
  for (const c of models) {
    for (const r of c.reads) {
      const from = refId(graph, r);
      if (from.startsWith('source:')) sourceNode(r);
      if (nodes.has(from)) edge(from, `model:${c.table}.${c.column}`);
    }
  }
  for (const reader of readers) {
    const id = `${reader.kind}:${reader.id}`;
    nodes.set(id, { id, lane: 'reader', label: `${reader.kind === 'card' ? 'Dashboard' : 'Notebook'}: ${reader.title}`, detail: reader.id });
    for (const r of reader.reads) {
      const from = `model:${r.table}.${r.column}`;
      if (nodes.has(from)) edge(from, id);
    }
  }
  return { focus, nodes: [...nodes.values()], edges: [...edges.values()] };
}
