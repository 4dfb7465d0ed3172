import * as vscode from 'vscode';
import { isCancelled, toLabError, type NextStep } from '../core/errors';

/**
 * A leaf that says something instead of showing data: an error with its next step, an empty list, or a hint.
 * Any tree can mix these into its children (see `loadChildren`); clicking one runs its action.
 */
export interface MessageNode {
  kind: 'message';
  severity: 'error' | 'info';
  /** Stable within its parent, so VS Code keeps selection and focus across refreshes. */
  id: string;
  label: string;
  /** The full text, shown on hover. */
  detail?: string;
  /** What clicking does: run a command, or open the Settings editor at a setting. */
  action?: NextStep;
}

export function infoNode(id: string, label: string, action?: NextStep): MessageNode {
  return { kind: 'message', severity: 'info', id, label, action };
}

/** An error as a node: the user message as label, its next step as the click action. Never a stack trace. */
export function errorNode(id: string, err: unknown): MessageNode {
  const e = toLabError(err);
  return { kind: 'message', severity: 'error', id, label: e.message, detail: e.message, action: e.nextStep };
}

export function isMessageNode(node: unknown): node is MessageNode {
  return typeof node === 'object' && node !== null && (node as { kind?: unknown }).kind === 'message';
}

/** contextValue of message nodes: `message.error` / `message.info`, for menus that want them. */
export function messageTreeItem(node: MessageNode, parentId = ''): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = `${parentId}/message:${node.id}`;
  item.contextValue = `message.${node.severity}`;
  item.iconPath = node.severity === 'error'
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon('info');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendText(node.detail ?? node.label);
  if (node.action) {
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(`Click: ${node.action.label}`);
    item.description = node.action.label;
  }
  item.tooltip = tooltip;
  item.command = actionCommand(node.action);
  return item;
}

/** A next step as a tree-item command: its command when it has one, else the Settings editor at its setting. */
export function actionCommand(action: NextStep | undefined): vscode.Command | undefined {
  if (!action) return undefined;
  if (action.setting) return { title: action.label, command: 'workbench.action.openSettings', arguments: [action.setting] };
  if (action.command) return { title: action.label, command: action.command };
  return undefined;
}

/**
 * Loads a node's children; an empty list becomes one info node and a failure one error node, so a broken
 * connection shows where it happened and the rest of the tree keeps working. Failures go to `onError` (the log).
 */
export async function loadChildren<T>(
  load: () => Promise<T[]>,
  options: { empty?: string; errorId: string; onError?: (err: unknown) => void },
): Promise<(T | MessageNode)[]> {
  try {
    const children = await load();
    if (children.length === 0 && options.empty) return [infoNode('empty', options.empty)];
    return children;
  } catch (err) {
    if (!isCancelled(err)) options.onError?.(err);
    return [errorNode(options.errorId, err)];
  }
}
