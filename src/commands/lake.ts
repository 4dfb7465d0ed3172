import * as vscode from 'vscode';
import type { LakeCheck } from '../core/lake/verify';
import type { LabServices } from '../services';
import type { LakeTreeProvider } from '../views/lakeTree';

/**
 * Verify Lake: hashes every file of the local lake and compares it with the size and SHA-256 its run recorded (the
 * same check as `lifecycle-lab lake verify`), with a cancellable progress notification. The result names each
 * damaged table and file and offers Run Pipeline; the Lake view shows the damaged tables.
 */
export function registerLakeCommands(services: LabServices, lakeTree: LakeTreeProvider): vscode.Disposable[] {
  const verify = services.command('Verify lake', async (): Promise<LakeCheck> => {
    const lakeDir = services.config().local.lakeDir;
    const { verifyLake } = await import('../core/lake/verify');
    const check = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Lifecycle Lab: verifying the lake', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        let done = 0;
        try {
          return await verifyLake(lakeDir, {
            signal: controller.signal,
            onProgress: (u) => {
              const fraction = Math.max(done, u.fraction ?? done);
              progress.report({ message: u.message, increment: (fraction - done) * 100 });
              done = fraction;
            },
          });
        } finally {
          cancel.dispose();
        }
      },
    );
    if (check.recovered) services.fireLakeChanged();
    await lakeTree.showVerification(check);
    services.log.info(`Verify lake ${lakeDir}: ${check.ok ? 'intact' : check.problems.map((p) => p.message).join(' ')}`);
    if (check.ok) {
      const how = check.checksums ? 'sizes and SHA-256 checksums match' : check.manifest ? 'sizes match (this manifest records no checksums)' : 'no manifest to compare with';
      void vscode.window.showInformationMessage(`Lake verified: ${check.tables.length} tables, ${how}.`);
      return check;
    }
    const tables = [...new Set(check.problems.map((p) => p.table))];
    const shown = check.problems.slice(0, 3).map((p) => p.message).join(' ');
    const more = check.problems.length > 3 ? ` (${check.problems.length - 3} more in the log)` : '';
    void vscode.window
      .showErrorMessage(`The lake is damaged (${tables.join(', ')}): ${shown}${more} Run the pipeline to rewrite it.`, 'Run Pipeline', 'Show Log')
      .then((choice) => {
        if (choice === 'Run Pipeline') void vscode.commands.executeCommand('lifecycleLab.pipeline.run');
        else if (choice === 'Show Log') services.log.show();
      });
    return check;
  });
  return [vscode.commands.registerCommand('lifecycleLab.lake.verify', verify)];
}
