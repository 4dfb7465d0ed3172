import type * as vscode from 'vscode';
import type { LabServices } from '../services';

/** Placeholder until the pipeline area lands; registers nothing. */
export function registerPipeline(_services: LabServices): vscode.Disposable[] {
  return [];
}
