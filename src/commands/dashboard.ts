import type * as vscode from 'vscode';
import type { LabServices } from '../services';

/** Placeholder until the dashboard area lands; registers nothing. */
export function registerDashboard(_services: LabServices): vscode.Disposable[] {
  return [];
}
