import * as vscode from 'vscode';
import { localLabUnsupported } from '../core/lab/platform';
import type { LabServices } from '../services';
import { withCancellableProgress } from './progress';

/**
 * "Start Local Lab" / "Stop Local Lab": thin wrappers over core LocalLab (the same code as `lifecycle-lab lab`).
 * Core is imported on first use so activation does not load mysql2.
 */
export function registerLabCommands(services: LabServices): vscode.Disposable[] {
  const localLab = async () => {
    const { labFromConfig } = await import('../core/lab');
    return labFromConfig(services.config(), services.log, services.asset(), services.asset('data', 'mysqlsampledatabase.sql'));
  };

  const start = services.command('Start Local Lab', () => {
    // Said before any progress shows: on Windows there is nothing to start (AWS mode is offered instead).
    const unsupported = localLabUnsupported();
    if (unsupported) throw unsupported;
    return withCancellableProgress('Lifecycle Lab: starting the local lab', async (work) => {
      const lab = await localLab();
      try {
        const status = await lab.up(work);
        services.log.info(`Local lab is up on ${status.host}:${status.port} (pid ${status.pid}), ${status.database} ${status.seededFrom ?? ''}`);
        void vscode.window.showInformationMessage(`Local lab is up: MariaDB on ${status.host}:${status.port}, database ${status.database}.`);
      } finally {
        // Also after a cancel or failure: the server may have started or stopped.
        services.fireSourceChanged();
      }
    });
  });

  const stop = services.command('Stop Local Lab', async () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Lifecycle Lab: stopping the local lab' }, async () => {
      const lab = await localLab();
      try {
        const wasRunning = await lab.down();
        services.log.info(wasRunning ? 'Local lab stopped' : 'Local lab was not running');
      } finally {
        services.fireSourceChanged();
      }
    }));

  return [
    vscode.commands.registerCommand('lifecycleLab.startLocalLab', start),
    vscode.commands.registerCommand('lifecycleLab.stopLocalLab', stop),
  ];
}
