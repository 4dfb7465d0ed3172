import * as vscode from 'vscode';
import { LabServices } from './services';
import { registerGeneralCommands } from './commands/general';
import { registerLabCommands } from './commands/lab';
import { registerLabFolder } from './commands/labFolder';
import { registerSourceView } from './commands/source';
import { registerPipeline } from './commands/pipeline';
import { dashboardTestHooks, registerDashboard } from './commands/dashboard';
import { registerNotebook } from './notebook';
import type { QueryOutcome } from './notebook/controller';
import { registerCheckLab } from './notebook/checkLab';
import { registerCompareLakes } from './commands/compare';
import { registerPreflight } from './commands/preflight';
import { lineageTestHooks, registerLineage } from './commands/lineage';
import type { PipelineSnapshot } from './commands/pipeline';
import { registerTerraform, type TerraformPrompts, type TerraformSnapshot } from './commands/terraform';
import type { DatasetId } from './core/dashboard/model';
import type { SourceTreeProvider } from './views/sourceTree';
import type { LakeTreeProvider } from './views/lakeTree';
import type { PipelineTreeProvider } from './views/pipelineTree';
import type { DashboardRenderedState } from './webview/dashboardPanel';
import type { LineageRendered } from './webview/lineageProtocol';
import { extensionExports } from './testApi';

/**
 * The extension's test API, for the extension-host tests and the editor bench (test hooks live here, not among the
 * commands); exported only when the runner set LIFECYCLE_LAB_TEST_HOOKS=1 (src/testApi.ts), so a user's install has none.
 */
export interface LifecycleLabApi {
  /** Milliseconds activate() took, measured inside the extension host. */
  activationMs: number;
  services: LabServices;
  /** The Source view's data provider, so tests can walk the tree the user sees. */
  sourceTree: SourceTreeProvider;
  /** The Lake and Pipeline views' data providers, likewise. */
  lakeTree: LakeTreeProvider;
  pipelineTree: PipelineTreeProvider;
  pipeline: {
    /** The Pipeline view's state, with the terminal's name and transcript. */
    snapshot(): PipelineSnapshot;
  };
  notebook: {
    /** The Lab notebook controller's id (for notebook.selectKernel). */
    controllerId: string;
    /** Runs a cut cell output's query again into `target` as CSV (the renderer's Export button). */
    exportResult(resultId: string, target: vscode.Uri): Promise<vscode.Uri | undefined>;
    /** Notebook queries running now and how the latest ones ended (cancelled ones say why). */
    queries(): { running: number; ended: QueryOutcome[] };
  };
  terraform: {
    /** The Terraform terminal's transcript, the last plan and the runs' exit codes. */
    snapshot(): TerraformSnapshot;
    /** Replaces the modal confirmations and input boxes (undefined restores them). */
    setPrompts(prompts: TerraformPrompts | undefined): void;
  };
  lineage: {
    /** What the lineage page last drew, or undefined when no lineage panel is open. */
    rendered(): Promise<LineageRendered | undefined>;
    /** Picks a node as a click does (a model column opens its SQL at the line). */
    openNode(id: string): Promise<vscode.TextEditor | undefined>;
  };
  dashboard: {
    /** What the page last reported for each card. */
    renderedState(): Promise<DashboardRenderedState>;
    /** Makes the next query of a card fail visibly, then reruns every card. */
    injectQueryFailure(dataset: DatasetId): Promise<void>;
  };
}

/**
 * Builds the editor services and registers each area. Nothing heavy happens here: MySQL, DuckDB and the
 * AWS SDK are loaded the first time a view or command needs them.
 */
export function activate(context: vscode.ExtensionContext): LifecycleLabApi | undefined {
  const started = performance.now();
  const services = new LabServices(context);
  active = services;
  const source = registerSourceView(services);
  const lineage = registerLineage(services);
  const pipeline = registerPipeline(services, lineage.beforeRun);
  const notebook = registerNotebook(services);
  const terraform = registerTerraform(services, pipeline.controller.tree);
  const defaultPrompts = terraform.controller.prompts;
  context.subscriptions.push(
    services,
    ...registerGeneralCommands(services),
    ...registerLabCommands(services),
    ...registerLabFolder(services),
    ...source.disposables,
    ...pipeline.disposables,
    ...terraform.disposables,
    ...registerDashboard(services),
    ...notebook.disposables,
    ...registerCheckLab(services),
    ...registerPreflight(services),
    ...registerCompareLakes(services),
    ...lineage.disposables,
  );
  const activationMs = performance.now() - started;
  services.log.info(`Lifecycle Lab activated in ${activationMs.toFixed(1)} ms`);
  return extensionExports<LifecycleLabApi>(() => ({
    activationMs,
    services,
    sourceTree: source.tree,
    lakeTree: pipeline.lakeTree,
    pipelineTree: pipeline.controller.tree,
    pipeline: { snapshot: () => pipeline.controller.snapshot() },
    terraform: {
      snapshot: () => terraform.controller.snapshot(),
      setPrompts: (prompts) => { terraform.controller.prompts = prompts ?? defaultPrompts; },
    },
    dashboard: dashboardTestHooks(),
    lineage: lineageTestHooks(),
    notebook: {
      controllerId: notebook.controller.id,
      exportResult: (id, target) => notebook.controller.exportResult(id, target),
      queries: () => notebook.controller.queries(),
    },
  }));
}

let active: LabServices | undefined;

/**
 * Stops what holds shared state before the window goes: a pipeline run is cancelled and releases the lake lock
 * (a host killed outright stops the lock's heartbeat instead, and the lock goes stale). Disposables registered on
 * the context are released by the editor after this.
 */
export async function deactivate(): Promise<void> {
  await active?.shutdown();
  active = undefined;
}
