import * as vscode from 'vscode';
import type { OutputsRead } from '../core/terraform/outputs';
import type { PlanSummary } from '../core/terraform/plan';

export type TerraformVerb = 'init' | 'plan' | 'apply' | 'destroy' | 'outputs';

export interface TerraformRunResult {
  verb: TerraformVerb;
  commandLine: string;
  /** Undefined when the terminal has no shell integration (the result is unknown). */
  exitCode?: number;
  known: boolean;
  ok: boolean;
  summary?: PlanSummary;
  /** Settings written from `terraform output -json` after an apply (keys without `lifecycleLab.`). */
  settingsWritten?: string[];
  /** Destroy: when the password's secret, deleted with it, is gone for good (ISO time). */
  secretDeletionDate?: string;
}

/** The command's name as the palette shows it. */
export function titleOf(verb: TerraformVerb): string {
  return verb === 'outputs' ? 'Show Outputs' : verb[0].toUpperCase() + verb.slice(1);
}

/** A run's outcome as a notification; the failure and unknown ones offer the terminal. */
export function notifyRun(result: TerraformRunResult, showTerminal: () => void): void {
  const title = `Terraform ${titleOf(result.verb)}`;
  if (!result.known) {
    void vscode.window.showWarningMessage(`${title} was typed into the Terraform terminal, which has no shell integration: its result is unknown. Check the terminal.`, 'Show Terminal')
      .then((c) => { if (c) showTerminal(); });
  } else if (result.ok) {
    void vscode.window.showInformationMessage(`${title} succeeded (exit 0).`);
  } else {
    const hint = result.exitCode === 127 ? ' The terraform command was not found: install Terraform 1.9 or later.' : ' See the Terraform terminal.';
    void vscode.window.showErrorMessage(`${title} failed (exit ${result.exitCode}).${hint}`, 'Show Terminal')
      .then((c) => { if (c) showTerminal(); });
  }
}

/** The settings an apply filled from its outputs, and where they went. */
export function describeWritten(read: OutputsRead, target: vscode.ConfigurationTarget): string {
  const keys = Object.keys(read.settings);
  if (!keys.length) return 'No output to put in the settings.';
  const where = target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user';
  return `${where === 'user' ? 'User' : 'Workspace'} settings updated from its outputs: ${keys.map((k) => `lifecycleLab.${k}`).join(', ')}.`;
}
