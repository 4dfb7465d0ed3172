/**
 * Editor figures, measured inside the extension host (the extensionTestsPath bench/editor-run.mjs gives code-server):
 * activation, the first expand of the Source tree (connection, then the source database, then a table), and Open
 * Dashboard until every card has reported what it rendered, cold (first open in this host: DuckDB loads, the lake is
 * opened) and warm (closed and opened again, the host's engine kept). Writes JSON to BENCH_EDITOR_RESULTS.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DATASET_IDS, type DatasetId } from '../../src/core/dashboard/model';
import type { LifecycleLabApi } from '../../src/extension';
import { epochNow } from '../../src/webview/dashboardHooks';
import type { SourceNode } from '../../src/views/sourceTree';
import { dashboardPhases, type DashboardPhases } from './dashboardPhases';

export interface EditorBenchResult {
  ok: boolean;
  error?: string;
  activeBefore?: boolean;
  /** What activate() itself measured. */
  activationMs?: number;
  /** The activate() call as the host sees it: the bundle loaded and activate() run. */
  activateCallMs?: number;
  /** First expand of each level of the Source tree: its root, the connection (connects, lists databases), a database, a table. */
  sourceRootMs?: number;
  sourceConnectionMs?: number;
  sourceDatabaseMs?: number;
  sourceTableMs?: number;
  /** Open Dashboard until every card reported its render; the first open, then each reopen. */
  dashboardColdMs?: number;
  dashboardWarmMs?: number[];
  /**
   * Open Dashboard while its tab is open but hidden behind another editor (a text document opened over it): until the
   * panel is visible again with its page kept (no new page load), or, had the page been dropped, every card reported
   * again. One figure per warm rep.
   */
  dashboardShownMs?: number[];
  /** Whether each of those found the page kept (true) or loaded anew (false). */
  dashboardShownKept?: boolean[];
  /** Where the time of each open went (bench/editor/dashboardPhases.ts): the first open, then each reopen. */
  dashboardColdPhases?: DashboardPhases;
  dashboardWarmPhases?: DashboardPhases[];
  /** Every mark of each open, in ms from the command (host: h, page: p), for a closer look than the phases. */
  dashboardMarks?: Array<Record<string, number>>;
  /** Cards that reported data or an empty state on the first open, and any that reported an error. */
  cardsRendered?: DatasetId[];
  cardErrors?: string[];
}

const PACKAGE_JSON = path.resolve(__dirname, '..', '..', '..', 'package.json');
/** `publisher.name` from package.json. */
const EXTENSION_ID = ((m: { publisher: string; name: string }) => `${m.publisher}.${m.name}`)(
  JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as { publisher: string; name: string });
const POLL_MS = 5;

async function openDashboardUntilRendered(api: LifecycleLabApi, timeoutMs = 120_000): Promise<{ ms: number; phases: DashboardPhases; marks: Record<string, number>; rendered: DatasetId[]; errors: string[] }> {
  const started = performance.now();
  const startedAt = epochNow();
  await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
  for (;;) {
    const state = await api.dashboard.renderedState();
    const reports = DATASET_IDS.map((id) => state.reports[id]);
    if (state.open && reports.every((r) => r !== undefined)) {
      const ms = performance.now() - started;
      const doneAt = epochNow();
      const timings = await paintedTimings(api);
      const marks = Object.fromEntries([
        ...timings.host.map((m) => [`h ${m.name}`, m.at - startedAt] as const),
        ...timings.page.map((m) => [`p ${m.name}`, m.at - startedAt] as const),
      ].sort((a, b) => a[1] - b[1]).map(([k, v]) => [k, Math.round(v * 10) / 10]));
      return {
        ms,
        marks,
        phases: dashboardPhases(timings, startedAt, doneAt),
        rendered: DATASET_IDS.filter((id) => state.reports[id]?.state !== 'error'),
        errors: DATASET_IDS.filter((id) => state.reports[id]?.state === 'error').map((id) => `${id}: ${state.reports[id]?.message ?? ''}`),
      };
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(`the dashboard did not report every card within ${timeoutMs / 1000} s; missing: ${DATASET_IDS.filter((id) => !state.reports[id]).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The open's marks once the page has sent the paint of every card it drew (the page sends them just after). */
async function paintedTimings(api: LifecycleLabApi, timeoutMs = 5_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { timings } = await api.dashboard.renderedState();
    const drawn = timings.page.filter((m) => m.name.startsWith('drawn:')).length;
    const painted = timings.page.filter((m) => m.name.startsWith('painted:')).length;
    if ((drawn > 0 && painted >= drawn) || performance.now() > deadline) return timings;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Hides the open dashboard behind a new text document in its editor group, then Open Dashboard until it is back. */
async function showHiddenDashboard(api: LifecycleLabApi, timeoutMs = 60_000): Promise<{ ms: number; kept: boolean }> {
  // A file on disk (never dirty, so closing it asks nothing): the extension's package.json.
  await vscode.window.showTextDocument(vscode.Uri.file(PACKAGE_JSON), { preview: false, preserveFocus: false, viewColumn: vscode.ViewColumn.Active });
  while ((await api.dashboard.renderedState()).visible) await new Promise((r) => setTimeout(r, POLL_MS));
  const before = await api.dashboard.renderedState();
  const readies = (s: typeof before) => s.timings.host.filter((m) => m.name === 'ready').length;
  const started = performance.now();
  await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
  const poll = async (done: (state: typeof before) => boolean, what: string) => {
    for (;;) {
      const state = await api.dashboard.renderedState();
      if (done(state)) return performance.now() - started;
      if (performance.now() - started > timeoutMs) throw new Error(`the hidden dashboard was not ${what} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  const visibleMs = await poll((s) => s.visible, 'visible again');
  // A page the editor dropped while hidden loads anew and says 'ready' again (well within 3 s here); then the figure
  // is until every card reported again.
  const deadline = performance.now() + 3_000;
  while (performance.now() < deadline) {
    if (readies(await api.dashboard.renderedState()) !== readies(before)) {
      return { ms: await poll((s) => DATASET_IDS.every((id) => (s.reports[id]?.seq ?? 0) > before.lastSeq), 'rendered again'), kept: false };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ms: visibleMs, kept: true };
}

async function closeDashboard(api: LifecycleLabApi): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  while ((await api.dashboard.renderedState()).open) await new Promise((r) => setTimeout(r, POLL_MS));
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

export async function run(): Promise<void> {
  const out = process.env.BENCH_EDITOR_RESULTS ?? path.resolve(__dirname, '../../../.lab/bench/editor.json');
  const warmReps = Number(process.env.BENCH_EDITOR_WARM_REPS ?? 3);
  const result: EditorBenchResult = { ok: false };
  try {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this host`);
    result.activeBefore = ext.isActive;
    const [activateCallMs, api] = await timed(async () => ext.activate());
    result.activateCallMs = activateCallMs;
    result.activationMs = api.activationMs;

    const tree = api.sourceTree;
    const label = (node: SourceNode) => {
      const l = tree.getTreeItem(node).label;
      return typeof l === 'string' ? l : l?.label ?? '';
    };
    const [rootMs, roots] = await timed(() => Promise.resolve(tree.getChildren()));
    const connection = roots?.[0];
    if (!connection) throw new Error('the Source tree has no connection node (is the local lab running?)');
    const database = api.services.config().mysql.database;
    const [databaseListMs, databases] = await timed(() => Promise.resolve(tree.getChildren(connection)));
    const databaseNode = databases?.find((n) => label(n) === database);
    if (!databaseNode) throw new Error(`no ${database} under the connection: ${(databases ?? []).map(label).join(', ')}`);
    const [tablesMs, tables] = await timed(() => Promise.resolve(tree.getChildren(databaseNode)));
    const tableNode = tables?.find((n) => label(n) === 'orderdetails');
    if (!tableNode) throw new Error(`no orderdetails table under ${database}`);
    const [columnsMs] = await timed(() => Promise.resolve(tree.getChildren(tableNode)));
    // The connection's first expand connects (mysql2 loads then); the database's lists its tables.
    result.sourceRootMs = rootMs;
    result.sourceConnectionMs = databaseListMs;
    result.sourceDatabaseMs = tablesMs;
    result.sourceTableMs = columnsMs;

    const cold = await openDashboardUntilRendered(api);
    result.dashboardColdMs = cold.ms;
    result.dashboardColdPhases = cold.phases;
    result.dashboardMarks = [cold.marks];
    result.cardsRendered = cold.rendered;
    result.cardErrors = cold.errors;
    result.dashboardWarmMs = [];
    result.dashboardWarmPhases = [];
    result.dashboardShownMs = [];
    result.dashboardShownKept = [];
    for (let i = 0; i < warmReps; i++) {
      const shown = await showHiddenDashboard(api);
      result.dashboardShownMs.push(shown.ms);
      result.dashboardShownKept.push(shown.kept);
      await closeDashboard(api);
      const warm = await openDashboardUntilRendered(api);
      result.dashboardWarmMs.push(warm.ms);
      result.dashboardWarmPhases.push(warm.phases);
      result.dashboardMarks.push(warm.marks);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    result.ok = cold.errors.length === 0;
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
}
