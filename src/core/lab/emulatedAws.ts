/**
 * The emulated AWS beside the local lab (`lifecycle-lab lab up --aws`): the project's emulator (emulator/, moto on
 * loopback with Athena answered by Trino and Glue runs executed on Spark) started detached, its endpoint and Trino
 * recorded under the lab folder, stopped by `lab down`. The AWS backend talks to it as to AWS.
 *   <lab>/aws/emulator.json   pid, endpoint, Trino (no secrets)
 *   <lab>/aws/emulator.log    the emulator's own output
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { awsEndpointInUse } from '../backend/modes';
import { sleep, systemClock, type Clock } from '../clock';
import type { LabConfig } from '../config';
import { LabError, throwIfCancelled } from '../errors';
import type { LongWork } from '../progress';
import { processAlive } from './state';

/** The RDS instance the lab's steps look for; its endpoint is the local MariaDB. */
export const EMULATED_RDS_INSTANCE = 'de-c1w2-rds';

/** The keys the SDK signs with against the emulator (moto takes any): placeholders, not secrets. */
export const EMULATOR_CREDENTIALS = Object.freeze({ accessKeyId: 'testing', secretAccessKey: 'testing' });

export interface EmulatorState {
  pid: number;
  endpoint: string;
  /** The Trino coordinator Athena runs on, once it answers; undefined while it starts. */
  trino?: string;
  trinoError?: string;
  sparkMaster: string;
  startedAt: string;
}

export interface EmulatorStatus {
  running: boolean;
  state?: EmulatorState;
  /** Why it is not running when a state file says it should be. */
  note?: string;
}

export interface EmulatorStartOptions extends LongWork {
  /** The local MariaDB lab's port: the RDS instance's endpoint. */
  labPort: number;
  /** An existing Trino coordinator instead of a local one (a cluster, or a test's). */
  trinoUrl?: string;
  sparkMaster?: string;
  /** Wait until Athena's Trino answers (the local one takes a minute to start on 2 cores). Default true. */
  waitForTrino?: boolean;
  /** The repository (or installed extension) folder holding emulator/. */
  codeRoot: string;
  python?: string;
}

const STARTUP_MS = 60_000;
const TRINO_MS = 300_000;
const STOP_MS = 20_000;

function paths(labDir: string) {
  const dir = path.join(labDir, 'aws');
  return { dir, state: path.join(dir, 'emulator.json'), log: path.join(dir, 'emulator.log') };
}

async function readState(labDir: string): Promise<EmulatorState | undefined> {
  try {
    return JSON.parse(await fsp.readFile(paths(labDir).state, 'utf8')) as EmulatorState;
  } catch {
    return undefined;
  }
}

/** The JSON lines the emulator printed so far, merged (later lines win). */
async function reported(log: string): Promise<Partial<EmulatorState> & { trinoError?: string }> {
  const text = await fsp.readFile(log, 'utf8').catch(() => '');
  const merged: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      Object.assign(merged, JSON.parse(line) as object);
    } catch {
      // a line still being written
    }
  }
  return merged as Partial<EmulatorState>;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

export class EmulatedAws {
  private readonly clock: Clock;

  constructor(private readonly labDir: string, clock: Clock = systemClock) {
    this.clock = clock;
  }

  async status(): Promise<EmulatorStatus> {
    const state = await readState(this.labDir);
    if (!state) return { running: false };
    if (!processAlive(state.pid)) return { running: false, state, note: `the emulator (pid ${state.pid}) is gone; lab up --aws starts it again` };
    const latest = { ...state, ...await reported(paths(this.labDir).log) };
    if (!await answers(latest.endpoint)) return { running: false, state: latest, note: `the emulator (pid ${state.pid}) does not answer on ${latest.endpoint}` };
    return { running: true, state: latest };
  }

  /** Starts the emulator unless it already runs; resolves with its state once it answers (and Trino does, if asked). */
  async up(options: EmulatorStartOptions): Promise<EmulatorState> {
    const report = options.onProgress ?? (() => {});
    const current = await this.status();
    if (current.running && current.state) {
      report({ message: `The emulated AWS already runs on ${current.state.endpoint}` });
      return options.waitForTrino === false ? current.state : this.waitForTrino(current.state, options);
    }
    if (current.state && processAlive(current.state.pid)) await this.down();
    const p = paths(this.labDir);
    await fsp.mkdir(p.dir, { recursive: true });
    await fsp.rm(p.state, { force: true });
    const args = ['-m', 'emulator', '--detached', '--rds', `${EMULATED_RDS_INSTANCE}=127.0.0.1:${options.labPort}`];
    if (options.trinoUrl) args.push('--trino-url', options.trinoUrl);
    if (options.sparkMaster) args.push('--spark-master', options.sparkMaster);
    const out = fs.openSync(p.log, 'w');
    report({ message: 'Starting the emulated AWS (moto, the Glue runner, Athena on Trino)' });
    const child = spawn(options.python ?? 'python3', args, {
      cwd: options.codeRoot, detached: true, stdio: ['ignore', out, out],
      env: { ...process.env, PYTHONPATH: [options.codeRoot, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) },
    });
    fs.closeSync(out);
    const spawned = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', (err) => reject(new LabError('emulatorFailed', `python3 could not be started for the emulated AWS (${err.message}).`, {
        nextStep: { label: 'Install the test dependencies: bash scripts/setup.sh --test' }, cause: err,
      })));
    });
    child.unref();

    const deadline = this.clock.now() + STARTUP_MS;
    for (;;) {
      throwIfCancelled(options.signal);
      const seen = await reported(p.log);
      if (seen.endpoint && await answers(seen.endpoint)) {
        const state: EmulatorState = {
          pid: spawned, endpoint: seen.endpoint, trino: options.trinoUrl ?? undefined, sparkMaster: seen.sparkMaster ?? 'local[2]',
          startedAt: new Date(this.clock.now()).toISOString(),
        };
        await fsp.writeFile(p.state, `${JSON.stringify(state, null, 2)}\n`);
        report({ message: `The emulated AWS answers on ${state.endpoint}` });
        return options.waitForTrino === false ? state : this.waitForTrino(state, options);
      }
      if (!processAlive(spawned) || this.clock.now() > deadline) {
        const tail = (await fsp.readFile(p.log, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join(' | ');
        if (processAlive(spawned)) process.kill(-spawned, 'SIGTERM');
        throw new LabError('emulatorFailed', `The emulated AWS did not start${processAlive(spawned) ? ' within a minute' : ''}: ${tail || 'no output'} (log: ${p.log}).`, {
          nextStep: { label: 'Install the emulator and its engines: bash scripts/setup.sh --test' },
        });
      }
      await sleep(this.clock, 250, options.signal);
    }
  }

  private async waitForTrino(state: EmulatorState, options: LongWork): Promise<EmulatorState> {
    const deadline = this.clock.now() + TRINO_MS;
    options.onProgress?.({ message: 'Waiting for Athena\'s engine (Trino) to accept queries' });
    for (;;) {
      throwIfCancelled(options.signal);
      const seen = await reported(paths(this.labDir).log);
      if (seen.trinoError) {
        throw new LabError('emulatorFailed', `Athena's engine (Trino) did not start: ${seen.trinoError}.`, {
          nextStep: { label: 'Install the emulator\'s engines: bash scripts/setup-emulator.sh' },
        });
      }
      if (seen.trino && seen.trino !== 'starting') {
        const ready = { ...state, trino: seen.trino };
        await fsp.writeFile(paths(this.labDir).state, `${JSON.stringify(ready, null, 2)}\n`);
        return ready;
      }
      if (this.clock.now() > deadline) throw new LabError('timeout', 'Athena\'s engine (Trino) did not accept queries within 5 minutes.');
      await sleep(this.clock, 500, options.signal);
    }
  }

  /** Stops the emulator and everything it started; resolves true when one was running. */
  async down(): Promise<boolean> {
    const state = await readState(this.labDir);
    if (!state) return false;
    const wasAlive = processAlive(state.pid);
    if (wasAlive) {
      // The emulator leads its own process group (detached): SIGTERM lets it stop Trino and Spark runs cleanly.
      try { process.kill(-state.pid, 'SIGTERM'); } catch { process.kill(state.pid, 'SIGTERM'); }
      const deadline = this.clock.now() + STOP_MS;
      while (processAlive(state.pid) && this.clock.now() < deadline) await sleep(this.clock, 200);
      if (processAlive(state.pid)) {
        try { process.kill(-state.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    await fsp.rm(paths(this.labDir).state, { force: true });
    return wasAlive;
  }
}

/**
 * The placeholder keys when `endpoint` is the emulated AWS that runs for this lab (its <lab>/aws/emulator.json, its
 * process alive); undefined for any other endpoint, loopback ones included, which keep the default credential chain.
 * Synchronous and cheap (one small file, one signal 0): settings are resolved often.
 */
export function emulatorCredentialsFor(labDir: string, endpoint: string): typeof EMULATOR_CREDENTIALS | undefined {
  if (!endpoint) return undefined;
  let state: EmulatorState;
  try {
    state = JSON.parse(fs.readFileSync(paths(labDir).state, 'utf8')) as EmulatorState;
  } catch {
    return undefined;
  }
  return typeof state.endpoint === 'string' && sameEndpoint(state.endpoint, endpoint) &&
    Number.isInteger(state.pid) && state.pid > 0 && processAlive(state.pid) ? EMULATOR_CREDENTIALS : undefined;
}

function sameEndpoint(a: string, b: string): boolean {
  const norm = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

/** Whether the config works against the emulator at `endpoint` (AWS mode on that endpoint), e.g. to offer local mode back. */
export function usesEmulator(config: LabConfig, endpoint: string): boolean {
  const inUse = awsEndpointInUse(config);
  return inUse !== undefined && sameEndpoint(inUse, endpoint);
}

/** The config as given, plus the placeholder keys while its AWS endpoint is the running emulator's (editor and CLI alike). */
export function withEmulatorCredentials(config: LabConfig): LabConfig {
  const credentials = emulatorCredentialsFor(config.local.labDir, config.aws.endpoint);
  return credentials ? { ...config, aws: { ...config.aws, credentials } } : config;
}

/** The folder holding emulator/ (the repository, or the installed extension), found from `start` upwards. */
export function findEmulatorRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'emulator', '__main__.py'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new LabError('emulatorFailed', `The emulator (emulator/__main__.py) was not found above ${start}.`, {
        nextStep: { label: 'Run lifecycle-lab from the Lifecycle Lab repository' },
      });
    }
    dir = parent;
  }
}
