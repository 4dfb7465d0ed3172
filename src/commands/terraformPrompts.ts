import * as vscode from 'vscode';
import { CancelledError } from '../core/errors';
import type { MissingVariable } from '../core/terraform/variables';
import type { LabServices } from '../services';
import { defaultSettingsTarget } from './settingsScope';

/** Which settings Terraform's outputs and variables are written to, in a folder that is not the lab's own. */
export type TerraformSettingsScope = 'workspace' | 'user';

/** The questions the Terraform commands ask; tests replace them through the extension API (never in a command). */
export interface TerraformPrompts {
  /** A modal question; true when the user chose `action`. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  /** A value for a missing variable (the password masked); undefined when dismissed. */
  askValue(variable: MissingVariable): Promise<string | undefined>;
  /** Where to write the outputs in a folder of the user's (asked once per folder); undefined when dismissed. */
  settingsScope?(): Promise<TerraformSettingsScope | undefined>;
}

const USER = 'User Settings';
const WORKSPACE = 'Workspace Settings';

export const windowPrompts: Required<TerraformPrompts> = {
  async confirm(message, detail, action) {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
  },
  askValue(variable) {
    return Promise.resolve(vscode.window.showInputBox({
      title: `Terraform variable ${variable.name}`,
      prompt: variable.secret
        ? `${variable.description}: kept in the editor's secret storage and stored in AWS Secrets Manager for the Glue job; Terraform gets only the secret's ARN.`
        : `${variable.description}: saved in the setting lifecycleLab.terraform.variables.`,
      password: variable.secret,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'A value is needed'),
    }));
  },
  async settingsScope() {
    const choice = await vscode.window.showInformationMessage(
      'Where should Terraform\'s outputs and variables go for this folder?',
      {
        modal: true,
        detail: `Terraform Apply puts its outputs (the lake's S3 path, the Glue job, the Athena workgroup and database) in Lifecycle Lab's settings, and the values you enter for missing variables in lifecycleLab.terraform.variables.\n\n${USER}: your own settings, and this folder holds nothing of Lifecycle Lab's.\n${WORKSPACE}: this folder's .vscode/settings.json, shared with whoever uses the folder.\n\nAsked once for this folder.`,
      },
      USER, WORKSPACE);
    return choice === USER ? 'user' : choice === WORKSPACE ? 'workspace' : undefined;
  },
};

/** workspaceState: the scope chosen for this folder. */
const SCOPE_KEY = 'lifecycleLab.terraform.settingsScope';

/**
 * The settings Terraform writes to: the workspace's in the lab's own repository and the user's with no folder open,
 * as every setting the extension writes (settingsScope.ts); in a folder of the user's, the scope they picked, asked
 * the first time and remembered for the folder.
 */
export async function terraformSettingsTarget(services: LabServices, prompts: TerraformPrompts): Promise<vscode.ConfigurationTarget> {
  if (services.folderIsLabRepository || !vscode.workspace.workspaceFolders?.length) return defaultSettingsTarget(services);
  let scope = services.context.workspaceState.get<TerraformSettingsScope>(SCOPE_KEY);
  if (!scope) {
    scope = await (prompts.settingsScope ?? windowPrompts.settingsScope)();
    if (!scope) throw new CancelledError('Terraform (no settings were chosen for its outputs)');
    await services.context.workspaceState.update(SCOPE_KEY, scope);
    services.log.info(`Terraform: outputs and variables go to the ${scope} settings of this folder from now on.`);
  }
  return scope === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}
