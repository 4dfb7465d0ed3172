import * as vscode from 'vscode';
import { formatPlanLine, type PlanSummary, type ResourceAction } from '../core/terraform/plan';
import type { PipelineSection } from '../views/pipelineTree';
import { titleOf, type TerraformRunResult } from './terraformNotices';

/** What the section shows, read when the view asks. */
export interface TerraformShown {
  lastPlan?: PlanSummary;
  runs: readonly TerraformRunResult[];
}

const ACTION_ICONS: Record<ResourceAction, vscode.ThemeIcon> = {
  create: new vscode.ThemeIcon('add', new vscode.ThemeColor('testing.iconPassed')),
  update: new vscode.ThemeIcon('edit'),
  delete: new vscode.ThemeIcon('trash', new vscode.ThemeColor('testing.iconFailed')),
  replace: new vscode.ThemeIcon('replace', new vscode.ThemeColor('testing.iconQueued')),
};

/** The Pipeline view's Terraform section: the last run, then the last plan's resources with their actions. */
export class TerraformSection implements PipelineSection {
  constructor(readonly onDidChange: vscode.Event<void>, private readonly shown: () => TerraformShown) {}

  roots(): unknown[] {
    const { lastPlan, runs } = this.shown();
    return lastPlan || runs.length ? ['terraform'] : [];
  }

  children(node: unknown): unknown[] {
    if (node !== 'terraform') return [];
    const { lastPlan, runs } = this.shown();
    const last = runs.at(-1);
    return [...(last ? [{ run: last }] : []), ...(lastPlan?.resources ?? []).map((r) => ({ resource: r }))];
  }

  treeItem(node: unknown): vscode.TreeItem {
    if (node === 'terraform') {
      const { lastPlan } = this.shown();
      const item = new vscode.TreeItem('Terraform', vscode.TreeItemCollapsibleState.Expanded);
      item.description = lastPlan ? formatPlanLine(lastPlan) : undefined;
      item.iconPath = new vscode.ThemeIcon('cloud');
      item.id = 'terraform';
      item.contextValue = 'terraform';
      item.command = { title: 'Show Terminal', command: 'lifecycleLab.terraform.showTerminal' };
      return item;
    }
    const { run, resource } = node as { run?: TerraformRunResult; resource?: { address: string; action: ResourceAction } };
    if (run) {
      const item = new vscode.TreeItem(`${titleOf(run.verb)} ${run.known ? (run.ok ? 'succeeded' : 'failed') : 'sent (result unknown)'}`);
      item.description = run.known ? `exit ${run.exitCode}` : 'no shell integration';
      item.iconPath = !run.known ? new vscode.ThemeIcon('question') : run.ok
        ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')) : new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
      item.id = 'terraform/run';
      item.command = { title: 'Show Terminal', command: 'lifecycleLab.terraform.showTerminal' };
      return item;
    }
    const item = new vscode.TreeItem(resource!.address);
    item.description = resource!.action;
    item.iconPath = ACTION_ICONS[resource!.action];
    item.id = `terraform/resource/${resource!.address}`;
    return item;
  }
}
