import * as vscode from 'vscode';
import type { LineageFocus, LineageGraph } from '../core/lineage/graph';
import { describeError } from '../core/errors';
import type { Logger } from '../core/log';
import { LINEAGE_VIEW_TYPE, parseLineageToHost, type HostToLineage, type LineageRendered } from './lineageProtocol';
import { webviewPage } from './page';

/**
 * Show Lineage: one panel drawing the graph around a column (source columns → model expressions → lake columns →
 * dashboard cards and notebook cells). Picking a model column opens its SQL at the line; picking any column node
 * makes it the focus.
 */
export class LineagePanel implements vscode.Disposable {
  private static current?: LineagePanel;

  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private focus?: LineageFocus;
  private ready = false;
  private renderedWaiters: ((r: LineageRendered) => void)[] = [];
  private lastRendered?: LineageRendered;

  /** Opens (or reuses) the panel on `column` (`table.column`). */
  static async show(extensionUri: vscode.Uri, graph: () => Promise<LineageGraph>, column: string, log: Logger): Promise<LineagePanel> {
    const panel = LineagePanel.current ?? new LineagePanel(extensionUri, graph, log);
    LineagePanel.current = panel;
    panel.panel.reveal();
    await panel.showColumn(column);
    return panel;
  }

  static get open(): LineagePanel | undefined {
    return LineagePanel.current;
  }

  private constructor(extensionUri: vscode.Uri, private readonly graph: () => Promise<LineageGraph>, private readonly log: Logger) {
    this.panel = vscode.window.createWebviewPanel(LINEAGE_VIEW_TYPE, 'Lineage', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    this.panel.webview.html = webviewPage(this.panel.webview, extensionUri, {
      title: 'Lineage',
      script: 'dist/webview/lineage.js',
      style: 'media/lineage/lineage.css',
      body: '<header><h1 id="title">Lineage</h1><p id="hint">Arrow keys move between columns; Enter opens the SQL; Space makes a column the focus.</p></header><p id="status" role="status"></p><div id="graph" role="tree" aria-label="Column lineage"></div>',
    });
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
    );
  }

  async showColumn(column: string): Promise<void> {
    try {
      const { lineageFocus } = await import('../core/lineage/graph');
      this.focus = lineageFocus(await this.graph(), column);
      this.panel.title = `Lineage: ${column}`;
      this.post({ type: 'graph', graph: this.focus });
    } catch (err) {
      this.log.warn(`Show Lineage ${column}: ${describeError(err)}`);
      this.post({ type: 'error', message: describeError(err) });
      throw err;
    }
  }

  /** Resolves with the page's next report of what it drew (or the last one when it already drew the current focus). */
  whenRendered(): Promise<LineageRendered> {
    if (this.lastRendered && this.focus && this.lastRendered.focus === this.focus.focus) return Promise.resolve(this.lastRendered);
    return new Promise((resolve) => this.renderedWaiters.push(resolve));
  }

  /** What the page last drew. */
  get rendered(): LineageRendered | undefined {
    return this.lastRendered;
  }

  /** The same action as picking a node in the page. */
  async openNode(id: string): Promise<vscode.TextEditor | undefined> {
    const node = this.focus?.nodes.find((n) => n.id === id);
    if (!node?.file) return undefined;
    const line = Math.max(0, (node.line ?? 1) - 1);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(node.file));
    return vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0), viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  private post(message: HostToLineage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseLineageToHost(raw);
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.focus) this.post({ type: 'graph', graph: this.focus });
        break;
      case 'open':
        await this.openNode(message.id);
        break;
      case 'focus': {
        const column = this.focus?.nodes.find((n) => n.id === message.id)?.column;
        if (column) await this.showColumn(column).catch(() => undefined);
        break;
      }
      case 'rendered':
        this.lastRendered = message.rendered;
        for (const w of this.renderedWaiters.splice(0)) w(message.rendered);
        break;
    }
  }

  dispose(): void {
    if (LineagePanel.current === this) LineagePanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
