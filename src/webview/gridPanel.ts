import * as vscode from 'vscode';
import type { PreviewPage } from '../core/source/explorer';
import type { Logger } from '../core/log';
import { describeError } from '../core/errors';
import { webviewPage } from './page';
import { GRID_VIEW_TYPE, parseGridToHost, type GridCell, type GridColumn, type GridRendered, type HostToGrid } from './gridProtocol';

/** Where a grid gets its rows; resolved per page so a refreshed connection is picked up. */
export type RowSource = (offset: number, limit: number) => Promise<PreviewPage>;

export interface GridOpened {
  /** The first page, as sent to the grid. */
  firstPage: PreviewPage;
  /** Resolves when the page reports the first page drawn. */
  rendered: Promise<GridRendered>;
}

const PAGE_SIZE = 100;
/** Longer values are cut before they reach the page: a preview must not ship megabytes of one text column. */
const MAX_CELL_CHARS = 64 * 1024;

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
  private hasMore = true;
  private orderBy: string[] = [];
  private loading?: Promise<PreviewPage>;
  private firstPage?: Promise<PreviewPage>;
  private renderedWaiters: ((r: GridRendered) => void)[] = [];
  private lastRendered?: GridRendered;

  /** Opens (or reveals) the grid for `key` and resolves with its first page. */
  static async open(extensionUri: vscode.Uri, title: string, key: string, source: RowSource, log: Logger): Promise<GridOpened> {
    let grid = GridPanel.panels.get(key);
    if (grid) grid.panel.reveal();
    else {
      grid = new GridPanel(extensionUri, title, key, source, log);
      GridPanel.panels.set(key, grid);
    }
    return { firstPage: await grid.loadFirstPage(), rendered: grid.whenRendered() };
  }

  private constructor(
    extensionUri: vscode.Uri,
    private readonly title: string,
    private readonly key: string,
    private readonly source: RowSource,
    private readonly log: Logger,
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
        if (this.rows.length) this.post(this.rowsMessage(this.rows, 0, true));
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
    }
  }

  private async loadPage(offset: number, replace: boolean): Promise<PreviewPage> {
    this.post({ type: 'loading' });
    const loading = this.source(offset, PAGE_SIZE);
    this.loading = loading;
    try {
      const page = await loading;
      const rows = page.rows.map((r) => r.map(capCell));
      this.columns = page.columns;
      this.orderBy = page.orderBy;
      this.hasMore = page.hasMore;
      this.rows = replace ? rows : this.rows.concat(rows);
      this.post(this.rowsMessage(rows, offset, replace));
      return page;
    } catch (err) {
      this.log.error(`Preview of ${this.title} failed`, err);
      this.post({ type: 'error', message: describeError(err) });
      throw err;
    } finally {
      this.loading = undefined;
    }
  }

  private rowsMessage(rows: GridCell[][], offset: number, replace: boolean): HostToGrid {
    return { type: 'rows', title: this.title, columns: this.columns, rows, offset, replace, hasMore: this.hasMore, orderBy: this.orderBy };
  }

  private post(message: HostToGrid): void {
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
    GridPanel.panels.delete(this.key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function capCell(cell: GridCell): GridCell {
  return cell !== null && cell.length > MAX_CELL_CHARS ? `${cell.slice(0, MAX_CELL_CHARS)}… (${cell.length.toLocaleString('en-US')} characters)` : cell;
}
