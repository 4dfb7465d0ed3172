import type { AwsSettings } from '../config';
import { LabError } from '../errors';
import { withAwsClients, type SecretsSdk } from './awsClients';
import { awsErrorToLabError } from './clients';

/** Days a deleted secret can still be restored (Secrets Manager allows 7 to 30; the shortest is used). */
export const SECRET_RECOVERY_DAYS = 7;

/**
 * The Secrets Manager secret the editor keeps the source database's credentials in, for the Glue connection's
 * SECRET_ID (terraform/ `password_secret_arn`): one per project, so two deployments in one account never share it.
 */
export function sourceSecretName(project: string): string {
  return `lifecycle-lab/${project}/source-database`;
}

/** The secret's value in the shape Glue and the job read (the RDS one): {"username", "password"}. */
export function sourceSecretValue(username: string, password: string): string {
  return JSON.stringify({ username, password });
}

/**
 * What the account holds under the name, compared with the value the editor would store:
 * `missing`, `same`, `different`, or `scheduled` (deleted, still in its recovery window: restorable).
 */
export interface SecretStatus {
  name: string;
  state: 'missing' | 'same' | 'different' | 'scheduled';
  arn?: string;
  /** When a scheduled secret is gone for good. */
  deletionDate?: Date;
}

type SecretsModule = SecretsSdk['sdk'];

async function withClient<T>(aws: AwsSettings, what: string, work: (sm: SecretsModule, client: SecretsSdk['client']) => Promise<T>): Promise<T> {
  return withAwsClients(aws, async (clients) => {
    const { sdk, client } = await clients.secrets();
    try {
      return await work(sdk, client);
    } catch (err) {
      throw secretsError(err, what, aws);
    }
  });
}

function secretsError(err: unknown, what: string, aws: AwsSettings): LabError {
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'DecryptionFailure' || name === 'KMSAccessDeniedException') {
    return new LabError('awsCredentials', `${what}: Secrets Manager could not use the secret's KMS key with these credentials (${name}).`, {
      nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.profile' }, cause: err,
    });
  }
  return awsErrorToLabError(err, what, aws);
}

const isNotFound = (err: unknown) => (err as { name?: string } | undefined)?.name === 'ResourceNotFoundException';

/** DescribeSecret, and GetSecretValue to compare (the value stays in this process). */
export async function inspectSecret(aws: AwsSettings, name: string, value: string): Promise<SecretStatus> {
  return withClient(aws, `Secrets Manager (${name})`, async (sm, client) => {
    let described;
    try {
      described = await client.send(new sm.DescribeSecretCommand({ SecretId: name }));
    } catch (err) {
      if (isNotFound(err)) return { name, state: 'missing' };
      throw err;
    }
    if (described.DeletedDate) {
      const deletionDate = new Date(described.DeletedDate.getTime() + SECRET_RECOVERY_DAYS * 86_400_000);
      return { name, state: 'scheduled', arn: described.ARN, deletionDate };
    }
    let current: string | undefined;
    try {
      current = (await client.send(new sm.GetSecretValueCommand({ SecretId: name }))).SecretString;
    } catch (err) {
      if (!isNotFound(err)) throw err; // a secret with no value yet
    }
    return { name, state: current === value ? 'same' : 'different', arn: described.ARN };
  });
}

/**
 * Makes the account's secret hold `value`: created, restored then updated, or updated, as `status` found it
 * (nothing when it is the same). Returns the secret's ARN. The value goes only into the request body.
 */
export async function storeSecret(aws: AwsSettings, status: SecretStatus, value: string, description: string, tags: Record<string, string> = {}): Promise<string> {
  if (status.state === 'same' && status.arn) return status.arn;
  return withClient(aws, `Storing the secret ${status.name} in Secrets Manager`, async (sm, client) => {
    if (status.state === 'missing') {
      const created = await client.send(new sm.CreateSecretCommand({
        Name: status.name, Description: description, SecretString: value,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }));
      if (!created.ARN) throw new LabError('internal', `CreateSecret for ${status.name} returned no ARN.`);
      return created.ARN;
    }
    if (status.state === 'scheduled') await client.send(new sm.RestoreSecretCommand({ SecretId: status.name }));
    const put = await client.send(new sm.PutSecretValueCommand({ SecretId: status.name, SecretString: value }));
    const arn = put.ARN ?? status.arn;
    if (!arn) throw new LabError('internal', `PutSecretValue for ${status.name} returned no ARN.`);
    return arn;
  });
}

/** The secret's ARN when it exists and is not scheduled for deletion (no value is read). */
export async function secretArn(aws: AwsSettings, name: string): Promise<string | undefined> {
  return withClient(aws, `Secrets Manager (${name})`, async (sm, client) => {
    try {
      const described = await client.send(new sm.DescribeSecretCommand({ SecretId: name }));
      return described.DeletedDate ? undefined : described.ARN;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  });
}

/** Schedules the secret's deletion after the recovery window; returns when it is gone for good. */
export async function deleteSecret(aws: AwsSettings, name: string): Promise<Date | undefined> {
  return withClient(aws, `Deleting the secret ${name}`, async (sm, client) => {
    const out = await client.send(new sm.DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: SECRET_RECOVERY_DAYS }));
    return out.DeletionDate;
  });
}
