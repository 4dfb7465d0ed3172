import * as vscode from 'vscode';
import type { LabServices } from '../services';

/**
 * The one home of "which settings does the extension write to". The workspace's settings (its .vscode/settings.json)
 * belong to the folder: the extension writes there only in the lab's own repository. Anywhere else (a folder of the
 * user's, or none) it writes the user settings, so the folder holds nothing of the extension's.
 */
export function defaultSettingsTarget(services: LabServices): vscode.ConfigurationTarget {
  return services.folderIsLabRepository && vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

/** Where to write `key` (a `lifecycleLab.` setting): where the user already keeps it, else the default target. */
export function settingScope(services: LabServices, key: string, settings = vscode.workspace.getConfiguration('lifecycleLab')): vscode.ConfigurationTarget {
  const inspected = settings.inspect(key);
  if (inspected?.workspaceValue !== undefined) return vscode.ConfigurationTarget.Workspace;
  if (inspected?.globalValue !== undefined) return vscode.ConfigurationTarget.Global;
  return defaultSettingsTarget(services);
}
