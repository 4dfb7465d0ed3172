import type * as vscode from 'vscode';
import type { LabServices } from '../services';

/** Placeholder until the source area lands; registers nothing. */
export function registerSourceView(_services: LabServices): vscode.Disposable[] {
  return [];
}
