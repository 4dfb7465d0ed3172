import * as vscode from 'vscode';
import type { LabServices } from '../services';
import { DASHBOARD_VIEW_TYPE } from '../webview/protocol';
import { TOP_N_MAX, TOP_N_MIN, type TopProductsFilter } from '../core/dashboard/queries';
import type { DashboardOpenOptions, DashboardRenderedState } from '../webview/dashboardPanel';
import { DATASET_IDS, type DatasetId } from '../core/dashboard/model';

/** The panel module (and with it the dashboard's core code) loads on first use, not at activation. */
const panelModule = () => import('../webview/dashboardPanel');

/**
 * Open Dashboard (palette, Lake view, pipeline notification), the panel serializer that restores it after a
 * reload.
 */
export function registerDashboard(services: LabServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('lifecycleLab.dashboard.open', services.command('Open Dashboard', async (options?: unknown) => {
      (await panelModule()).DashboardPanel.show(services, openOptions(options));
    })),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
        (await panelModule()).DashboardPanel.revive(panel, services);
      },
    }),
  ];
}

/**
 * For the extension API (tests and the bench): the page's rendered reports, its timing marks and a one-shot query
 * failure. They answer only in a host started with LIFECYCLE_LAB_TEST_HOOKS=1 (the panel keeps nothing otherwise).
 */
export function dashboardTestHooks() {
  const hooksOf = async () => {
    const panel = (await panelModule()).DashboardPanel.open;
    if (panel && !panel.testHooks) throw new Error('The dashboard test hooks are off: start the editor with LIFECYCLE_LAB_TEST_HOOKS=1.');
    return panel && { panel, hooks: panel.testHooks! };
  };
  return {
    async renderedState(): Promise<DashboardRenderedState> {
      const open = await hooksOf();
      return open?.hooks.renderedState() ?? { open: false, visible: false, reports: {}, lastSeq: 0, timings: { host: [], page: [] } };
    },
    async injectQueryFailure(dataset: DatasetId): Promise<void> {
      if (!(DATASET_IDS as readonly string[]).includes(dataset)) throw new Error(`Unknown dataset ${String(dataset)}`);
      const open = await hooksOf();
      if (!open) throw new Error('The dashboard is not open.');
      open.hooks.injectFailure(dataset);
      open.panel.refresh();
    },
  };
}

/** Options come from other commands or tests (untyped command arguments): keep only well-formed filter fields. */
function openOptions(raw: unknown): DashboardOpenOptions {
  const top = raw && typeof raw === 'object' ? (raw as { topProducts?: unknown }).topProducts : undefined;
  if (!top || typeof top !== 'object') return {};
  const t = top as Record<string, unknown>;
  const date = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
  const text = (v: unknown) => typeof v === 'string' && v.length <= 200;
  const filter: Partial<TopProductsFilter> = {};
  if (date(t.startDate)) filter.startDate = t.startDate as string;
  if (date(t.endDate)) filter.endDate = t.endDate as string;
  if (text(t.country)) filter.country = t.country as string;
  if (text(t.productLine)) filter.productLine = t.productLine as string;
  if (Number.isInteger(t.n) && (t.n as number) >= TOP_N_MIN && (t.n as number) <= TOP_N_MAX) filter.n = t.n as number;
  return { topProducts: filter };
}
