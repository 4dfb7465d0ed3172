import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { withCancellableProgress } from '../commands/progress';
import { describeError, isCancelled, LabError, toLabError } from '../core/errors';
import { NOTEBOOK_TYPE } from '../core/notebook/format';
import {
  CHART_MIME, chartShape, exportQueryCsv, parseParamsCell, runSqlCell, TABLE_MIME, toPlainText, validateParams, type TableOutput,
} from '../core/notebook/execute';
import type { QueryParams } from '../core/query/engine';
import type { LabServices } from '../services';
import { parseRendererMessage } from './rendererMessages';
import { PARAMS_LANGUAGE, SQL_LANGUAGE } from './serializer';

export const CONTROLLER_ID = 'lifecycleLab.notebook.controller';
/** The renderers' ids (package.json contributes.notebookRenderer); the table renderer asks for copies and exports. */
export const TABLE_RENDERER_ID = 'lifecycleLab.notebook.table';

/** Queries of cut outputs kept for Export (each is its SQL and parameters, run again on export). */
const KEPT_RESULTS = 100;
/** Query outcomes kept for the test API. */
const KEPT_OUTCOMES = 20;

/** A cut output's query, to run again into the export file. */
interface KeptQuery {
  notebook: string;
  sql: string;
  params: QueryParams;
}

/** How a cell's query ended (for the test API): `cancelled` says why (interrupted, notebook closed, window closing). */
export interface QueryOutcome {
  notebook: string;
  cell: number;
  outcome: 'ok' | 'failed' | 'cancelled';
  reason?: string;
}

/**
 * Runs SQL cells of Lab notebooks on the current backend's query engine (DuckDB over the local lake, Athena in AWS
 * mode) through the core cell runner (src/core/notebook/execute.ts). Each cell gets an execution order, start and
 * end times, and either a chart and a table output (with a text/plain fallback) or an error output of its own;
 * other cells keep theirs. A cell keeps only the rows it shows; Export runs its query again into the file.
 * Queries belong to their notebook: Interrupt, closing the notebook, or the window closing or reloading (dispose)
 * aborts them, which interrupts the engine's query.
 */
export class LabNotebookController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly messaging: vscode.NotebookRendererMessaging;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly order = new Map<string, number>();
  private readonly kept = new Map<string, KeptQuery>();
  /** Running queries (cells and exports) by notebook URI. */
  private readonly running = new Map<string, Set<AbortController>>();
  private readonly outcomes: QueryOutcome[] = [];

  constructor(private readonly services: LabServices) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'Lifecycle Lab');
    this.controller.supportedLanguages = [SQL_LANGUAGE, PARAMS_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'SQL on the lab\'s lake: DuckDB locally, Athena in AWS mode';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.messaging = vscode.notebooks.createRendererMessaging(TABLE_RENDERER_ID);
    this.disposables.push(
      this.controller,
      this.messaging.onDidReceiveMessage((e) => void this.onRendererMessage(e.message, e.editor.notebook)),
      vscode.workspace.onDidCloseNotebookDocument((notebook) => this.forget(notebook.uri.toString(), 'the notebook was closed')),
      services.onShutdown(() => Promise.resolve(this.cancelAll('the window is closing'))),
    );
  }

  get id(): string {
    return this.controller.id;
  }

  /** Makes this the notebook's controller (the only one for the type, but the editor asks once otherwise). */
  prefer(notebook: vscode.NotebookDocument): void {
    this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  /** Queries running now, and how the latest ones ended (the test API). */
  queries(): { running: number; ended: QueryOutcome[] } {
    return { running: [...this.running.values()].reduce((n, set) => n + set.size, 0), ended: [...this.outcomes] };
  }

  /** Runs the cells one after another, as the editor's Run All does. */
  async execute(cells: readonly vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    for (const cell of cells) {
      if (cell.kind !== vscode.NotebookCellKind.Code) continue;
      if (notebook.isClosed) return;
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
    const abort = this.track(key);
    const cancel = execution.token.onCancellationRequested(() => abort.abort('interrupted'));
    const outcome = (result: QueryOutcome['outcome'], reason?: string) => {
      this.outcomes.push({ notebook: key, cell: cell.index, outcome: result, ...(reason ? { reason } : {}) });
      this.outcomes.splice(0, Math.max(0, this.outcomes.length - KEPT_OUTCOMES));
    };
    try {
      if (cell.document.languageId === PARAMS_LANGUAGE) {
        const params = parseParamsCell(cell.document.getText());
        await finish(execution, notebook, [new vscode.NotebookCellOutput([
          vscode.NotebookCellOutputItem.text(describeParams(params), 'text/plain'),
        ])], true);
        return;
      }
      const params = paramsFor(cell, notebook);
      const backend = await this.services.backend();
      const sql = cell.document.getText();
      const run = await runSqlCell(backend.query, sql, params, abort.signal);
      await finish(execution, notebook, this.outputsFor(run.output, key, sql), true);
      outcome('ok');
    } catch (err) {
      if (isCancelled(err) || abort.signal.aborted) {
        const reason = typeof abort.signal.reason === 'string' ? abort.signal.reason : 'interrupted';
        outcome('cancelled', reason);
        if (reason !== 'interrupted') this.services.log.info(`Notebook cell ${cell.index + 1} of ${notebook.uri.fsPath}: query cancelled (${reason})`);
        await finish(execution, notebook, [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text('Interrupted: the query was cancelled.', 'text/plain')])], false);
        return;
      }
      const e = toLabError(err, 'queryFailed');
      outcome('failed', e.message);
      this.services.log.warn(`Notebook cell ${cell.index + 1} of ${notebook.uri.fsPath}: ${describeError(e)}`);
      await finish(execution, notebook, [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(cellError(e))])], false);
    } finally {
      cancel.dispose();
      this.untrack(key, abort);
    }
  }

  private outputsFor(output: TableOutput, notebook: string, sql: string): vscode.NotebookCellOutput[] {
    const resultId = output.truncated ? this.keep({ notebook, sql, params: output.params }) : undefined;
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

  /** Keeps a cut output's query under an id no file can know (a saved output's id is stripped when read back anyway). */
  private keep(query: KeptQuery): string {
    const id = randomUUID();
    this.kept.set(id, query);
    for (const old of [...this.kept.keys()].slice(0, Math.max(0, this.kept.size - KEPT_RESULTS))) this.kept.delete(old);
    return id;
  }

  private track(notebook: string): AbortController {
    const abort = new AbortController();
    const set = this.running.get(notebook) ?? new Set<AbortController>();
    set.add(abort);
    this.running.set(notebook, set);
    return abort;
  }

  private untrack(notebook: string, abort: AbortController): void {
    const set = this.running.get(notebook);
    set?.delete(abort);
    if (set && !set.size) this.running.delete(notebook);
  }

  /** A notebook closed: its queries are cancelled and its kept queries dropped. */
  private forget(notebook: string, reason: string): void {
    for (const abort of this.running.get(notebook) ?? []) abort.abort(reason);
    for (const [id, query] of this.kept) if (query.notebook === notebook) this.kept.delete(id);
    this.order.delete(notebook);
  }

  private cancelAll(reason: string): void {
    for (const set of this.running.values()) for (const abort of set) abort.abort(reason);
  }

  private async onRendererMessage(raw: unknown, notebook: vscode.NotebookDocument): Promise<void> {
    // Only the lab's own notebooks: another notebook type may show an output of the lab's mime type.
    if (notebook.notebookType !== NOTEBOOK_TYPE) return;
    const parsed = parseRendererMessage(raw);
    if ('refused' in parsed) {
      this.services.log.warn(`Notebook: a table renderer message was refused (${parsed.refused}).`);
      return;
    }
    const message = parsed.message;
    if (message.type === 'copy') {
      await vscode.env.clipboard.writeText(message.text);
      void vscode.window.setStatusBarMessage('Copied the table', 3000);
    } else {
      const resultId = message.resultId;
      if (this.kept.get(resultId)?.notebook !== notebook.uri.toString()) return;
      await this.services.command('Export notebook result', () => this.exportResult(resultId))();
    }
  }

  /**
   * Runs a cut output's query again and writes every row to a CSV file the user picks, batch by batch as the engine
   * reads them (memory does not grow with the result), under a cancellable progress notification. The query belongs
   * to its notebook like a cell's: closing the notebook cancels it. A cancelled or failed export leaves no file.
   */
  async exportResult(resultId: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const query = this.kept.get(resultId);
    if (!query) throw new LabError('queryFailed', 'That result is no longer kept; run the cell again, then export.');
    const uri = target ?? await vscode.window.showSaveDialog({ filters: { CSV: ['csv'] }, saveLabel: 'Export', title: 'Export all rows as CSV (the query runs again)' });
    if (!uri) return undefined;
    if (uri.scheme !== 'file') throw new LabError('config', `Export writes a file on disk; ${uri.toString()} is not one. Pick a folder on this machine.`);
    const backend = await this.services.backend();
    const own = this.track(query.notebook);
    try {
      const rows = await withCancellableProgress(`Exporting to ${path.basename(uri.fsPath)}`, async ({ signal }) => {
        const stop = () => own.abort('export cancelled');
        signal.addEventListener('abort', stop, { once: true });
        const file = await fs.open(uri.fsPath, 'w');
        let ok = false;
        try {
          const written = await exportQueryCsv(backend.query, query.sql, query.params, async (text) => { await file.write(text); }, own.signal);
          ok = true;
          return written;
        } finally {
          signal.removeEventListener('abort', stop);
          await file.close();
          if (!ok) await fs.rm(uri.fsPath, { force: true });
        }
      });
      this.services.log.info(`Exported ${rows.toLocaleString('en-US')} rows to ${uri.fsPath}`);
      return uri;
    } finally {
      this.untrack(query.notebook, own);
    }
  }

  dispose(): void {
    this.cancelAll('the extension is stopping');
    for (const d of this.disposables.splice(0)) d.dispose();
    this.kept.clear();
  }
}

/** Replaces the cell's outputs and ends its execution; a notebook closed meanwhile has no cell left to write to. */
async function finish(execution: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument, outputs: vscode.NotebookCellOutput[], success: boolean): Promise<void> {
  if (notebook.isClosed) {
    try { execution.end(success, Date.now()); } catch { /* the editor already dropped the execution with the notebook */ }
    return;
  }
  await execution.replaceOutput(outputs);
  execution.end(success, Date.now());
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
  const own: unknown = cell.metadata?.params;
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
