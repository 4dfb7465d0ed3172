import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabBackend, PipelineRunner } from '../core/backend/types';
import type { PipelineEvent, PipelineResult, PipelineStep } from '../core/lake/pipeline';
import { pipelineStateFromRecord, recordIsNewer } from '../core/lake/runState';
import type { LabServices } from '../services';
import { PipelineTerminal } from '../terminals/pipelineTerminal';
import { emptyPipelineState, PipelineTreeProvider, type PipelineViewState } from '../views/pipelineTree';
import { registerLakeCommands } from './lake';

const STATE_KEY = 'lifecycleLab.pipeline.lastState';

/** What the extension API's `pipelineSnapshot()` returns: the view state plus the terminal, for tests and scripts. */
export interface PipelineSnapshot extends PipelineViewState {
  terminalName?: string;
  transcript: string[];
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

  constructor(private readonly services: LabServices) {
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
      services.onDidChangeBackend(() => void this.followBackend()),
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
    try {
      const run = runner.run({
        signal: controller.signal,
        origin: 'editor',
        onEvent: (event: PipelineEvent) => {
          pty.event(event);
          this.tree.apply(event);
          if (event.kind === 'stepStarted') stopStatus.step(event.step);
        },
      });
      this.runEnded = run.catch(() => undefined);
      const result = await run;
      this.services.fireLakeChanged();
      this.notifySuccess(result);
      return result;
    } finally {
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

  showTerminal(): void {
    this.terminal?.terminal.show();
  }

  snapshot(): PipelineSnapshot {
    return { ...this.tree.state, terminalName: this.terminal?.terminal.name, transcript: [...(this.terminal?.pty.transcript ?? [])] };
  }

  /** Cancels a run and waits for it to release the lake (window closing). */
  async shutdown(): Promise<void> {
    this.running?.abort();
    await this.runEnded;
  }

  dispose(): void {
    this.running?.abort();
    this.runLogWatcher?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Watches the new backend's run log (runs made outside this window) and shows its latest run. */
  private async followBackend(): Promise<void> {
    const call = ++this.following;
    this.runLogWatcher?.dispose();
    this.runLogWatcher = undefined;
    let runner: PipelineRunner;
    try {
      runner = (await this.services.backend()).pipeline;
    } catch {
      return; // a bad setting: reported where it is used
    }
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
    await this.adoptNewerRun();
  }

  private ensureTerminal(name: string): PipelineTerminal {
    if (this.terminal && vscode.window.terminals.includes(this.terminal.terminal)) return this.terminal.pty;
    const pty = new PipelineTerminal();
    const created = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('database') });
    this.terminal = { pty, terminal: created };
    pty.onClosed = () => { if (this.terminal?.pty === pty) this.terminal = undefined; };
    return pty;
  }

  /** The status-bar item while a run goes: its step and elapsed time. */
  private showStatus(): { step(step: PipelineStep): void; done(): void } {
    let step: PipelineStep | undefined;
    const started = Date.now();
    const show = () => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      this.status.text = `$(sync~spin) Pipeline: ${step ? step[0].toUpperCase() + step.slice(1) : 'starting'} ${seconds}s`;
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
export function registerPipeline(services: LabServices): { controller: PipelineController; disposables: vscode.Disposable[] } {
  const controller = new PipelineController(services);
  const view = vscode.window.createTreeView('lifecycleLab.pipeline', { treeDataProvider: controller.tree });
  const disposables = [
    controller, view,
    ...registerLakeCommands(services),
    services.onShutdown(() => controller.shutdown()),
    vscode.commands.registerCommand('lifecycleLab.pipeline.run', services.command('Pipeline run', () => controller.run())),
    vscode.commands.registerCommand('lifecycleLab.pipeline.cancel', () => controller.cancel()),
    vscode.commands.registerCommand('lifecycleLab.pipeline.refresh', async () => {
      await controller.adoptNewerRun();
      controller.tree.refresh();
    }),
    vscode.commands.registerCommand('lifecycleLab.pipeline.showTerminal', () => controller.showTerminal()),
  ];
  return { controller, disposables };
}
