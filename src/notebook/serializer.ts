import * as vscode from 'vscode';
import { NOTEBOOK_TYPE, parseNotebook, serializeNotebook, type LabCell, type LabCellOutput, type ParsedNotebook } from '../core/notebook/format';

/** Parameters cells are JSON code cells; SQL cells are SQL; Markdown is markup. */
export const PARAMS_LANGUAGE = 'json';
export const SQL_LANGUAGE = 'sql';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toCellData(cell: LabCell): vscode.NotebookCellData {
  const data = cell.kind === 'md'
    ? new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, cell.source, 'markdown')
    : new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell.source, cell.kind === 'params' ? PARAMS_LANGUAGE : SQL_LANGUAGE);
  if (cell.metadata) data.metadata = cell.metadata;
  if (cell.outputs?.length) {
    data.outputs = cell.outputs.map((o) => new vscode.NotebookCellOutput(
      o.items.map((i) => new vscode.NotebookCellOutputItem(encoder.encode(i.text), i.mime)), o.metadata));
  }
  return data;
}

function fromCellData(cell: vscode.NotebookCellData): LabCell {
  const kind = cell.kind === vscode.NotebookCellKind.Markup ? 'md' : cell.languageId === PARAMS_LANGUAGE ? 'params' : 'sql';
  const metadata = cell.metadata && Object.keys(cell.metadata).length ? { ...cell.metadata } : undefined;
  const outputs: LabCellOutput[] | undefined = cell.outputs?.map((o) => ({
    items: o.items.map((i) => ({ mime: i.mime, text: decoder.decode(i.data) })),
    ...(o.metadata && Object.keys(o.metadata).length ? { metadata: o.metadata } : {}),
  }));
  return { kind, source: cell.value, ...(metadata ? { metadata } : {}), ...(outputs?.length ? { outputs } : {}) };
}

/**
 * The `.labnb` files as notebooks: the format lives in core (src/core/notebook/format.ts), which also reads saved
 * outputs back only as the lab writes them; this maps cell types and says once per file read when outputs were shown
 * as text instead.
 */
export class LabNotebookSerializer implements vscode.NotebookSerializer {
  constructor(private readonly notify: (message: string) => void = (message) => void vscode.window.showWarningMessage(message)) {}

  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    let notebook: ParsedNotebook;
    try {
      notebook = parseNotebook(decoder.decode(content));
    } catch (err) {
      // A file the format cannot read opens as one cell holding its text, with the reason above it, rather than not at all.
      const text = decoder.decode(content);
      notebook = { metadata: {}, cells: [{ kind: 'md', source: `**This file could not be read as a Lab notebook:** ${(err as Error).message}` }, { kind: 'sql', source: text }] };
    }
    if (notebook.setAside?.length) {
      this.notify(`This notebook has saved outputs of types the lab does not write (${notebook.setAside.join(', ')}); they are shown as text and nothing in them runs.`);
    }
    const data = new vscode.NotebookData(notebook.cells.map(toCellData));
    data.metadata = notebook.metadata;
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return encoder.encode(serializeNotebook({ metadata: { ...(data.metadata ?? {}) }, cells: data.cells.map(fromCellData) }));
  }
}

export function registerNotebookSerializer(): vscode.Disposable {
  return vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new LabNotebookSerializer());
}
