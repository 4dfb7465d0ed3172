import * as vscode from 'vscode';
import type { PipelineRunEntry } from '../core/backend/types';
import { formatDuration } from '../core/format';
import type { RunOutcome } from '../core/run/events';
import type { PipelineSection } from './pipelineTree';

type RunsNode =
  | { kind: 'runs' }
  | { kind: 'entry'; entry: PipelineRunEntry }
  | { kind: 'message'; text: string; error?: boolean };

/** What a history entry is for the commands on it (Stop Run, Open Logs, Open in AWS Console). */
export interface RunEntryNode {
  kind: 'entry';
  entry: PipelineRunEntry;
}

export function isRunEntryNode(value: unknown): value is RunEntryNode {
  return typeof value === 'object' && value !== null && (value as RunEntryNode).kind === 'entry' && typeof (value as RunEntryNode).entry?.id === 'string';
}

const OUTCOME_ICONS: Record<RunOutcome | 'running', vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('loading~spin'),
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

/** The one line a history entry reads as: state, duration, DPU-seconds. */
export function describeRunEntry(entry: PipelineRunEntry): string {
  return [
    entry.state,
    entry.durationMs !== undefined ? formatDuration(entry.durationMs, 0) : undefined,
    entry.dpuSeconds !== undefined ? `${Math.round(entry.dpuSeconds)} DPU-s` : undefined,
  ].filter(Boolean).join(' · ');
}

/**
 * The "Runs" group of the Pipeline view, for a runner whose engine keeps its runs (Glue's GetJobRuns): newest first,
 * with state, start, duration, DPU-seconds and the error. Tree callbacks are synchronous, so the list is loaded in
 * the background (`load`) and the group shows the last one it got.
 */
export class PipelineRunsSection implements PipelineSection, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private entries?: PipelineRunEntry[];
  private error?: string;
  private loading?: Promise<void>;
  private again = false;

  constructor(private readonly fetch: () => Promise<PipelineRunEntry[]>) {}

  /** The runs the group shows now (undefined before the first load). */
  get runs(): PipelineRunEntry[] | undefined {
    return this.entries;
  }

  /** Reads the history again; a call while a read is going makes one more read after it. */
  load(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          this.entries = await this.fetch();
          this.error = undefined;
        } catch (err) {
          this.error = err instanceof Error ? err.message : String(err);
        }
      } while (this.again);
      this.loading = undefined;
      this.changed.fire();
    })();
    return this.loading;
  }

  roots(): unknown[] {
    return [{ kind: 'runs' } satisfies RunsNode];
  }

  children(node: unknown): unknown[] {
    if ((node as RunsNode).kind !== 'runs') return [];
    if (!this.entries && !this.error) {
      void this.load();
      return [{ kind: 'message', text: 'Loading runs…' } satisfies RunsNode];
    }
    const nodes: RunsNode[] = [];
    if (this.error) nodes.push({ kind: 'message', text: `Could not read the runs: ${this.error}`, error: true });
    if (this.entries?.length === 0) nodes.push({ kind: 'message', text: 'No runs yet' });
    for (const entry of this.entries ?? []) nodes.push({ kind: 'entry', entry });
    return nodes;
  }

  treeItem(node: unknown): vscode.TreeItem {
    const n = node as RunsNode;
    if (n.kind === 'runs') {
      const item = new vscode.TreeItem('Runs', vscode.TreeItemCollapsibleState.Expanded);
      item.description = this.entries ? `${this.entries.length} recent` : undefined;
      item.iconPath = new vscode.ThemeIcon('history');
      item.contextValue = 'pipelineRuns';
      item.id = 'pipeline.runs';
      return item;
    }
    if (n.kind === 'message') {
      const item = new vscode.TreeItem(n.text);
      if (n.error) item.iconPath = new vscode.ThemeIcon('warning');
      return item;
    }
    const { entry } = n;
    const item = new vscode.TreeItem(entry.startedAt ? new Date(entry.startedAt).toLocaleString() : entry.id);
    item.description = describeRunEntry(entry);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`Run ${entry.id}\n\n${describeRunEntry(entry)}${entry.error ? `\n\n${entry.error}` : ''}`);
    item.tooltip = tooltip;
    item.iconPath = OUTCOME_ICONS[entry.outcome ?? 'running'];
    item.contextValue = entry.outcome ? 'pipelineRun.finished' : 'pipelineRun.active';
    item.id = `pipeline.runs.${entry.id}`;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
