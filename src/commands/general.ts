import * as vscode from 'vscode';
import type { LabServices } from '../services';
import { settingScope } from './settingsScope';

/** Mode, password, settings and log commands: the ones every area relies on. */
export function registerGeneralCommands(services: LabServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('lifecycleLab.setDatabasePassword', services.command('Set database password', async (password?: string) => {
      const { user, host, port } = services.config().mysql;
      const value = password ?? await vscode.window.showInputBox({
        title: 'Database password',
        prompt: `Password for ${user}@${host || 'the configured host'}:${port}. Kept in the editor's secret storage, never in settings.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (value === undefined) return;
      await services.setMysqlPassword(value);
      services.log.info(`Stored the database password for ${user}@${host}:${port} in secret storage.`);
    })),
    vscode.commands.registerCommand('lifecycleLab.clearDatabasePassword', services.command('Clear database password', async () => {
      await services.setMysqlPassword(undefined);
    })),
    vscode.commands.registerCommand('lifecycleLab.switchMode', services.command('Switch mode', async (mode?: 'local' | 'aws') => {
      // The setting itself, which this command edits (the backend is built from it, and nothing else reads it).
      const current = vscode.workspace.getConfiguration('lifecycleLab').get<string>('mode');
      const next = mode ?? (await vscode.window.showQuickPick(
        [
          { label: 'local', description: 'MariaDB + DuckDB + local Parquet lake', picked: current === 'local' },
          { label: 'aws', description: 'RDS + Glue + S3 + Athena', picked: current === 'aws' },
        ],
        { title: `Lifecycle Lab mode (now: ${current})` },
      ))?.label;
      if (!next || next === current) return;
      await vscode.workspace.getConfiguration('lifecycleLab').update('mode', next, settingScope(services, 'mode'));
    })),
    vscode.commands.registerCommand('lifecycleLab.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${services.context.extension.id}`)),
    vscode.commands.registerCommand('lifecycleLab.showLog', () => services.log.show()),
  ];
}
