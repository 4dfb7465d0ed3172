import type { AwsSettings } from '../config';
import { LabError } from '../errors';

/** The constructor options every AWS SDK v3 client here is built with. */
export interface AwsClientConfig {
  region: string;
  /** A shared-config profile; the SDK then reads that profile's credentials (and settings) itself. */
  profile?: string;
  /** Endpoint override (a moto server in tests, a VPC endpoint...). */
  endpoint?: string;
  /** S3 only: bucket in the path, which local endpoints need. */
  forcePathStyle?: boolean;
  /** Attempts per call, the first included: the SDK's retry strategy retries throttling, 5xx and network errors. */
  maxAttempts: number;
  /** The SDK's retry strategy: 'standard' (backoff with jitter) or 'adaptive' (also rate-limits a client that is throttled). */
  retryMode: 'standard' | 'adaptive';
  /** Static keys (only the emulated AWS's placeholders, see AwsSettings.credentials); else the default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Attempts per AWS call (the SDK's default too); clients that poll (Athena) raise it and go adaptive. */
export const AWS_MAX_ATTEMPTS = 3;

/**
 * Client options from the lab's AWS settings: region, profile (empty = the default credential chain),
 * endpoint override. S3 passes `{ forcePathStyle: !!aws.endpoint }` (local endpoints need the bucket in the path).
 * AwsClients (awsClients.ts) makes every SDK client with it; the SDK package itself is loaded there, lazily.
 */
export function awsClientConfig(aws: AwsSettings, options: { forcePathStyle?: boolean } = {}): AwsClientConfig {
  const config: AwsClientConfig = { region: aws.region, maxAttempts: AWS_MAX_ATTEMPTS, retryMode: 'standard' };
  if (aws.credentials) config.credentials = { ...aws.credentials };
  else if (aws.profile) config.profile = aws.profile;
  if (aws.endpoint) config.endpoint = aws.endpoint;
  if (options.forcePathStyle) config.forcePathStyle = true;
  return config;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException',
  'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'TokenRefreshRequired']);
const THROTTLING_ERRORS = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown',
  'ProvisionedThroughputExceededException', 'RequestThrottled', 'RequestThrottledException']);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH']);

/**
 * The errors every AWS call shares (credentials, endpoint, access) as LabErrors; anything service-specific
 * is left to the service wrapper, which calls this last. `what` names the call, e.g. "DescribeDBInstances".
 */
export function awsErrorToLabError(err: unknown, what: string, aws: AwsSettings): LabError {
  if (err instanceof LabError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? '';
  if (CREDENTIAL_ERRORS.has(name)) {
    const profile = aws.profile ? `profile '${aws.profile}'` : 'the default credential chain';
    return new LabError('awsCredentials', `${what}: no valid AWS credentials from ${profile} (${e.message ?? name}). Sign in (aws sso login / aws configure) or choose a profile.`, {
      nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.profile' }, cause: err,
    });
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'UnauthorizedOperation') {
    return new LabError('awsCredentials', `${what}: access denied for these AWS credentials (${e.message ?? name}).`, {
      nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.profile' }, cause: err,
    });
  }
  if (THROTTLING_ERRORS.has(name)) {
    const attempts = e.$metadata?.attempts;
    return new LabError('awsThrottled', `${what}: AWS is throttling these requests (${e.message ?? name}) even after the SDK's ${attempts ? `${attempts} attempts` : 'retries'}. Wait a minute and try again; other tools using the same account and region share the limit.`, {
      nextStep: { label: 'Show Log', command: 'lifecycleLab.showLog' }, cause: err,
    });
  }
  if (NETWORK_ERRORS.has(e.code ?? name)) {
    const where = aws.endpoint || `the ${aws.region} endpoint`;
    // A loopback endpoint is the emulated AWS (or another emulator): when it refuses, the way back is to start it.
    if (aws.endpoint && isLoopbackUrl(aws.endpoint)) {
      return new LabError('unreachable', `${what}: nothing answers on ${where} (${e.code ?? name}). If it is the emulated AWS, start it again: lifecycle-lab lab up --aws (in the editor: Start Emulated AWS).`, {
        nextStep: { label: 'Start Emulated AWS', command: 'lifecycleLab.startEmulatedAws' }, cause: err,
      });
    }
    return new LabError('unreachable', `${what}: could not reach ${where} (${e.code ?? name}). Check the AWS endpoint and region.`, {
      nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: aws.endpoint ? 'lifecycleLab.aws.endpoint' : 'lifecycleLab.aws.region' }, cause: err,
    });
  }
  return new LabError('internal', `${what} failed: ${e.message ?? String(err)}`, { cause: err });
}

/** Whether a URL's host is this machine's loopback (127.0.0.0/8, localhost, ::1). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
