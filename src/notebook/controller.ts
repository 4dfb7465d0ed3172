import * as vscode from 'vscode';
import { describeError, isCancelled, toLabError } from '../core/errors';
import { NOTEBOOK_TYPE } from '../core/notebook/format';
import {
  CHART_MIME, chartShape, parseParamsCell, runSqlCell, TABLE_MIME, toDelimited, toPlainText, validateParams, type TableOutput,
} from '../core/notebook/execute';
import type { QueryParams, QueryResult } from '../core/query/engine';
import type { LabServices } from '../services';
import { PARAMS_LANGUAGE, SQL_LANGUAGE } from './serializer';

export const CONTROLLER_ID = 'lifecycleLab.notebook.controller';
/** The renderers' ids (package.json contributes.notebookRenderer); the table renderer asks for copies and exports. */
export const TABLE_RENDERER_ID = 'lifecycleLab.notebook.table';

/** Whole results of cut outputs, for Export: the latest few only (each may be large). */
const KEPT_RESULTS = 5;

/** What the table renderer sends. */
type RendererMessage = { type: 'copy'; text: string } | { type: 'export'; resultId: string };

/**
 * Runs SQL cells of Lab notebooks on the current backend's query engine (DuckDB over the local lake, Athena in AWS
 * mode) through the core cell runner (src/core/notebook/execute.ts). Each cell gets an execution order, start and
 * end times, and either a chart and a table output (with a text/plain fallback) or an error output of its own;
 * other cells keep theirs. Interrupt cancels the cell's token, which aborts the engine's query.
 */
export class LabNotebookController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly messaging: vscode.NotebookRendererMessaging;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly order = new Map<string, number>();
  private readonly results = new Map<string, QueryResult>();
  private nextResultId = 0;

  constructor(private readonly services: LabServices) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'Lifecycle Lab');
    this.controller.supportedLanguages = [SQL_LANGUAGE, PARAMS_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'SQL on the lab\'s lake: DuckDB locally, Athena in AWS mode';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.messaging = vscode.notebooks.createRendererMessaging(TABLE_RENDERER_ID);
    this.disposables.push(this.controller, this.messaging.onDidReceiveMessage((e) => void this.onRendererMessage(e.message as RendererMessage)));
  }

  get id(): string {
    return this.controller.id;
  }

  /** Makes this the notebook's controller (the only one for the type, but the editor asks once otherwise). */
  prefer(notebook: vscode.NotebookDocument): void {
    this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  /** Runs the cells one after another, as the editor's Run All does. */
  async execute(cells: readonly vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    for (const cell of cells) {
      if (cell.kind !== vscode.NotebookCellKind.Code) continue;
      await this.executeCell(cell, notebook);
    }
  }

  private async executeCell(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument): Promise<void> {
    const execution = this.controller.createNotebookCellExecution(cell);
    const key = notebook.uri.toString();
    const order = (this.order.get(key) ?? 0) + 1;
    this.order.set(key, order);
    execution.executionOrder = order;
    execution.start(Date.now());
    const abort = new AbortController();
    const cancel = execution.token.onCancellationRequested(() => abort.abort());
    try {
      if (cell.document.languageId === PARAMS_LANGUAGE) {
        const params = parseParamsCell(cell.document.getText());
        await execution.replaceOutput(new vscode.NotebookCellOutput([
          vscode.NotebookCellOutputItem.text(describeParams(params), 'text/plain'),
        ]));
        execution.end(true, Date.now());
        return;
      }
      const params = paramsFor(cell, notebook);
      const backend = await this.services.backend();
      const run = await runSqlCell(backend.query, cell.document.getText(), params, abort.signal);
      await execution.replaceOutput(this.outputsFor(run.output, run.result));
      execution.end(true, Date.now());
    } catch (err) {
      if (isCancelled(err) || abort.signal.aborted) {
        await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text('Interrupted: the query was cancelled.', 'text/plain')]));
        execution.end(false, Date.now());
        return;
      }
      const e = toLabError(err, 'queryFailed');
      this.services.log.warn(`Notebook cell ${cell.index + 1} of ${notebook.uri.fsPath}: ${describeError(e)}`);
      await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(cellError(e))]));
      execution.end(false, Date.now());
    } finally {
      cancel.dispose();
    }
  }

  private outputsFor(output: TableOutput, whole: QueryResult): vscode.NotebookCellOutput[] {
    const resultId = output.truncated ? this.keep(whole) : undefined;
    const payload = { ...output, ...(resultId ? { resultId } : {}) };
    const outputs: vscode.NotebookCellOutput[] = [];
    if (chartShape(output) !== 'none') {
      outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.json(payload, CHART_MIME)], { kind: 'chart' }));
    }
    outputs.push(new vscode.NotebookCellOutput([
      vscode.NotebookCellOutputItem.json(payload, TABLE_MIME),
      vscode.NotebookCellOutputItem.text(toPlainText(output), 'text/plain'),
    ], { kind: 'table', rows: output.totalRows, elapsedMs: Math.round(output.stats.elapsedMs), bytesScanned: output.stats.bytesScanned, costUsd: output.stats.costUsd }));
    return outputs;
  }

  private keep(result: QueryResult): string {
    const id = `r${++this.nextResultId}`;
    this.results.set(id, result);
    for (const old of [...this.results.keys()].slice(0, Math.max(0, this.results.size - KEPT_RESULTS))) this.results.delete(old);
    return id;
  }

  private async onRendererMessage(message: RendererMessage): Promise<void> {
    if (message?.type === 'copy' && typeof message.text === 'string') {
      await vscode.env.clipboard.writeText(message.text);
      void vscode.window.setStatusBarMessage('Copied the table', 3000);
    } else if (message?.type === 'export' && typeof message.resultId === 'string') {
      await this.services.command('Export notebook result', () => this.exportResult(message.resultId))();
    }
  }

  /** Writes the whole result behind a cut output to a CSV file the user picks. */
  async exportResult(resultId: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const result = this.results.get(resultId);
    if (!result) throw toLabError(new Error('That result is no longer kept; run the cell again, then export.'), 'queryFailed');
    const uri = target ?? await vscode.window.showSaveDialog({ filters: { CSV: ['csv'] }, saveLabel: 'Export', title: `Export ${result.rows.length.toLocaleString('en-US')} rows as CSV` });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(toDelimited(result.columns, result.rows, ',')));
    return uri;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.results.clear();
  }
}

/**
 * The parameter values a SQL cell may use: every parameters cell above it, in order (a later one overrides an
 * earlier one), then the cell's own metadata `params`. A parameters cell that does not parse fails this cell, naming it.
 */
export function paramsFor(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument): QueryParams {
  const params: QueryParams = {};
  for (const above of notebook.getCells(new vscode.NotebookRange(0, cell.index))) {
    if (above.kind !== vscode.NotebookCellKind.Code || above.document.languageId !== PARAMS_LANGUAGE) continue;
    try {
      Object.assign(params, parseParamsCell(above.document.getText()));
    } catch (err) {
      throw toLabError(new Error(`Cell ${above.index + 1} (parameters): ${(err as Error).message}`), 'queryFailed');
    }
  }
  const own = cell.metadata?.params;
  if (own !== undefined) Object.assign(params, validateParams(own, `Cell ${cell.index + 1}'s metadata "params"`));
  return params;
}

function describeParams(params: QueryParams): string {
  const entries = Object.entries(params);
  if (!entries.length) return 'No parameters.';
  return `Parameters for the SQL cells below:\n${entries.map(([k, v]) => `  :${k} = ${JSON.stringify(v)}`).join('\n')}`;
}

/** An error output: the message with its next step; no stack (the log has it), a name the user can read. */
function cellError(e: ReturnType<typeof toLabError>): Error {
  const names: Partial<Record<string, string>> = {
    lakeMissing: 'No lake yet', lakeDamaged: 'Lake damaged', awsCredentials: 'AWS credentials', config: 'Settings', queryFailed: 'Query failed',
  };
  const error = new Error(describeError(e));
  error.name = names[e.code] ?? 'Error';
  error.stack = '';
  return error;
}
