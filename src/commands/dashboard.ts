import * as vscode from 'vscode';
import type { LabServices } from '../services';
import { DASHBOARD_VIEW_TYPE } from '../webview/protocol';
import type { DashboardRenderedState } from '../webview/dashboardPanel';
import { parseDashboardOpenOptions } from './dashboardOptions';
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
      (await panelModule()).DashboardPanel.show(services, parseDashboardOpenOptions(options));
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
