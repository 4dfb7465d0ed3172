import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabBackend, PipelineRunEntry, PipelineRunLink, PipelineRunner } from '../core/backend/types';
import { isCancelled, LabError, toLabError, type NextStep } from '../core/errors';
import { stepLabel, type PipelineEvent } from '../core/run/events';
import type { PipelineResult } from '../core/run/result';
import { pipelineStateFromRecord, recordIsNewer } from '../core/run/viewState';
import { describeShrink, type LakeShrink } from '../core/run/shrink';
import type { LabServices } from '../services';
import { PipelineTerminal } from '../terminals/pipelineTerminal';
import { isRunEntryNode, PipelineRunsSection } from '../views/pipelineRuns';
import { emptyPipelineState, PipelineTreeProvider, type PipelineViewState } from '../views/pipelineTree';
import type { LakeTreeProvider } from '../views/lakeTree';
import { registerLakeCommands } from './lake';

const STATE_KEY = 'lifecycleLab.pipeline.lastState';

/** What the extension API's `pipelineSnapshot()` returns: the view state plus the terminal, for tests and scripts. */
export interface PipelineSnapshot extends PipelineViewState {
  terminalName?: string;
  transcript: string[];
  /** The Runs group's entries, for a runner whose engine keeps its runs (undefined otherwise or before loading). */
  runs?: PipelineRunEntry[];
}

const RUN_PIPELINE: NextStep = { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };
const REPLACE_LAKE = 'Replace Lake';

/** The modal a run waits on before it replaces the lake with one of less than half its fact rows. */
async function confirmShrinkModal(shrink: LakeShrink): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(`Replace the lake with one that has ${shrink.next.factRows.toLocaleString('en-US')} fact rows?`,
    { modal: true, detail: `${describeShrink(shrink)} Cancel keeps the lake as it is.` }, REPLACE_LAKE);
  return choice === REPLACE_LAKE;
}

/**
 * The pipeline in the editor, whichever runner the mode's backend has: the Pipeline view (steps of the last run,
 * from any front end), Run/Cancel, a Pseudoterminal streaming each run, a status-bar item while it runs and a
 * completion notification.
 */
export class PipelineController implements vscode.Disposable {
  readonly tree: PipelineTreeProvider;
  private readonly status: vscode.StatusBarItem;
  private terminal?: { pty: PipelineTerminal; terminal: vscode.Terminal };
  private running?: AbortController;
  /** Settles when the run in progress has released the lake (cancelled or not). */
  private runEnded: Promise<unknown> = Promise.resolve();
  private runLogWatcher?: vscode.FileSystemWatcher;
  /** Settings can change twice in a row: only the latest followBackend() call installs its watcher. */
  private following = 0;
  private readonly disposables: vscode.Disposable[] = [];
  /** The Runs group, shown while the backend's runner keeps a history (its runner, to tell a new backend apart). */
  private runs?: { runner: PipelineRunner; section: PipelineRunsSection; shown: vscode.Disposable };
  /** Opens a page outside the editor; tests replace it. */
  openExternal: (url: string) => Thenable<boolean> = (url) =>
    // A string, not a vscode.Uri: Uri re-encodes the console's fragment (`$252F`, `%2F`), a string is passed as it is.
    vscode.env.openExternal(url as unknown as vscode.Uri);

  constructor(private readonly services: LabServices, private readonly beforeRun?: () => Promise<boolean>) {
    const saved = services.context.workspaceState.get<PipelineViewState>(STATE_KEY);
    // The backend (core, the run log) is loaded when the view is first drawn, not at activation.
    this.tree = new PipelineTreeProvider(saved ? { ...saved, running: false } : emptyPipelineState(), () => void this.followBackend());
    this.status = vscode.window.createStatusBarItem('lifecycleLab.pipeline', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Lifecycle Lab Pipeline';
    this.status.command = 'lifecycleLab.pipeline.showTerminal';
    this.setContext('lifecycleLab.pipelineHasRun', !!saved?.lastRun);
    this.setContext('lifecycleLab.pipelineRunning', false);
    this.disposables.push(
      this.tree, this.status,
      services.onDidChangeBackend(() => void this.followBackend(true)),
      services.onDidChangeLake(() => void this.adoptNewerRun()),
    );
  }

  /** A run from the CLI, `npm start` or another window shows up too, failed ones included (the runner's run log). */
  async adoptNewerRun(): Promise<void> {
    // While a run streams into the view, the view is that run's; what changed meanwhile is read when it ends.
    if (this.running) return;
    try {
      const record = await (await this.services.backend()).pipeline.lastRun();
      if (!record || !recordIsNewer(record, this.tree.state)) return;
      this.tree.state = pipelineStateFromRecord(record);
      this.setContext('lifecycleLab.pipelineHasRun', true);
    } catch (err) {
      this.services.log.warn(`Could not read the last pipeline run: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async run(): Promise<PipelineResult | undefined> {
    if (this.running) {
      this.terminal?.terminal.show(true);
      return undefined;
    }
    if (this.beforeRun && !(await this.beforeRun())) return undefined;
    // The run stays on the backend it started on, even if the settings change while it runs.
    const backend = await this.services.backend();
    const runner = backend.pipeline;
    const pty = this.ensureTerminal(`Pipeline: ${await runner.describe()}`);
    this.terminal?.terminal.show(true);
    const controller = new AbortController();
    this.running = controller;
    pty.onInterrupt = () => controller.abort();
    this.setContext('lifecycleLab.pipelineRunning', true);
    const stopStatus = this.showStatus();
    let reported = false;
    try {
      const run = runner.run({
        signal: controller.signal,
        origin: 'editor',
        confirmShrink: confirmShrinkModal,
        onEvent: (event: PipelineEvent) => {
          pty.event(event);
          this.tree.apply(event);
          if (event.kind === 'stepStarted') stopStatus.step(stepLabel(event.step));
          if (event.kind === 'engineState') stopStatus.step(`${event.change.engine} ${event.change.state}`);
          if (event.kind === 'runFinished') reported = true;
        },
      });
      this.runEnded = run.catch(() => undefined);
      const result = await run;
      this.services.fireLakeChanged();
      this.notifySuccess(result);
      return result;
    } catch (err) {
      // A run that fails before it reports anything (the job does not exist, access denied) says why in the terminal
      // too, not only in a notification.
      if (!reported && !isCancelled(err)) pty.failed(toLabError(err));
      throw err;
    } finally {
      // The Runs group is read again once the run is over, not while it goes: the steps show the live run, and a
      // history read per state change would cost a GetJobRuns call each.
      void this.runs?.section.load();
      stopStatus.done();
      this.running = undefined;
      pty.onInterrupt = undefined;
      this.setContext('lifecycleLab.pipelineRunning', false);
      this.setContext('lifecycleLab.pipelineHasRun', true);
      if (await this.backendChangedSince(backend)) {
        // The settings moved to another lake or mode during the run: the view shows what is there, not a mix.
        this.services.log.info(`The pipeline run finished on the previous settings (${backend.lake.location}); the views now follow the new ones.`);
        this.tree.state = emptyPipelineState();
        await this.adoptNewerRun();
        this.setContext('lifecycleLab.pipelineHasRun', !!this.tree.state.lastRun);
      }
      await this.services.context.workspaceState.update(STATE_KEY, this.tree.state);
    }
  }

  private async backendChangedSince(backend: LabBackend): Promise<boolean> {
    return (await this.services.backend().catch(() => undefined)) !== backend;
  }

  cancel(): void {
    this.running?.abort();
  }

  /** Reads the engine's run history again (Refresh Pipeline); nothing for a runner without one. */
  async refreshRuns(): Promise<void> {
    await this.runs?.section.load();
  }

  /**
   * Stop Run: the run of a Runs entry; else the run this window is watching (as Cancel: the runner stops it and keeps
   * watching until it stopped); else every run of the job still going, wherever it was started.
   */
  async stopRun(node?: unknown): Promise<string[]> {
    const runner = (await this.services.backend()).pipeline;
    if (!runner.stopRuns) {
      throw new LabError('config', 'This mode\'s runs are stopped with Cancel while they run in this window.', { nextStep: { label: 'Cancel Pipeline Run', command: 'lifecycleLab.pipeline.cancel' } });
    }
    let asked: string[];
    if (isRunEntryNode(node)) asked = await runner.stopRuns([node.entry.id]);
    else if (this.running) {
      this.cancel();
      asked = this.tree.state.runId ? [this.tree.state.runId] : [];
    } else asked = await runner.stopRuns();
    void vscode.window.showInformationMessage(asked.length ? `Asked to stop run${asked.length === 1 ? '' : 's'} ${asked.join(', ')}.` : 'No run is going.');
    await this.runs?.section.load();
    return asked;
  }

  /**
   * Open Logs / Open in AWS Console: the pages of a Runs entry's run, else of the run the view shows. Several log
   * streams are offered in a quick pick. Resolves to the address opened.
   */
  async openRunPage(kind: PipelineRunLink['kind'], node?: unknown): Promise<string | undefined> {
    const runner = (await this.services.backend()).pipeline;
    if (!runner.runLinks) throw new LabError('config', 'This mode\'s runs have no pages outside the editor; the pipeline terminal shows the run.');
    const runId = isRunEntryNode(node) ? node.entry.id : this.tree.state.runId ?? this.runs?.section.runs?.[0]?.id;
    if (!runId) throw new LabError('config', 'There is no run yet.', { nextStep: RUN_PIPELINE });
    const links = (await runner.runLinks(runId)).filter((l) => l.kind === kind);
    const chosen = links.length <= 1 ? links[0]
      : (await vscode.window.showQuickPick(links.map((link) => ({ label: link.label, detail: link.url, link })), { title: `Run ${runId}` }))?.link;
    if (!chosen) return undefined;
    await this.openExternal(chosen.url);
    return chosen.url;
  }

  showTerminal(): void {
    this.terminal?.terminal.show();
  }

  snapshot(): PipelineSnapshot {
    return { ...this.tree.state, terminalName: this.terminal?.terminal.name, transcript: [...(this.terminal?.pty.transcript ?? [])], runs: this.runs?.section.runs };
  }

  /** Cancels a run and waits for it to release the lake (window closing). */
  async shutdown(): Promise<void> {
    this.running?.abort();
    await this.runEnded;
  }

  dispose(): void {
    this.running?.abort();
    this.runLogWatcher?.dispose();
    this.showRunHistory(undefined);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /**
   * The Runs group and the run commands follow what the runner offers (context keys for the `when` clauses): a runner
   * with a history gets the group, one without has it removed.
   */
  private showRunHistory(runner: PipelineRunner | undefined): void {
    this.setContext('lifecycleLab.pipeline.hasRunHistory', !!runner?.runHistory);
    this.setContext('lifecycleLab.pipeline.canStopRuns', !!runner?.stopRuns);
    this.setContext('lifecycleLab.pipeline.hasRunPages', !!runner?.runLinks);
    if (this.runs && this.runs.runner === runner) return;
    this.runs?.shown.dispose();
    this.runs?.section.dispose();
    this.runs = undefined;
    if (!runner?.runHistory) return;
    const section = new PipelineRunsSection(() => runner.runHistory!(20));
    this.runs = { runner, section, shown: this.tree.addSection(section) };
  }

  /**
   * Watches the new backend's run log (runs made outside this window) and shows its latest run. After a settings
   * change (`replace`) the view shows that backend's latest run even when it is older than the one shown: a run of
   * the other mode or lake is not this backend's last run.
   */
  private async followBackend(replace = false): Promise<void> {
    const call = ++this.following;
    this.runLogWatcher?.dispose();
    this.runLogWatcher = undefined;
    let runner: PipelineRunner;
    try {
      runner = (await this.services.backend()).pipeline;
    } catch {
      if (call === this.following) this.showRunHistory(undefined);
      return; // a bad setting: reported where it is used
    }
    if (call === this.following) this.showRunHistory(runner);
    if (runner.runLogFile) {
      // A watcher on a folder that does not exist yet never fires (a new lake folder before its first run).
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(runner.runLogFile))).then(undefined, (err: unknown) =>
        this.services.log.warn(`Cannot create ${path.dirname(runner.runLogFile!)} to watch its runs: ${String(err)}`));
      if (call !== this.following) return;
      const pattern = new vscode.RelativePattern(vscode.Uri.file(path.dirname(runner.runLogFile)), path.basename(runner.runLogFile));
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      watcher.onDidCreate(() => void this.adoptNewerRun());
      watcher.onDidChange(() => void this.adoptNewerRun());
      this.runLogWatcher = watcher;
    }
    if (replace && call === this.following) await this.showLatestRun(runner);
    else await this.adoptNewerRun();
  }

  /** The runner's latest run, or an empty view when it has none (or cannot say); a run in progress keeps the view. */
  private async showLatestRun(runner: PipelineRunner): Promise<void> {
    if (this.running) return;
    const record = await runner.lastRun().catch((err: unknown) => {
      this.services.log.warn(`Could not read the last pipeline run: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    if (this.running) return;
    this.tree.state = record ? pipelineStateFromRecord(record) : emptyPipelineState();
    this.setContext('lifecycleLab.pipelineHasRun', !!record);
  }

  private ensureTerminal(name: string): PipelineTerminal {
    const current = this.terminal;
    if (current && vscode.window.terminals.includes(current.terminal)) {
      if (current.terminal.name === name) return current.pty;
      // The pipeline changed (another mode, job or lake): a terminal titled by the previous one would mislead.
      this.terminal = undefined;
      current.terminal.dispose();
    }
    const pty = new PipelineTerminal();
    const created = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('database') });
    this.terminal = { pty, terminal: created };
    pty.onClosed = () => { if (this.terminal?.pty === pty) this.terminal = undefined; };
    return pty;
  }

  /** The status-bar item while a run goes: its step (or the engine's state) and elapsed time. */
  private showStatus(): { step(label: string): void; done(): void } {
    let step: string | undefined;
    const started = Date.now();
    const show = () => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      this.status.text = `$(sync~spin) Pipeline: ${step ?? 'starting'} ${seconds}s`;
      this.status.tooltip = 'Lifecycle Lab pipeline run: click to show its terminal';
    };
    show();
    this.status.show();
    const timer = setInterval(show, 500);
    return {
      step: (next) => { step = next; show(); },
      done: () => { clearInterval(timer); this.status.hide(); },
    };
  }

  private notifySuccess(result: PipelineResult): void {
    const fact = result.manifest.tables.fact_orders;
    void vscode.window
      .showInformationMessage(
        `Pipeline succeeded: ${fact.rows.toLocaleString('en-US')} fact rows, total ${result.manifest.source.orderAmountTotal}, reconciliation passed.`,
        'Open Dashboard', 'Show Lake')
      .then((choice) => {
        if (choice === 'Open Dashboard') void vscode.commands.executeCommand('lifecycleLab.dashboard.open');
        else if (choice === 'Show Lake') void vscode.commands.executeCommand('lifecycleLab.lake.reveal');
      });
  }

  private setContext(key: string, value: boolean): void {
    void vscode.commands.executeCommand('setContext', key, value);
  }
}

/** The Pipeline view and its commands, and the Lake view's (which the pipeline fills). */
/**
 * `beforeRun`: asked before every Run Pipeline; false stops it (the model check of commands/lineage.ts, which says
 * which dashboard cards a model change breaks).
 */
export function registerPipeline(services: LabServices, beforeRun?: () => Promise<boolean>): { controller: PipelineController; lakeTree: LakeTreeProvider; disposables: vscode.Disposable[] } {
  const controller = new PipelineController(services, beforeRun);
  const view = vscode.window.createTreeView('lifecycleLab.pipeline', { treeDataProvider: controller.tree });
  const lake = registerLakeCommands(services);
  const disposables = [
    controller, view,
    ...lake.disposables,
    services.onShutdown(() => controller.shutdown()),
    vscode.commands.registerCommand('lifecycleLab.pipeline.run', services.command('Pipeline run', () => controller.run())),
    vscode.commands.registerCommand('lifecycleLab.pipeline.cancel', () => controller.cancel()),
    vscode.commands.registerCommand('lifecycleLab.pipeline.refresh', async () => {
      await Promise.all([controller.adoptNewerRun(), controller.refreshRuns()]);
      controller.tree.refresh();
    }),
    vscode.commands.registerCommand('lifecycleLab.pipeline.stopRun', services.command('Stop run', (node?: unknown) => controller.stopRun(node))),
    vscode.commands.registerCommand('lifecycleLab.pipeline.openLogs', services.command('Open run logs', (node?: unknown) => controller.openRunPage('logs', node))),
    vscode.commands.registerCommand('lifecycleLab.pipeline.openConsole', services.command('Open in AWS Console', (node?: unknown) => controller.openRunPage('console', node))),
    vscode.commands.registerCommand('lifecycleLab.pipeline.showTerminal', () => controller.showTerminal()),
  ];
  return { controller, lakeTree: lake.tree, disposables };
}
