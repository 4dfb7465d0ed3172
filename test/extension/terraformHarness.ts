/**
 * What the Terraform suites share: the settings they set and put back (Apply writes its outputs to the workspace
 * settings), the password they put in secret storage, and the prompts answered through the API.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';

/** The settings Apply writes from the module's outputs (workspace settings). */
export const OUTPUT_KEYS = ['aws.glueJobName', 'aws.catalogDatabase', 'aws.lakePath', 'aws.athenaWorkgroup', 'aws.athenaOutputLocation'];

export interface Question {
  message: string;
  detail: string;
  action: string;
}

/**
 * Sets `values` as Global `lifecycleLab.*` settings and `password` in secret storage, answers every confirmation
 * with `answer()` (recording it in `asked`) and no input box; returns what puts it all back, leaving no workspace
 * settings file the outputs created.
 */
export async function useTerraformSettings(api: LifecycleLabApi, values: Record<string, unknown>, password: string,
  asked: Question[], answer: () => boolean = () => true): Promise<() => Promise<void>> {
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');
  const settingsFile = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');
  const settingsFileExisted = fs.existsSync(settingsFile);
  const saved = new Map<string, unknown>();
  for (const key of [...Object.keys(values), ...OUTPUT_KEYS]) {
    const inspected = config().inspect(key);
    assert.equal(inspected?.workspaceValue, undefined, `a workspace value for ${key} would hide what the test checks`);
    saved.set(key, inspected?.globalValue);
  }
  for (const [key, value] of Object.entries(values)) await config().update(key, value, vscode.ConfigurationTarget.Global);
  const savedPassword = await api.services.getMysqlPassword();
  await api.services.setMysqlPassword(password);
  api.terraform.setPrompts({
    confirm: (message, detail, action) => {
      asked.push({ message, detail, action });
      return Promise.resolve(answer());
    },
    askValue: () => Promise.resolve(undefined),
  });
  return async () => {
    api.terraform.setPrompts(undefined);
    for (const key of OUTPUT_KEYS) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    for (const [key, value] of saved) await config().update(key, value, vscode.ConfigurationTarget.Global);
    await api.services.setMysqlPassword(savedPassword);
    if (!settingsFileExisted && fs.existsSync(settingsFile) && /^\s*\{\s*\}\s*$/.test(fs.readFileSync(settingsFile, 'utf8'))) {
      fs.rmSync(settingsFile);
      try {
        fs.rmdirSync(path.dirname(settingsFile));
      } catch {
        // something else is in .vscode/: keep it
      }
    }
    vscode.window.terminals.filter((t) => t.name === 'Terraform').forEach((t) => t.dispose());
  };
}
