import * as vscode from 'vscode';
import type { PreflightCheck, PreflightReport } from '../core/aws/preflight';
import type { LabServices } from '../services';
import { withCancellableProgress } from './progress';

/** The preflight module (and the AWS SDK behind it) loads on first use, not at activation. */
const preflightModule = () => import('../core/aws/preflight');

const ICONS: Record<PreflightCheck['status'], string> = { fail: '$(error)', pass: '$(pass)', skipped: '$(circle-slash)' };
const ORDER: Record<PreflightCheck['status'], number> = { fail: 0, skipped: 1, pass: 2 };

/**
 * Check AWS Network (Preflight): runs the checks under a cancellable progress notification, then shows them as a
 * checklist (failing checks first, each with its fix; picking one copies the fix) and one summary notification.
 * Returns the report (for tests and other commands).
 */
export function registerPreflight(services: LabServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('lifecycleLab.aws.preflight', services.command('Check AWS Network (Preflight)', async (): Promise<PreflightReport> => {
      const config = services.config();
      const { runPreflight } = await preflightModule();
      const report = await withCancellableProgress(`Preflight: Glue connection ${config.preflight.connectionName}`,
        (work) => runPreflight(config.aws, config.preflight.connectionName, work));
      for (const check of report.checks) {
        services.log.info(`Preflight ${check.status}: ${check.name}: ${check.detail}${check.fix ? ` Fix: ${check.fix}` : ''}`);
      }
      showChecklist(report);
      void summarize(report, services);
      return report;
    })),
  ];
}

function showChecklist(report: PreflightReport): void {
  const items = [...report.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]).map((check) => ({
    label: `${ICONS[check.status]} ${check.name}`,
    description: check.status,
    detail: check.fix ? `${check.detail} Fix: ${check.fix}` : check.detail,
    check,
  }));
  void Promise.resolve(vscode.window.showQuickPick(items, {
    title: `Preflight of ${report.connectionName}: ${report.failed.length ? `${report.failed.length} failing` : 'no failing check'} (pick one to copy its fix)`,
    matchOnDetail: true,
    ignoreFocusOut: true,
  })).then(async (picked) => {
    if (!picked?.check.fix) return;
    await vscode.env.clipboard.writeText(picked.check.fix);
    vscode.window.setStatusBarMessage(`Copied the fix for "${picked.check.name}"`, 4000);
  });
}

async function summarize(report: PreflightReport, services: LabServices): Promise<void> {
  const skipped = report.checks.filter((c) => c.status === 'skipped').length;
  const skippedText = skipped ? ` (${skipped} skipped)` : '';
  if (!report.failed.length) {
    void vscode.window.showInformationMessage(`Preflight: the ${report.checks.length - skipped} network checks of ${report.connectionName} passed${skippedText}.`);
    return;
  }
  const [first] = report.failed;
  const choice = await vscode.window.showWarningMessage(
    `Preflight: ${report.failed.length} of ${report.checks.length} checks failed${skippedText}. First: ${first.name}: ${first.detail}${first.fix ? ` Fix: ${first.fix}` : ''}`,
    ...(first.fix ? ['Copy Fix'] : []), 'Show Log',
  );
  if (choice === 'Copy Fix' && first.fix) await vscode.env.clipboard.writeText(first.fix);
  if (choice === 'Show Log') services.log.show();
}
