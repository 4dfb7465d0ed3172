import * as vscode from 'vscode';
import type { PreviewPage } from '../core/source/explorer';
import type { Logger } from '../core/log';
import { describeError, LabError } from '../core/errors';
import { webviewPage } from './page';
import { capCell, GRID_VIEW_TYPE, parseGridToHost, type GridCell, type GridColumn, type GridCut, type GridRendered, type HostToGrid } from './gridProtocol';
import { openValueDocument } from './valueDocuments';

/**
 * Where a grid gets its rows; resolved per page so a refreshed connection is picked up. The signal aborts when the
 * panel is closed: the page's query belongs to the panel.
 */
export type RowSource = (offset: number, limit: number, signal: AbortSignal) => Promise<PreviewPage>;

/** What a ValueSource gets: the row (as the grid holds it; key columns are never cut) and the column wanted. */
export interface ValueRequest {
  /** Row number from the grid's first row (0-based), i.e. the OFFSET that found it. */
  rowIndex: number;
  column: string;
  row: GridCell[];
  columns: GridColumn[];
  /** The primary-key columns the rows are ordered by; empty when there is none. */
  orderBy: string[];
}

/** Fetches one cell's whole value again (from the source by primary key, or from the lake), for cut cells. */
export type ValueSource = (request: ValueRequest) => Promise<string | null>;

export interface GridOpened {
  /** The first page, as sent to the grid. */
  firstPage: PreviewPage;
  /** Resolves when the page reports the first page drawn. */
  rendered: Promise<GridRendered>;
  /** What clicking a long cell does: opens its whole value in a read-only document (tests call it directly). */
  openValue(row: number, column: number): Promise<vscode.TextDocument>;
}

const PAGE_SIZE = 100;

/**
 * A read-only preview of a table in a webview: the first page on open, further pages when the page asks.
 * One panel per table; opening it again reveals it.
 */
export class GridPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, GridPanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private readonly panel: vscode.WebviewPanel;
  private columns: GridColumn[] = [];
  private rows: GridCell[][] = [];
  /** Cells sent cut, `row:column` -> the whole value's length. */
  private cut = new Map<string, number>();
  private hasMore = true;
  private orderBy: string[] = [];
  private loading?: Promise<PreviewPage>;
  private firstPage?: Promise<PreviewPage>;
  private renderedWaiters: ((r: GridRendered) => void)[] = [];
  private lastRendered?: GridRendered;
  /** Aborted on dispose, cancelling the page query still running. */
  private readonly closing = new AbortController();

  /** Opens (or reveals) the grid for `key` and resolves with its first page. */
  static async open(extensionUri: vscode.Uri, title: string, key: string, source: RowSource, log: Logger, values?: ValueSource): Promise<GridOpened> {
    let grid = GridPanel.panels.get(key);
    if (grid) grid.panel.reveal();
    else {
      grid = new GridPanel(extensionUri, title, key, source, log, values);
      GridPanel.panels.set(key, grid);
    }
    const opened = grid;
    return { firstPage: await grid.loadFirstPage(), rendered: grid.whenRendered(), openValue: (row, column) => opened.openValue(row, column) };
  }

  private constructor(
    extensionUri: vscode.Uri,
    private readonly title: string,
    private readonly key: string,
    private readonly source: RowSource,
    private readonly log: Logger,
    private readonly values?: ValueSource,
  ) {
    const roots = [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media', 'grid')];
    this.panel = vscode.window.createWebviewPanel(GRID_VIEW_TYPE, `${title} (preview)`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: roots,
    });
    // Listen before the page loads: its first message is 'ready'.
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw) => this.onMessage(raw)),
      this.panel.onDidDispose(() => this.dispose()),
    );
    this.panel.webview.html = this.html(extensionUri);
  }

  /** The first page; loads it if the page has not asked yet. */
  loadFirstPage(): Promise<PreviewPage> {
    this.firstPage ??= this.loadPage(0, true).catch((err: unknown) => {
      this.firstPage = undefined;
      throw err;
    });
    return this.firstPage;
  }

  whenRendered(): Promise<GridRendered> {
    if (this.lastRendered) return Promise.resolve(this.lastRendered);
    return new Promise((resolve) => this.renderedWaiters.push(resolve));
  }

  private onMessage(raw: unknown): void {
    const message = parseGridToHost(raw);
    if (!message) {
      this.log.warn(`Preview grid: dropped a malformed message`);
      return;
    }
    switch (message.type) {
      case 'ready':
        // A reloaded page (hidden, then shown again) gets what was loaded so far.
        if (this.rows.length) this.post(this.rowsMessage(this.rows, 0, true, this.cutIn(0, this.rows.length)));
        else void this.loadFirstPage().catch(() => undefined);
        break;
      case 'loadMore':
        if (this.hasMore && !this.loading) void this.loadPage(this.rows.length, false).catch(() => undefined);
        break;
      case 'rendered': {
        const { type: _type, ...rendered } = message;
        this.lastRendered = rendered;
        for (const resolve of this.renderedWaiters.splice(0)) resolve(rendered);
        break;
      }
      case 'openValue':
        this.openValue(message.row, message.column).catch((err: unknown) => {
          this.log.error(`Opening a value of ${this.title} failed`, err);
          void vscode.window.showErrorMessage(`Open value failed: ${describeError(err)}`);
        });
        break;
    }
  }

  /**
   * Opens a cell's whole value in a read-only `lifecycle-lab-value:` document: the value the grid holds, or,
   * when it was cut before it reached the page, the value fetched again through the ValueSource.
   */
  async openValue(row: number, column: number): Promise<vscode.TextDocument> {
    const cells = this.rows[row];
    const name = this.columns[column]?.name;
    if (!cells || name === undefined || column >= cells.length) {
      throw new LabError('internal', `The preview of ${this.title} has no cell at row ${row + 1}, column ${column + 1}.`);
    }
    let value = cells[column];
    if (this.cut.has(`${row}:${column}`)) {
      if (!this.values) throw new LabError('internal', `The preview of ${this.title} cannot fetch whole values.`);
      value = await this.values({ rowIndex: row, column: name, row: cells, columns: this.columns, orderBy: this.orderBy });
    }
    return openValueDocument(`${this.title} · ${name} · row ${row + 1}`, value ?? 'NULL');
  }

  private async loadPage(offset: number, replace: boolean): Promise<PreviewPage> {
    this.post({ type: 'loading' });
    const loading = this.source(offset, PAGE_SIZE, this.closing.signal);
    this.loading = loading;
    try {
      const page = await loading;
      // Long values are cut before they reach the page (and before the grid keeps them); the page says so.
      const cut: GridCut[] = [];
      const rows = page.rows.map((r, i) => r.map((cell, c) => {
        const capped = capCell(cell);
        if (capped.length !== undefined) cut.push({ row: i, column: c, length: capped.length });
        return capped.cell;
      }));
      this.columns = page.columns;
      this.orderBy = page.orderBy;
      this.hasMore = page.hasMore;
      if (replace) this.cut.clear();
      for (const c of cut) this.cut.set(`${offset + c.row}:${c.column}`, c.length);
      this.rows = replace ? rows : this.rows.concat(rows);
      this.post(this.rowsMessage(rows, offset, replace, cut));
      return page;
    } catch (err) {
      if (!this.closing.signal.aborted) this.log.error(`Preview of ${this.title} failed`, err);
      this.post({ type: 'error', message: describeError(err) });
      throw err;
    } finally {
      this.loading = undefined;
    }
  }

  private rowsMessage(rows: GridCell[][], offset: number, replace: boolean, cut: GridCut[]): HostToGrid {
    return { type: 'rows', title: this.title, columns: this.columns, rows, offset, replace, hasMore: this.hasMore, orderBy: this.orderBy, cut };
  }

  /** The cut cells of rows [from, to), positioned relative to `from`. */
  private cutIn(from: number, to: number): GridCut[] {
    const cut: GridCut[] = [];
    for (const [key, length] of this.cut) {
      const [row, column] = key.split(':').map(Number);
      if (row >= from && row < to) cut.push({ row: row - from, column, length });
    }
    return cut;
  }

  private post(message: HostToGrid): void {
    // A page query that ends after the panel closed (cancelled by the close) has no page to tell.
    if (this.closing.signal.aborted) return;
    void this.panel.webview.postMessage(message);
  }

  private html(extensionUri: vscode.Uri): string {
    // No data in the HTML: the page builds every cell from messages with textContent.
    return webviewPage(this.panel.webview, extensionUri, {
      title: 'Preview',
      script: 'dist/webview/grid.js',
      style: 'media/grid/grid.css',
      body: [
        '<header><span id="status" role="status">Loading…</span></header>',
        '<main><table id="grid"><thead></thead><tbody></tbody></table></main>',
        '<footer><button id="more" type="button" hidden>Load 100 more rows</button></footer>',
      ].join('\n'),
    });
  }

  dispose(): void {
    this.closing.abort();
    GridPanel.panels.delete(this.key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
