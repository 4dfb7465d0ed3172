import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineageGraph } from '../core/lineage/graph';
import type { ColumnLineage } from '../core/model';
import { describeError } from '../core/errors';
import type { LabServices } from '../services';

/** The graph module (and DuckDB with it) loads on first use, not at activation. */
const graphModule = () => import('../core/lineage/graph');
const panelModule = () => import('../webview/lineagePanel');

/** The model folder's files as a stamp (name, size, change time each), to tell whether a derived graph is current. */
function modelStamp(modelDir: string): string {
  const parts: string[] = [];
  for (const dir of [modelDir, path.join(modelDir, 'tests')]) {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const st = fs.statSync(path.join(dir, name));
        if (st.isFile()) parts.push(`${dir}/${name}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`);
      } catch {
        // gone between the listing and the stat: the next call sees it
      }
    }
  }
  return parts.join('|');
}

/** What a model change breaks, one line per card or cell, or none. */
export function describeBreaks(graph: LineageGraph): string[] {
  return graph.readers.filter((r) => r.missing.length)
    .map((r) => `${r.kind === 'card' ? 'dashboard card' : 'notebook cell'} "${r.title}" reads ${r.missing.join(', ')}, which the model no longer has`);
}

/**
 * Show Lineage (palette, Source view columns, Lake view tables), hovers on the model's columns in glue/sql, and a
 * watcher that re-derives the lineage when the model changes and says at once which cards a change breaks.
 */
export function registerLineage(services: LabServices): { disposables: vscode.Disposable[]; beforeRun: () => Promise<boolean> } {
  const modelDir = services.asset('glue', 'sql');
  let cached: Promise<LineageGraph> | undefined;
  let cachedStamp = '';
  // The graph is kept while the model's files are as they were (names, sizes, times): a hover or a run right after an
  // edit sees the edit even before the watcher's event arrives.
  const graph = (): Promise<LineageGraph> => {
    const stamp = modelStamp(modelDir);
    if (stamp !== cachedStamp) cached = undefined;
    cachedStamp = stamp;
    cached ??= graphModule().then((m) => m.lineageGraph(modelDir));
    cached.catch(() => { cached = undefined; });
    return cached;
  };

  const show = async (arg?: unknown): Promise<void> => {
    const column = await pickColumn(arg, graph);
    if (!column) return;
    await (await panelModule()).LineagePanel.show(services.context.extensionUri, graph, column, services.log);
  };

  let recheck: NodeJS.Timeout | undefined;
  const onModelChanged = () => {
    cached = undefined;
    clearTimeout(recheck);
    recheck = setTimeout(() => void graph().then(async (g) => {
      const breaks = describeBreaks(g);
      const panel = (await panelModule()).LineagePanel.open;
      const focus = panel?.rendered?.focus.replace(/^\w+:/, '');
      if (panel && focus) await panel.showColumn(focus).catch(() => undefined);
      if (!breaks.length) return;
      services.log.warn(`Model change: ${breaks.join('; ')}`);
      const choice = await vscode.window.showWarningMessage(
        `The model change breaks ${breaks.length === 1 ? breaks[0] : `${breaks.length} cards and cells: ${breaks.join('; ')}`}. Fix the model before the next run.`,
        'Show Lineage',
      );
      if (choice) await show();
    }, async (err: unknown) => {
      services.log.warn(`Model change: ${describeError(err)}`);
      await vscode.window.showWarningMessage(`The model no longer derives: ${describeError(err)}`);
    }), 300);
  };
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(modelDir), '*.sql'));

  // Before a run: a model that no longer serves a card is said now, not after the lake is replaced.
  const beforeRun = async (): Promise<boolean> => {
    let breaks: string[];
    try {
      breaks = describeBreaks(await graph());
    } catch (err) {
      // A model the parser cannot read fails the run itself, with the engine's own message.
      services.log.warn(`Model check before the run: ${describeError(err)}`);
      return true;
    }
    if (!breaks.length) return true;
    const choice = await vscode.window.showWarningMessage(
      `The model no longer serves ${breaks.length === 1 ? breaks[0] : `${breaks.length} dashboard cards and notebook cells: ${breaks.join('; ')}`}.`,
      { modal: true, detail: 'Running now replaces the lake; those cards would then fail. Fix the model in glue/sql, or run anyway.' },
      'Run Anyway', 'Show Lineage',
    );
    if (choice === 'Show Lineage') await show();
    return choice === 'Run Anyway';
  };

  const disposables = [
    vscode.commands.registerCommand('lifecycleLab.showLineage', services.command('Show Lineage', show)),
    watcher,
    watcher.onDidChange(onModelChanged),
    watcher.onDidCreate(onModelChanged),
    watcher.onDidDelete(onModelChanged),
    { dispose: () => clearTimeout(recheck) },
    vscode.languages.registerHoverProvider({ scheme: 'file', pattern: new vscode.RelativePattern(vscode.Uri.file(modelDir), '*.sql') }, {
      async provideHover(document, position) {
        const range = document.getWordRangeAtPosition(position, /[A-Za-z_][A-Za-z0-9_]*/);
        if (!range) return undefined;
        const word = document.getText(range).toLowerCase();
        const table = path.basename(document.fileName, '.sql');
        const g = await graph().catch(() => undefined);
        const column = g?.columns.find((c) => c.table === table && c.column.toLowerCase() === word);
        return column && g ? new vscode.Hover(hoverText(column, g), range) : undefined;
      },
    }),
  ];
  return { disposables, beforeRun };
}

function hoverText(c: ColumnLineage, graph: LineageGraph): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**');
  md.appendText(`${c.table}.${c.column}`);
  md.appendMarkdown(`** (${c.published ? 'lake column' : 'staging column'})\n\n`);
  md.appendCodeblock(c.expression, 'sql');
  const refs = (list: { table: string; column: string }[]) => list.map((r) => `${r.table}.${r.column}`).join(', ');
  md.appendText(`Reads: ${refs(c.reads)}\nFrom the source: ${refs(c.sources)}\n`);
  for (const j of c.joins) md.appendText(`Join (${j.kind}): ${j.condition}\n`);
  const readers = graph.readers.filter((r) => r.reads.some((x) => x.table === c.table && x.column === c.column));
  if (readers.length) md.appendText(`Read by: ${readers.map((r) => `${r.kind === 'card' ? 'card' : 'cell'} ${r.title}`).join(', ')}\n`);
  return md;
}

/** The column to show: from the command's argument (a name, a Source view column, a Lake view table) or a pick. */
async function pickColumn(arg: unknown, graph: () => Promise<LineageGraph>): Promise<string | undefined> {
  if (typeof arg === 'string' && (arg.includes('.') || /^(card|cell|dataset):/.test(arg))) return arg;
  let table: string | undefined;
  if (arg && typeof arg === 'object') {
    const node = arg as { kind?: string; table?: unknown; name?: unknown; column?: { name?: unknown } };
    if (node.kind === 'column' && typeof node.table === 'string' && typeof node.column?.name === 'string') return `${node.table}.${node.column.name}`;
    if (node.kind === 'table' && typeof node.name === 'string') table = node.name;
  }
  const g = await graph();
  const items: (vscode.QuickPickItem & { column: string })[] = g.columns
    .filter((c) => !table || c.table === table)
    .map((c) => ({ label: `${c.table}.${c.column}`, description: c.published ? 'lake' : 'staging', detail: c.expression, column: `${c.table}.${c.column}` }));
  if (!table) {
    const sources = new Map<string, string>();
    for (const c of g.columns) for (const s of c.sources) sources.set(`${s.table}.${s.column}`, `${s.table}.${s.column}`);
    for (const name of [...sources.keys()].sort()) items.push({ label: name, description: 'source', column: name });
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Show the lineage of which column?', matchOnDescription: true, matchOnDetail: true });
  return picked?.column;
}

/** For the extension API (tests): what the open lineage panel drew, and a node picked as a click picks it. */
export function lineageTestHooks() {
  return {
    async rendered() {
      const panel = (await panelModule()).LineagePanel.open;
      return panel ? panel.whenRendered() : undefined;
    },
    async openNode(id: string) {
      return (await panelModule()).LineagePanel.open?.openNode(id);
    },
  };
}
