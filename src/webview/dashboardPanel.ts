import * as vscode from 'vscode';
import { CancelledError, isCancelled, LabError, toLabError, untilCancelled } from '../core/errors';
import { toCsv } from '../core/dashboard/csv';
import type { DatasetId, DatasetRequest, DatasetResult, TopProductsFilter } from '../core/dashboard/model';
import type { LabBackend } from '../core/backend/types';
import { DashboardData } from '../core/dashboard/service';
import type { LabServices } from '../services';
import { createDashboardTestHooks, type DashboardRenderedState, type DashboardTestHooks } from './dashboardHooks';
import { DashboardAnswers, type EarlyAnswer } from './dashboardAnswers';
import { defaultTopProductsFilter, initialRequests, NEW_PAGE_STATE, type InitialPageState } from './dashboardRequests';
import { webviewPage } from './page';
import {
  DASHBOARD_VIEW_TYPE, PAGE_COMMANDS, parsePageMessage, type ErrorInfo, type HostMessage, type PageCommand, type PageMessage,
} from './protocol';

export type { DashboardRenderedState, ReceivedReport } from './dashboardHooks';

export interface DashboardOpenOptions {
  /** Apply this Top-N filter once the page is up (the rest of the filter keeps its value). */
  topProducts?: Partial<TopProductsFilter>;
}

/** Text for a double-quoted HTML attribute. */
function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The dashboard panel (one per workspace): owns the page, runs the datasets the page asks for on the configured
 * engine, cancels superseded or abandoned queries, and handles exports. The page validates what it gets and
 * reports back what it rendered.
 */
export class DashboardPanel implements vscode.Disposable {
  private static current?: DashboardPanel;

  /** The dashboard's data on the backend it was built for; a new backend (settings changed) gets new data. */
  private data?: { backend: LabBackend; data: DashboardData };
  private readonly inFlight = new Map<number, { dataset: DatasetId; controller: AbortController }>();
  private readonly lastResults = new Map<DatasetId, DatasetResult>();
  private readonly disposables: vscode.Disposable[] = [];
  private pageReady = false;
  private pendingToPage: HostMessage[] = [];
  private disposed = false;
  private readonly answers: DashboardAnswers;
  /**
   * The Top-N filter a new page starts from, when the lake's filter options are already known: the page asks for the
   * Top-N card with its first questions instead of after the options arrive. The page checks it against the options.
   */
  private readonly topProductsHint?: TopProductsFilter;

  /** Opens the dashboard, or reveals it when it is already open. */
  static show(services: LabServices, options: DashboardOpenOptions = {}): DashboardPanel {
    let panel = DashboardPanel.current;
    if (panel) {
      panel.panel.reveal(undefined, false);
    } else {
      const hooks = createDashboardTestHooks();
      hooks?.mark('show');
      const webviewPanel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Lifecycle Lab Dashboard', vscode.ViewColumn.Active, {
        enableScripts: true,
        // The page (its charts, grids, filters and scroll) is kept while another editor hides the tab: showing it again
        // is at once. Without it the editor drops the page when hidden and starts a new webview when shown (its service
        // worker, the bundle and every chart again).
        retainContextWhenHidden: true,
        localResourceRoots: DashboardPanel.resourceRoots(services),
      });
      hooks?.mark('panelCreated');
      const options = DashboardAnswers.filterOptions(services);
      panel = new DashboardPanel(webviewPanel, services, hooks, options && defaultTopProductsFilter(options));
      // A new page starts from the default state: its first questions are known, so they run while the webview starts.
      panel.prefetch(NEW_PAGE_STATE);
    }
    if (options.topProducts) panel.post({ type: 'setFilter', filter: options.topProducts });
    return panel;
  }

  /** Restores a panel the editor kept across a reload (registerWebviewPanelSerializer). */
  static revive(webviewPanel: vscode.WebviewPanel, services: LabServices): DashboardPanel {
    DashboardPanel.current?.dispose();
    webviewPanel.webview.options = { enableScripts: true, localResourceRoots: DashboardPanel.resourceRoots(services) };
    return new DashboardPanel(webviewPanel, services, createDashboardTestHooks());
  }

  static get open(): DashboardPanel | undefined {
    return DashboardPanel.current;
  }

  private static resourceRoots(services: LabServices): vscode.Uri[] {
    const root = services.context.extensionUri;
    return [vscode.Uri.joinPath(root, 'dist', 'webview'), vscode.Uri.joinPath(root, 'media')];
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly services: LabServices,
    /** Test and bench hooks: present only under LIFECYCLE_LAB_TEST_HOOKS=1. */
    private readonly hooks: DashboardTestHooks | undefined,
    topProductsHint?: TopProductsFilter,
  ) {
    DashboardPanel.current = this;
    this.answers = new DashboardAnswers(services);
    this.topProductsHint = topProductsHint;
    panel.iconPath = vscode.Uri.joinPath(services.context.extensionUri, 'media', 'icon.svg');
    panel.webview.html = this.html();
    hooks?.mark('htmlSet');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      // The bench's "shown again" figure: when the hidden panel became visible (its page kept, no new 'ready').
      panel.onDidChangeViewState((e) => { if (e.webviewPanel.visible) hooks?.mark('visible'); }),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      services.onDidChangeLake(() => this.lakeChanged()),
      services.onDidChangeBackend(() => this.lakeChanged()),
    );
  }

  /** The test and bench hooks, undefined unless LIFECYCLE_LAB_TEST_HOOKS=1. */
  get testHooks(): { renderedState(): DashboardRenderedState; injectFailure(dataset: DatasetId): void } | undefined {
    const hooks = this.hooks;
    if (!hooks) return undefined;
    return {
      renderedState: () => hooks.state(true, this.panel.visible),
      injectFailure: (dataset) => hooks.injectFailure(dataset),
    };
  }

  /** Re-runs every card (the page keeps its filters). */
  refresh(): void {
    this.post({ type: 'refresh' });
  }

  /** The lake was rewritten or the settings changed it: queries still running are cancelled and every card reruns. */
  private lakeChanged(): void {
    this.answers.clear();
    this.forgetData();
    this.refresh();
  }

  private html(): string {
    return webviewPage(this.panel.webview, this.services.context.extensionUri, {
      title: 'Lifecycle Lab Dashboard',
      script: 'dist/webview/dashboard.js',
      style: 'media/dashboard/dashboard.css',
      // The page reports what it rendered, and its timing marks, only when the host keeps them (test hooks).
      body: `<main id="app" aria-busy="true"${this.hooks ? ' data-test-hooks="1"' : ''}${
        this.topProductsHint ? ` data-top-products="${attribute(JSON.stringify(this.topProductsHint))}"` : ''}></main>`,
    });
  }

  private post(message: HostMessage): void {
    if (!this.pageReady) {
      this.pendingToPage.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    const message = parsePageMessage(raw);
    if (!message) {
      this.services.log.warn(`Dashboard: ignored an invalid message from the page: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    void this.handle(message).catch((err) => this.services.showError('Dashboard', err));
  }

  private async handle(message: PageMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.hooks?.mark('ready');
        this.pageReady = true;
        for (const m of this.pendingToPage.splice(0)) void this.panel.webview.postMessage(m);
        return;
      }
      case 'load':
        this.hooks?.mark(`load:${message.request.id}`);
        return this.load(message.requestId, message.request, message.fresh === true);
      case 'cancel':
        this.inFlight.get(message.requestId)?.controller.abort();
        return;
      case 'rendered': {
        if (!this.hooks) return;
        const report = this.hooks.rendered(message.report);
        this.services.log.debug(`Dashboard rendered ${report.dataset}: ${report.state}, ${report.rowCount} rows`);
        return;
      }
      case 'timings':
        this.hooks?.pageTimings(message.marks);
        return;
      case 'copySql': {
        const result = this.lastResults.get(message.dataset);
        if (!result) return;
        await vscode.env.clipboard.writeText(result.sql);
        vscode.window.setStatusBarMessage(`Copied the SQL of "${result.title}"`, 3000);
        return;
      }
      case 'exportCsv': {
        const result = this.lastResults.get(message.dataset);
        if (!result) return;
        await this.save(`${message.dataset}.csv`, { 'CSV': ['csv'] }, Buffer.from(toCsv(result.columns, result.rows), 'utf8'));
        return;
      }
      case 'exportPng': {
        const base64 = message.dataUrl.slice('data:image/png;base64,'.length);
        await this.save(`${message.dataset}.png`, { 'PNG image': ['png'] }, Buffer.from(base64, 'base64'));
        return;
      }
      case 'showLineage':
        await vscode.commands.executeCommand('lifecycleLab.showLineage', `dataset:${message.dataset}`);
        return;
      case 'runCommand':
        if ((PAGE_COMMANDS as readonly string[]).includes(message.command)) await vscode.commands.executeCommand(message.command);
        return;
    }
  }

  /**
   * Starts the page's first questions (src/webview/dashboardRequests.ts) before it asks: the webview takes a few
   * hundred milliseconds to start, and a cold engine about as long to answer. The Top-N question follows the filter
   * options, as on the page. What is already answered for this lake version is not asked again.
   */
  private prefetch(state: InitialPageState): void {
    const top = this.topProductsHint;
    const requests = [...initialRequests(state), ...(top ? [{ id: 'topProducts' as const, filter: top }] : [])];
    const ask = async (request: DatasetRequest, signal: AbortSignal, onPartial: (partial: DatasetResult) => void) =>
      (await this.dashboardData()).dataset(request, signal, onPartial);
    this.answers.askAhead(() => this.lakeVersion(), requests, !top, ask)
      .catch((err) => this.services.log.debug(`Dashboard: the first questions were not started ahead: ${toLabError(err).message}`));
  }

  /** The page asked for what the panel started ahead: its partial answers and then its answer go to this request. */
  private async takeOver(entry: EarlyAnswer, requestId: number, signal: AbortSignal): Promise<DatasetResult> {
    if (entry.partial) this.post({ type: 'result', requestId, result: entry.partial });
    entry.onPartial = (partial) => {
      if (!signal.aborted) this.post({ type: 'result', requestId, result: partial });
    };
    return untilCancelled(entry.result, signal, 'Query');
  }

  private async lakeVersion(): Promise<string> {
    return (await this.services.backend()).lake.version();
  }

  private async load(requestId: number, request: DatasetRequest, fresh: boolean): Promise<void> {
    // A newer request for the same card supersedes the older one (e.g. dragging the N slider).
    for (const [id, running] of this.inFlight) {
      if (running.dataset === request.id) {
        running.controller.abort();
        this.inFlight.delete(id);
      }
    }
    const controller = new AbortController();
    this.inFlight.set(requestId, { dataset: request.id, controller });
    try {
      if (this.hooks?.takeFailure(request.id)) {
        throw new LabError('queryFailed', `Injected failure for "${request.id}" (test hook).`);
      }
      const version = await this.lakeVersion();
      let result = fresh ? undefined : this.answers.kept(version, request);
      const early = fresh || result ? undefined : this.answers.takeEarly(request, version);
      if (early) result = await this.takeOver(early, requestId, controller.signal);
      if (!result) {
        // A partial answer (the detailed aggregate's first page before its total is counted) is shown at once; the
        // whole answer follows with the same requestId, and only that one is kept.
        result = await (await this.dashboardData()).dataset(request, controller.signal, (partial) => {
          if (!controller.signal.aborted) this.post({ type: 'result', requestId, result: partial });
        });
        if (controller.signal.aborted) throw new CancelledError('Query');
        this.answers.remember(version, request, result);
      }
      this.lastResults.set(request.id, result);
      this.post({ type: 'result', requestId, result });
      this.hooks?.mark(`answer:${request.id}`);
    } catch (err) {
      if (isCancelled(err) || controller.signal.aborted) {
        this.post({ type: 'cancelled', requestId, dataset: request.id });
        return;
      }
      const e = toLabError(err);
      this.services.log.warn(`Dashboard query ${request.id} failed: ${e.message}`);
      this.post({ type: 'error', requestId, dataset: request.id, error: toErrorInfo(e) });
    } finally {
      this.inFlight.delete(requestId);
    }
  }

  /** Data over the backend's one query engine (shared with the Lake view and previews; the backend closes it). */
  private async dashboardData(): Promise<DashboardData> {
    const backend = await this.services.backend();
    if (this.data?.backend !== backend) {
      // The Lake view's overview: the open check of each file (local) or the objects' sizes (S3) against the manifest.
      this.data = { backend, data: new DashboardData(backend.query, () => backend.lake.manifest(), async () => (await backend.lake.overview()).problems) };
    }
    return this.data.data;
  }

  private forgetData(): void {
    this.data = undefined;
    for (const running of this.inFlight.values()) running.controller.abort();
  }

  private async save(fileName: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
      filters,
      saveLabel: 'Export',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    vscode.window.setStatusBarMessage(`Saved ${vscode.workspace.asRelativePath(target)}`, 4000);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.answers.forgetEarly();
    this.forgetData();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function toErrorInfo(e: LabError): ErrorInfo {
  const command = e.nextStep?.command;
  const allowed = command && (PAGE_COMMANDS as readonly string[]).includes(command) ? (command as PageCommand) : undefined;
  return {
    code: e.code,
    message: e.message,
    nextStep: e.nextStep ? { label: e.nextStep.label, command: allowed } : undefined,
  };
}
