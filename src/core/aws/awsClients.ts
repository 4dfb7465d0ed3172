import type { AwsSettings } from '../config';
import { awsClientConfig } from './clients';

type GlueModule = typeof import('@aws-sdk/client-glue');
type S3Module = typeof import('@aws-sdk/client-s3');
type AthenaModule = typeof import('@aws-sdk/client-athena');
type RdsModule = typeof import('@aws-sdk/client-rds');
type Ec2Module = typeof import('@aws-sdk/client-ec2');
type SecretsModule = typeof import('@aws-sdk/client-secrets-manager');

/** An SDK package and the one client made from it. */
export interface SdkClient<M, C> {
  sdk: M;
  client: C;
}
export type GlueSdk = SdkClient<GlueModule, InstanceType<GlueModule['GlueClient']>>;
export type S3Sdk = SdkClient<S3Module, InstanceType<S3Module['S3Client']>>;
export type AthenaSdk = SdkClient<AthenaModule, InstanceType<AthenaModule['AthenaClient']>>;
export type RdsSdk = SdkClient<RdsModule, InstanceType<RdsModule['RDSClient']>>;
export type Ec2Sdk = SdkClient<Ec2Module, InstanceType<Ec2Module['EC2Client']>>;
export type SecretsSdk = SdkClient<SecretsModule, InstanceType<SecretsModule['SecretsManagerClient']>>;

/** Athena is polled and a dashboard starts several queries at once: more attempts, and the SDK rate-limits itself. */
export const ATHENA_MAX_ATTEMPTS = 5;

/**
 * The one owner of the AWS SDK clients for a set of AWS settings: each package is loaded and its client made on first
 * use, once, and shared by every caller (the Glue runner, Athena, the lake catalog, preflight, RDS, Secrets Manager).
 * The AWS backend makes one and destroys it when disposed; a command outside a backend makes one for its work and
 * destroys it after. Nothing else constructs an SDK client.
 */
export class AwsClients {
  private readonly made = new Map<string, Promise<SdkClient<unknown, { destroy(): void }>>>();

  constructor(readonly aws: AwsSettings) {}

  glue(): Promise<GlueSdk> {
    return this.once('glue', async () => {
      const sdk = await import('@aws-sdk/client-glue');
      return { sdk, client: new sdk.GlueClient(awsClientConfig(this.aws)) };
    });
  }

  s3(): Promise<S3Sdk> {
    return this.once('s3', async () => {
      const sdk = await import('@aws-sdk/client-s3');
      // Local endpoints (moto, the emulator) need the bucket in the path.
      return { sdk, client: new sdk.S3Client(awsClientConfig(this.aws, { forcePathStyle: !!this.aws.endpoint })) };
    });
  }

  athena(): Promise<AthenaSdk> {
    return this.once('athena', async () => {
      const sdk = await import('@aws-sdk/client-athena');
      return { sdk, client: new sdk.AthenaClient({ ...awsClientConfig(this.aws), maxAttempts: ATHENA_MAX_ATTEMPTS, retryMode: 'adaptive' }) };
    });
  }

  rds(): Promise<RdsSdk> {
    return this.once('rds', async () => {
      const sdk = await import('@aws-sdk/client-rds');
      return { sdk, client: new sdk.RDSClient(awsClientConfig(this.aws)) };
    });
  }

  ec2(): Promise<Ec2Sdk> {
    return this.once('ec2', async () => {
      const sdk = await import('@aws-sdk/client-ec2');
      return { sdk, client: new sdk.EC2Client(awsClientConfig(this.aws)) };
    });
  }

  secrets(): Promise<SecretsSdk> {
    return this.once('secrets', async () => {
      const sdk = await import('@aws-sdk/client-secrets-manager');
      return { sdk, client: new sdk.SecretsManagerClient(awsClientConfig(this.aws)) };
    });
  }

  /** Destroys every client made so far; a later call makes a fresh one (a command that outlives a settings change). */
  async destroy(): Promise<void> {
    const made = [...this.made.values()];
    this.made.clear();
    for (const pending of made) (await pending.catch(() => undefined))?.client.destroy();
  }

  private once<T extends SdkClient<unknown, { destroy(): void }>>(name: string, make: () => Promise<T>): Promise<T> {
    let pending = this.made.get(name);
    if (!pending) {
      pending = make();
      this.made.set(name, pending);
    }
    return pending as Promise<T>;
  }
}

/** Runs `work` with clients of its own for the settings, destroyed after: for a command that has no backend. */
export async function withAwsClients<T>(aws: AwsSettings, work: (clients: AwsClients) => Promise<T>): Promise<T> {
  const clients = new AwsClients(aws);
  try {
    return await work(clients);
  } finally {
    await clients.destroy();
  }
}
