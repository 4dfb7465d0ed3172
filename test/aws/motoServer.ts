/**
 * A moto server (`python3 -m moto.server`) on a free loopback port, for AWS tests. Start it in suiteSetup,
 * stop it in suiteTeardown; `useFakeCredentials()` gives the SDK static credentials and restores the env after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AwsSettings } from '../../src/core/config';
import { freePort } from '../helpers';

export interface MotoServer {
  /** e.g. http://127.0.0.1:45123 */
  endpoint: string;
  port: number;
  /** AWS settings pointing every client at this server. */
  settings(overrides?: Partial<AwsSettings>): AwsSettings;
  /** Drops all state (moto's reset API), so tests don't see each other's resources. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMotoServer(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto server exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto server did not come up on ${endpoint}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    endpoint,
    port,
    settings: (overrides = {}) => ({ region: 'us-east-1', profile: '', endpoint, rdsInstanceId: 'de-c1w2-rds', ...overrides }),
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const CREDENTIAL_VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_REGION', 'AWS_DEFAULT_REGION'] as const;

/**
 * Sets the AWS environment for a test and returns a function that restores it. `'fake'` gives static
 * credentials moto accepts; `'none'` leaves the default chain nothing to find (no files, no instance metadata).
 */
export function useAwsEnvironment(kind: 'fake' | 'none'): () => void {
  const saved = new Map(CREDENTIAL_VARS.map((k) => [k, process.env[k]]));
  for (const k of CREDENTIAL_VARS) delete process.env[k];
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  if (kind === 'fake') {
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
