import type * as vscode from 'vscode';
import type { LabServices } from '../services';

/** Placeholder until the lab area lands; registers nothing. */
export function registerLabCommands(_services: LabServices): vscode.Disposable[] {
  return [];
}
