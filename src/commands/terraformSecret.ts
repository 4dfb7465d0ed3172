import * as vscode from 'vscode';
import { deleteSecret, inspectSecret, SECRET_RECOVERY_DAYS, sourceSecretValue, storeSecret } from '../core/aws/secrets';
import type { LabConfig } from '../core/config';
import { CancelledError } from '../core/errors';
import type { LabServices } from '../services';
import type { TerraformRunResult } from './terraformNotices';
import type { TerraformPrompts } from './terraformPrompts';

/**
 * The source database's password around Terraform: it goes from the editor's secret storage to a Secrets Manager
 * secret through the SDK (never a terminal or a file), Terraform gets only the secret's ARN, and after a destroy the
 * secret is offered for deletion.
 */

/** The module's default `project`, which names the secret when the settings name none. */
export const DEFAULT_PROJECT = 'de-c1w2';
const STORE_ACTION = 'Store Database Password in AWS';
const DELETE_SECRET_ACTION = 'Delete Secret';

/** Where the AWS calls go, as the confirmations say it. */
export function describeRegion(config: LabConfig): string {
  return `region ${config.aws.region}${config.aws.endpoint ? `, endpoint ${config.aws.endpoint}` : ''}`;
}

/**
 * Creates or updates the secret `name` to hold {"username", "password"}, after a confirmation whenever it changes
 * anything; returns its ARN for password_secret_arn.
 */
export async function storePassword(services: LabServices, prompts: TerraformPrompts, config: LabConfig, name: string, password: string): Promise<string> {
  const value = sourceSecretValue(config.terraform.variables.username || config.mysql.user, password);
  const status = await inspectSecret(config.aws, name, value);
  if (status.state !== 'same') {
    const now = {
      missing: 'It does not exist yet: it is created.',
      different: 'It holds another password: the one in the editor\'s secret storage is stored as its new version.',
      scheduled: `It is scheduled for deletion${status.deletionDate ? ` (for good on ${status.deletionDate.toISOString().slice(0, 10)})` : ''}: it is restored and updated.`,
    }[status.state];
    const confirmed = await prompts.confirm(
      `Store the database password in AWS Secrets Manager as ${name}?`,
      `${now}\n\nTerraform gets only the secret's ARN (password_secret_arn), so the password is in no Terraform state, plan or terminal; the Glue job reads it at run time through its connection's SECRET_ID, and only the job's role may. It goes from the editor's secret storage straight to Secrets Manager (${describeRegion(config)}).`,
      STORE_ACTION);
    if (!confirmed) throw new CancelledError('Terraform (the database password is not stored in AWS)');
  }
  const project = config.terraform.variables.project || DEFAULT_PROJECT;
  const arn = await storeSecret(config.aws, status, value, `Lifecycle Lab ${project}: the source database's username and password, for the Glue connection (SECRET_ID)`,
    { Project: project, ManagedBy: 'lifecycle-lab' });
  services.log.info(`Terraform: the database password is in the Secrets Manager secret ${name} (${status.state === 'same' ? 'up to date' : status.state === 'missing' ? 'created' : 'updated'}); Terraform gets its ARN.`);
  return arn;
}

/** After a destroy: the secret is the editor's, so it offers to delete it too, with its recovery window. */
export async function offerSecretDeletion(services: LabServices, prompts: TerraformPrompts, config: LabConfig, name: string, result: TerraformRunResult): Promise<void> {
  const confirmed = await prompts.confirm(
    `Also delete the secret ${name} that holds the database password?`,
    `Secrets Manager keeps a deleted secret for a ${SECRET_RECOVERY_DAYS}-day recovery window, then removes it for good. Until then \`aws secretsmanager restore-secret --secret-id ${name}\` brings it back, and the next Terraform Plan restores it. The password stays in the editor's secret storage.`,
    DELETE_SECRET_ACTION);
  if (!confirmed) {
    services.log.info(`Terraform destroy: the secret ${name} is kept.`);
    return;
  }
  const date = await deleteSecret(config.aws, name);
  result.secretDeletionDate = date?.toISOString();
  const when = date ? date.toISOString().slice(0, 10) : `in ${SECRET_RECOVERY_DAYS} days`;
  services.log.info(`Terraform destroy: the secret ${name} is scheduled for deletion (${when}).`);
  void vscode.window.showInformationMessage(`The secret ${name} is scheduled for deletion: gone for good on ${when}, restorable until then.`);
}
