import * as vscode from 'vscode';
import type { ReconcileCheck } from '../core/run/checks';
import { formatDuration } from '../core/format';
import { stepLabel, type EngineStateChange, type PipelineEvent } from '../core/run/events';
import { applyPipelineEvent, emptyPipelineState, type PipelineViewState, type StepState, type StepView } from '../core/run/viewState';

export { emptyPipelineState, type PipelineViewState } from '../core/run/viewState';

const ICONS: Record<StepState, vscode.ThemeIcon> = {
  pending: new vscode.ThemeIcon('circle-outline'),
  running: new vscode.ThemeIcon('loading~spin'),
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

/** Nodes another area shows below the steps (the Terraform group), with its own items and children. */
export interface PipelineSection {
  readonly onDidChange: vscode.Event<void>;
  roots(): unknown[];
  children(node: unknown): unknown[];
  treeItem(node: unknown): vscode.TreeItem;
}

type PipelineNode =
  | { kind: 'run' }
  | { kind: 'problem'; check: ReconcileCheck }
  | { kind: 'step'; view: StepView }
  | { kind: 'engineState'; change: EngineStateChange; last: boolean }
  | { kind: 'section'; section: PipelineSection; node: unknown };

/**
 * The Pipeline view: the last run's outcome, then Source → Extract → Transform → Load → Reconcile for the local engine,
 * or the states the engine reported (Glue: STARTING → RUNNING → SUCCEEDED) for one that runs elsewhere.
 */
export class PipelineTreeProvider implements vscode.TreeDataProvider<PipelineNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private current: PipelineViewState;

  private shown = false;
  private readonly sections: PipelineSection[] = [];

  /** `onFirstShow` runs once, when the view first asks for its nodes. */
  constructor(initial: PipelineViewState = emptyPipelineState(), private readonly onFirstShow?: () => void) {
    this.current = initial;
  }

  get state(): PipelineViewState {
    return this.current;
  }

  set state(next: PipelineViewState) {
    this.current = next;
    this.changed.fire();
  }

  apply(event: PipelineEvent): void {
    this.state = applyPipelineEvent(this.current, event);
  }

  refresh(): void {
    this.changed.fire();
  }

  /** Shows a section's nodes after the steps until the returned disposable is disposed. */
  addSection(section: PipelineSection): vscode.Disposable {
    this.sections.push(section);
    const listener = section.onDidChange(() => this.changed.fire());
    this.changed.fire();
    return { dispose: () => { listener.dispose(); this.sections.splice(this.sections.indexOf(section), 1); this.changed.fire(); } };
  }

  getChildren(node?: PipelineNode): PipelineNode[] {
    if (node?.kind === 'section') return node.section.children(node.node).map((child) => ({ kind: 'section', section: node.section, node: child }));
    // Under the run: its failed checks and data tests, and the warn tests that found rows.
    if (node?.kind === 'run') return (this.current.problems ?? []).map((check) => ({ kind: 'problem', check }));
    if (node) return [];
    if (!this.shown) {
      this.shown = true;
      this.onFirstShow?.();
    }
    const states = this.current.engine?.states ?? [];
    const steps: PipelineNode[] = [
      ...this.current.steps.map((view): PipelineNode => ({ kind: 'step', view })),
      ...states.map((change, i): PipelineNode => ({ kind: 'engineState', change, last: i === states.length - 1 })),
    ];
    const extra: PipelineNode[] = this.sections.flatMap((section) => section.roots().map((n) => ({ kind: 'section' as const, section, node: n })));
    return [...(this.current.lastRun || this.current.running ? [{ kind: 'run' } as const, ...steps] : steps), ...extra];
  }

  getTreeItem(node: PipelineNode): vscode.TreeItem {
    if (node.kind === 'section') return node.section.treeItem(node.node);
    if (node.kind === 'problem') return problemItem(node.check);
    if (node.kind === 'engineState') return engineStateItem(node.change, node.last && this.current.running);
    if (node.kind === 'run') {
      const run = this.current.lastRun;
      if (this.current.running) {
        const item = new vscode.TreeItem('Running…');
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        item.command = { title: 'Show Terminal', command: 'lifecycleLab.pipeline.showTerminal' };
        item.contextValue = 'pipelineRunning';
        return item;
      }
      const problems = this.current.problems ?? [];
      const item = new vscode.TreeItem(run!.ok ? 'Last run succeeded' : 'Last run failed',
        problems.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.description = `${new Date(run!.finishedAt).toLocaleString()} · ${formatDuration(run!.durationMs)}`;
      item.tooltip = run!.message;
      if (problems.length) item.id = `pipeline.run.${run!.runId}`;
      item.iconPath = run!.ok ? ICONS.ok : ICONS.failed;
      item.contextValue = run!.ok ? 'pipelineRunOk' : 'pipelineRunFailed';
      return item;
    }
    const { view } = node;
    const item = new vscode.TreeItem(stepLabel(view.step));
    const parts: string[] = [];
    if (view.state !== 'pending' && view.state !== 'running') parts.push(view.state);
    if (view.state === 'running') parts.push('running');
    if (view.durationMs !== undefined) parts.push(formatDuration(view.durationMs));
    if (view.rows !== undefined) parts.push(`${view.rows.toLocaleString('en-US')} rows`);
    item.description = parts.join(' · ');
    item.tooltip = view.summary ?? stepLabel(view.step);
    item.iconPath = ICONS[view.state];
    item.contextValue = `pipelineStep.${view.state}`;
    item.id = `pipeline.${view.step}`;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** One state an engine reported: its name, when it was seen, and how the run ended when it is the final one. */
function engineStateItem(change: EngineStateChange, current: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(`${change.engine} ${change.state}`);
  item.description = `${new Date(change.at).toLocaleTimeString()} · ${formatDuration(change.elapsedMs)} in${change.detail ? ` · ${change.detail}` : ''}`;
  item.tooltip = change.detail ?? `${change.engine} reported ${change.state}`;
  item.iconPath = change.outcome ? ICONS[change.outcome] : current ? ICONS.running : ICONS.ok;
  item.contextValue = `pipelineEngineState.${change.outcome ?? 'running'}`;
  return item;
}

/** A failed check or a failing data test under the run: its name, failing count, and the rows it names in the tooltip. */
function problemItem(check: ReconcileCheck): vscode.TreeItem {
  const item = new vscode.TreeItem(check.name);
  item.description = check.warning ? `warn · ${check.actual} failing` : `failed · expected ${check.expected}, got ${check.actual}`;
  item.tooltip = check.message;
  item.iconPath = check.warning ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : ICONS.failed;
  item.contextValue = check.warning ? 'pipelineCheck.warn' : 'pipelineCheck.failed';
  return item;
}
