import * as vscode from 'vscode';
import * as path from 'node:path';
import { LabError } from '../core/errors';
import type { PipelineEvent, PipelineResult, PipelineStep } from '../core/lake/pipeline';
import type { QueryEngine } from '../core/query/engine';
import type { LabServices } from '../services';
import { PipelineTerminal } from '../terminals/pipelineTerminal';
import { GridPanel, type GridOpened } from '../webview/gridPanel';
import { LakeTreeProvider, type LakeTableNode } from '../views/lakeTree';
import { registerLakeCommands } from './lake';
import { emptyPipelineState, PipelineTreeProvider, type PipelineViewState } from '../views/pipelineTree';
import { lastRunRecord, RUN_LOG } from '../core/lake/runLog';
import { pipelineStateFromRecord, recordIsNewer } from '../core/lake/runState';

const STATE_KEY = 'lifecycleLab.pipeline.lastState';
const PREVIEW_SCHEME = 'lifecycle-lab-lake';
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What `lifecycleLab.pipeline.lastRun` returns: the view state plus the terminal, for tests and scripts. */
export interface PipelineSnapshot extends PipelineViewState {
  terminalName?: string;
  transcript: string[];
}

/**
 * The local pipeline in the editor: the Pipeline view (steps of the last run), Run/Cancel, a Pseudoterminal
 * streaming each run, a status-bar item while it runs, a completion notification, and the Lake view with
 * preview and schema documents read through the DuckDB engine.
 */
export function registerPipeline(services: LabServices): vscode.Disposable[] {
  const saved = services.context.workspaceState.get<PipelineViewState>(STATE_KEY);
  const pipelineTree = new PipelineTreeProvider(saved ? { ...saved, running: false } : emptyPipelineState());
  const lakeTree = new LakeTreeProvider(
    () => services.config().local.lakeDir,
    (count) => void vscode.commands.executeCommand('setContext', 'lifecycleLab.lakeHasTables', count > 0),
  );
  const status = vscode.window.createStatusBarItem('lifecycleLab.pipeline', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Lifecycle Lab Pipeline';
  status.command = 'lifecycleLab.pipeline.showTerminal';

  let terminal: { pty: PipelineTerminal; terminal: vscode.Terminal } | undefined;
  let running: AbortController | undefined;
  /** Settles when the run in progress has released the lake (cancelled or not). */
  let runEnded: Promise<unknown> = Promise.resolve();
  let engine: { lakeDir: string; engine: QueryEngine } | undefined;
  const setContext = (key: string, value: boolean) => void vscode.commands.executeCommand('setContext', key, value);
  setContext('lifecycleLab.pipelineHasRun', !!saved?.lastRun);
  setContext('lifecycleLab.pipelineRunning', false);

  /** A run from the CLI, `npm start` or another window shows up too, failed ones included: the lake's run log has them all. */
  const adoptNewerRun = async (): Promise<void> => {
    try {
      const record = await lastRunRecord(services.config().local.lakeDir);
      if (!record || !recordIsNewer(record, pipelineTree.state)) return;
      pipelineTree.state = pipelineStateFromRecord(record);
      setContext('lifecycleLab.pipelineHasRun', true);
    } catch (err) {
      services.log.warn(`Could not read the lake's run log: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  void adoptNewerRun();
  let runLogWatcher: vscode.FileSystemWatcher | undefined;
  const watchRunLog = () => {
    runLogWatcher?.dispose();
    runLogWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(services.config().local.lakeDir), RUN_LOG));
    runLogWatcher.onDidCreate(() => void adoptNewerRun());
    runLogWatcher.onDidChange(() => void adoptNewerRun());
  };
  watchRunLog();

  const ensureTerminal = (name: string): PipelineTerminal => {
    if (terminal && vscode.window.terminals.includes(terminal.terminal)) return terminal.pty;
    const pty = new PipelineTerminal();
    const created = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('database') });
    terminal = { pty, terminal: created };
    pty.onClosed = () => { if (terminal?.pty === pty) terminal = undefined; };
    return pty;
  };

  const lakeEngine = async (): Promise<QueryEngine> => {
    const lakeDir = services.config().local.lakeDir;
    if (engine?.lakeDir !== lakeDir) {
      await engine?.engine.close();
      const { DuckDbLakeEngine } = await import('../core/query/duckdb');
      engine = { lakeDir, engine: new DuckDbLakeEngine(lakeDir) };
    }
    return engine.engine;
  };

  const runPipelineCommand = async (): Promise<PipelineResult | undefined> => {
    if (running) {
      terminal?.terminal.show(true);
      return undefined;
    }
    const config = services.config();
    if (config.mode !== 'local') {
      throw new LabError('config', 'The local pipeline runs in local mode; in AWS mode the Glue job does this work.', {
        nextStep: { label: 'Switch Mode (Local / AWS)', command: 'lifecycleLab.switchMode' },
      });
    }
    const target = await services.sourceTarget();
    if (!target) {
      throw new LabError('labNotRunning', 'The local lab database is not running, so there is no source to extract.', {
        nextStep: { label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' },
      });
    }
    const { runPipeline } = await import('../core/lake/pipeline');
    const pty = ensureTerminal(`Pipeline: ${target.database} → lake`);
    terminal?.terminal.show(true);
    const controller = new AbortController();
    running = controller;
    pty.onInterrupt = () => controller.abort();
    setContext('lifecycleLab.pipelineRunning', true);

    let step: PipelineStep | undefined;
    const started = Date.now();
    const showStatus = () => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      status.text = `$(sync~spin) Pipeline: ${step ? step[0].toUpperCase() + step.slice(1) : 'starting'} ${seconds}s`;
      status.tooltip = 'Lifecycle Lab pipeline run: click to show its terminal';
    };
    showStatus();
    status.show();
    const timer = setInterval(showStatus, 500);
    const onEvent = (event: PipelineEvent) => {
      pty.event(event);
      pipelineTree.apply(event);
      if (event.kind === 'stepStarted') {
        step = event.step;
        showStatus();
      }
    };
    try {
      const run = runPipeline({
        target,
        lakeDir: config.local.lakeDir,
        modelDir: services.asset('glue', 'sql'),
        signal: controller.signal,
        log: services.log,
        onEvent,
        origin: 'editor',
        stallTimeoutMs: config.pipeline.stallTimeoutMs,
      });
      runEnded = run.catch(() => undefined);
      const result = await run;
      services.fireLakeChanged();
      const fact = result.manifest.tables.fact_orders;
      void vscode.window
        .showInformationMessage(
          `Pipeline succeeded: ${fact.rows.toLocaleString('en-US')} fact rows, total ${result.manifest.source.orderAmountTotal}, reconciliation passed.`,
          'Open Dashboard', 'Show Lake')
        .then((choice) => {
          if (choice === 'Open Dashboard') void vscode.commands.executeCommand('lifecycleLab.dashboard.open');
          else if (choice === 'Show Lake') void vscode.commands.executeCommand('lifecycleLab.lake.reveal');
        });
      return result;
    } finally {
      clearInterval(timer);
      status.hide();
      running = undefined;
      pty.onInterrupt = undefined;
      setContext('lifecycleLab.pipelineRunning', false);
      setContext('lifecycleLab.pipelineHasRun', true);
      await services.context.workspaceState.update(STATE_KEY, pipelineTree.state);
    }
  };

  const lakeTableName = (node: LakeTableNode | string | undefined): string => {
    const name = typeof node === 'string' ? node : node?.name;
    if (!name || !TABLE_NAME.test(name)) throw new LabError('config', 'Pick a table in the Lake view.');
    return name;
  };

  /** Read-only schema documents (`lifecycle-lab-lake:/<table>.schema.txt`), read through the DuckDB engine. */
  const schemas = new (class implements vscode.TextDocumentContentProvider {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
      const [table] = path.posix.basename(uri.path).split('.');
      const { formatTable } = await import('../core/lake/report');
      try {
        const lake = await lakeEngine();
        const result = await lake.query(`select column_name, column_type, "null" from (describe "${lakeTableName(table)}")`);
        return `${table}: schema (${lake.description})\n\n${formatTable(['column', 'type', 'nullable'], result.rows)}\n`;
      } catch (err) {
        return `Could not read ${table}: ${(err as Error).message}\n`;
      }
    }
    refreshAll(): void {
      for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === PREVIEW_SCHEME) this.changed.fire(doc.uri);
    }
    dispose(): void {
      this.changed.dispose();
    }
  })();

  const showSchema = async (node: LakeTableNode | string | undefined) => {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${lakeTableName(node)}.schema.txt` });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  };

  /** Preview in the shared grid webview (the Source view's), pages read from Parquet through the DuckDB engine. */
  const previewTable = async (node: LakeTableNode | string | undefined): Promise<GridOpened> => {
    const table = lakeTableName(node);
    let total: number | undefined;
    return GridPanel.open(services.context.extensionUri, `lake.${table}`, `lake:${table}`, async (offset, limit) => {
      const lake = await lakeEngine();
      const [schema, page] = await Promise.all([
        lake.query(`select column_name, column_type from (describe "${table}")`),
        lake.query(`select cast(columns(*) as varchar) from "${table}" limit ${Math.max(0, Math.floor(limit))} offset ${Math.max(0, Math.floor(offset))}`),
      ]);
      total ??= Number((await lake.query(`select count(*) from "${table}"`)).rows[0][0]);
      return {
        database: 'lake',
        table,
        columns: schema.rows.map(([name, type]) => ({ name: String(name), type: String(type), numeric: /INT|DECIMAL|DOUBLE|FLOAT|NUMERIC/i.test(String(type)) })),
        rows: page.rows.map((row) => row.map((v) => (v === null ? null : String(v)))),
        offset,
        limit,
        hasMore: offset + page.rows.length < total,
        orderBy: [],
      };
    }, services.log, async ({ rowIndex, column }) => (await import('../core/query/lakeCell')).lakeCellValue(await lakeEngine(), table, column, rowIndex));
  };

  /** Like services.command, but hands the handler's result back (tests and other commands use it). */
  const withErrors = <A extends unknown[], R>(what: string, handler: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await handler(...args);
      } catch (err) {
        await services.showError(what, err);
        return undefined;
      }
    };

  const pipelineView = vscode.window.createTreeView('lifecycleLab.pipeline', { treeDataProvider: pipelineTree });
  const lakeView = vscode.window.createTreeView('lifecycleLab.lake', { treeDataProvider: lakeTree });

  return [
    pipelineTree, lakeTree, pipelineView, lakeView, status, schemas,
    ...registerLakeCommands(services, lakeTree),
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, schemas),
    services.onDidChangeLake(() => {
      lakeTree.refresh();
      schemas.refreshAll();
      void adoptNewerRun();
    }),
    vscode.commands.registerCommand('lifecycleLab.pipeline.run', services.command('Pipeline run', runPipelineCommand)),
    vscode.commands.registerCommand('lifecycleLab.pipeline.cancel', () => running?.abort()),
    vscode.commands.registerCommand('lifecycleLab.pipeline.refresh', async () => {
      await adoptNewerRun();
      pipelineTree.refresh();
    }),
    vscode.commands.registerCommand('lifecycleLab.pipeline.showTerminal', () => terminal?.terminal.show()),
    vscode.commands.registerCommand('lifecycleLab.pipeline.lastRun', (): PipelineSnapshot => ({
      ...pipelineTree.state,
      terminalName: terminal?.terminal.name,
      transcript: [...(terminal?.pty.transcript ?? [])],
    })),
    vscode.commands.registerCommand('lifecycleLab.lake.refresh', () => lakeTree.refresh()),
    vscode.commands.registerCommand('lifecycleLab.lake.previewTable',
      withErrors('Preview lake table', (node?: LakeTableNode | string) => previewTable(node))),
    vscode.commands.registerCommand('lifecycleLab.lake.showSchema',
      withErrors('Show table schema', (node?: LakeTableNode | string) => showSchema(node))),
    vscode.commands.registerCommand('lifecycleLab.lake.reveal', services.command('Show lake', async () => {
      await vscode.commands.executeCommand('lifecycleLab.lake.focus');
      const gold = vscode.Uri.file(path.join(services.config().local.lakeDir, 'gold'));
      if (vscode.workspace.getWorkspaceFolder(gold)) await vscode.commands.executeCommand('revealInExplorer', gold);
    })),
    services.onShutdown(async () => {
      running?.abort();
      await runEnded;
    }),
    services.onDidChangeConfig(() => {
      watchRunLog();
      void adoptNewerRun();
    }),
    { dispose: () => { runLogWatcher?.dispose(); running?.abort(); void engine?.engine.close(); } },
  ];
}
