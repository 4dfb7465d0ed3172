import * as vscode from 'vscode';
import type { CheckItem, CheckReport } from '../core/check/checks';
import type { LabServices } from '../services';
import { withCancellableProgress } from '../commands/progress';

const ICON: Record<CheckItem['status'], string> = { pass: '$(pass-filled)', fail: '$(error)', skip: '$(circle-slash)' };

/**
 * Check Lab in the editor: the core checklist (src/core/check) over the current backend, under a progress
 * notification, shown as a list whose failed items run their fix when picked. The `lifecycleLab.labChecked` context
 * key turns true when nothing failed (the walkthrough's last step completes on it).
 */
export function registerCheckLab(services: LabServices): vscode.Disposable[] {
  let last: CheckReport | undefined;
  const check = async (): Promise<CheckReport> => {
    const report = await withCancellableProgress('Checking the lab', async () => {
      const { checkLab } = await import('../core/check/checks');
      return checkLab((await services.backend()).checks());
    });
    last = report;
    const { formatCheckReport } = await import('../core/check/checks');
    for (const line of formatCheckReport(report)) services.log.info(`Check Lab: ${line}`);
    await vscode.commands.executeCommand('setContext', 'lifecycleLab.labChecked', report.ok);
    // Not awaited: the list stays open while the command's caller (a test, the walkthrough) gets the report.
    void showChecklist(report);
    return report;
  };
  return [
    vscode.commands.registerCommand('lifecycleLab.checkLab', services.command('Check Lab', check)),
    { dispose: () => { last = undefined; } },
  ];

  async function showChecklist(report: CheckReport): Promise<void> {
    const failed = report.items.filter((i) => i.status === 'fail').length;
    type Pick = vscode.QuickPickItem & { item: CheckItem };
    const picks: Pick[] = report.items.map((item) => ({
      item,
      label: `${ICON[item.status]} ${item.name}`,
      detail: item.detail,
      description: item.status !== 'pass' && item.fix ? `fix: ${item.fix.label}` : undefined,
    }));
    const choice = await vscode.window.showQuickPick(picks, {
      title: failed ? `Check Lab: ${failed} of ${report.items.length} checks failed (pick one to fix it)` : `Check Lab: all checks passed (${report.mode} mode)`,
      matchOnDetail: true,
      ignoreFocusOut: false,
    });
    const fix = choice?.item.status !== 'pass' ? choice?.item.fix : undefined;
    if (fix?.command && report === last) await vscode.commands.executeCommand(fix.command);
  }
}
