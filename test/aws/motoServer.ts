/**
 * A moto server (`python3 -m moto.server`) on a free loopback port, for AWS tests. Start it in suiteSetup,
 * stop it in suiteTeardown (motoForSuite() does both, and a reset and placeholder keys per test);
 * `useAwsEnvironment()` gives the SDK static credentials and restores the env after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { AwsSettings } from '../../src/core/config';
import type { QueryResult, QueryValue } from '../../src/core/query/engine';
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

/**
 * The suite's moto server, as most AWS suites use it: started once for the suite, stopped after it; before each test
 * its state dropped and moto's placeholder keys in the environment (restored after the test). Call it in the suite's
 * body; the server it returns answers once the suite has started (in tests and hooks).
 */
export function motoForSuite(): MotoServer {
  let server: MotoServer | undefined;
  let restoreEnv: (() => void) | undefined;
  suiteSetup(async () => {
    server = await startMotoServer();
  });
  suiteTeardown(async () => {
    await server?.stop();
  });
  setup(async () => {
    restoreEnv = useAwsEnvironment('fake');
    await started().reset();
  });
  teardown(() => restoreEnv?.());
  const started = (): MotoServer => {
    if (!server) throw new Error('moto is not started yet: use the suite\'s server in its tests and hooks');
    return server;
  };
  return {
    get endpoint() { return started().endpoint; },
    get port() { return started().port; },
    settings: (overrides) => started().settings(overrides),
    reset: () => started().reset(),
    stop: () => started().stop(),
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

/** moto plus the Glue calls it lacks (test/iac/moto_glue_server.py), with what the launcher prints on its first line. */
export type LaunchedMoto<T> = T & { endpoint: string; child: ChildProcess };

const GLUE_LAUNCHER = path.resolve(__dirname, '../../../test/iac/moto_glue_server.py');

/** Starts test/iac/moto_glue_server.py; resolves with the JSON line it prints (endpoint, and the VPC it made). */
export function startMotoGlueServer<T extends object = object>(): Promise<LaunchedMoto<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [GLUE_LAUNCHER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`moto did not start:\n${stderr.slice(-2000)}`)); }, 60_000);
    child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-20_000); });
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line && stdout.includes('\n')) {
        clearTimeout(timer);
        resolve({ ...(JSON.parse(line) as T & { endpoint: string }), child });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`moto exited with ${code}:\n${stderr.slice(-2000)}`)); });
  });
}

/** Stops the launcher (it exits when its stdin closes), killing it if it has not gone after 5 s. */
export async function stopMotoGlueServer(moto: { child: ChildProcess } | undefined): Promise<void> {
  if (!moto || moto.child.exitCode !== null) return;
  const exited = new Promise((resolve) => moto.child.once('exit', resolve));
  moto.child.stdin!.end();
  const timer = setTimeout(() => moto.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A DuckDB column type as the Athena type of the same column (how the Glue catalog would declare it). */
function athenaType(duckdbType: string): { Type: string; Precision?: number; Scale?: number } {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckdbType);
  if (decimal) return { Type: 'decimal', Precision: Number(decimal[1]), Scale: Number(decimal[2]) };
  const map: Record<string, string> = { VARCHAR: 'varchar', BIGINT: 'bigint', HUGEINT: 'bigint', INTEGER: 'integer', DOUBLE: 'double', DATE: 'date', BOOLEAN: 'boolean' };
  return { Type: map[duckdbType] ?? 'varchar' };
}

/**
 * A DuckDB answer as Athena would give it, as moto's preset (`/moto-api/static/athena/query-results`): column names in
 * lower case, the header row Athena puts first, then every value as text (NULL as no value).
 */
export function athenaPreset(result: QueryResult) {
  const cell = (v: QueryValue) => (v === null ? {} : { VarCharValue: String(v) });
  const names = result.columns.map((c) => c.name.toLowerCase());
  return {
    column_info: result.columns.map((c, i) => ({ Name: names[i], Label: names[i], ...athenaType(c.type), Nullable: 'UNKNOWN', CaseSensitive: false })),
    rows: [{ Data: names.map((name) => ({ VarCharValue: name })) }, ...result.rows.map((r) => ({ Data: r.map(cell) }))],
  };
}
