import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { sleep, systemClock, type Clock } from '../clock';
import { LabError, throwIfCancelled, type NextStep } from '../errors';
import type { Logger } from '../log';
import { handshake } from './loopbackPorts';
import type { MariadbBinaries } from './mariadbBinaries';
import { handOver, type ServerAccount } from './serverAccount';
import { labPaths, processAlive } from './state';

/**
 * The project-local MariaDB server process: initialising a datadir, starting a detached `mariadbd --no-defaults` on
 * loopback, waiting for it, and stopping it. Its binaries are found by mariadbBinaries.ts and the OS account it runs
 * as chosen by serverAccount.ts. No SQL here (see db.ts).
 */

export async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    return (await fsp.stat(path.join(dataDir, 'mysql'))).isDirectory();
  } catch {
    return false;
  }
}

async function dirHasEntries(dir: string): Promise<boolean> {
  try {
    return (await fsp.readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

export function resetStep(labDir: string): NextStep {
  return {
    label: `Reset the lab database: lifecycle-lab lab reset (or lifecycle-lab lab down && rm -rf ${path.join(labDir, 'mariadb')}), then lab up`,
  };
}

/**
 * Creates the system tables. Runs into a sibling temp folder renamed into place on success, so a failed or
 * interrupted init never leaves a half-initialised datadir behind.
 */
export async function initialiseDatadir(bins: MariadbBinaries, labDir: string, account: ServerAccount, log: Logger): Promise<void> {
  const p = labPaths(labDir);
  if (await isInitialised(p.dataDir)) return;
  if (await dirHasEntries(p.dataDir)) {
    throw new LabError('corruptDatadir', `The lab datadir ${p.dataDir} is not empty but has no system tables (an earlier init did not finish).`, {
      nextStep: resetStep(labDir),
    });
  }
  const staging = `${p.dataDir}.init`;
  await fsp.rm(staging, { recursive: true, force: true });
  await fsp.mkdir(staging, { recursive: true });
  await handOver([staging], account);
  const args = [
    '--no-defaults',
    `--datadir=${staging}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--skip-name-resolve',
    '--force',
    ...(account.user ? [`--user=${account.user}`] : []),
  ];
  log.info(`Local lab: initialising MariaDB datadir (${bins.installDb} ${args.join(' ')})`);
  const out = await runCollect(bins.installDb, args);
  if (out.code !== 0) {
    await fsp.rm(staging, { recursive: true, force: true });
    throw new LabError('internal', `mariadb-install-db failed (exit ${out.code}): ${tail(out.output, 12)}`, {
      nextStep: { label: 'Check that mariadb-server is installed completely: apt-get install --reinstall mariadb-server' },
    });
  }
  await fsp.rm(p.dataDir, { recursive: true, force: true });
  await fsp.rename(staging, p.dataDir);
}

function runCollect(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', (err) => resolve({ code: -1, output: String(err) }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The mariadbd command line for the lab (no secrets in it). */
export function serverArgs(labDir: string, port: number, account: ServerAccount): string[] {
  const p = labPaths(labDir);
  return [
    '--no-defaults',
    `--datadir=${p.dataDir}`,
    `--socket=${p.socket}`,
    `--pid-file=${p.pidFile}`,
    `--log-error=${p.errorLog}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--secure-file-priv=${p.filesDir}`,
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
    '--skip-log-bin',
    '--skip-name-resolve',
    '--local-infile=1',
    '--innodb-buffer-pool-size=512M',
    '--innodb-log-file-size=512M',
    // A lab, not a bank: fewer fsyncs make bulk loads several times faster.
    '--innodb-flush-log-at-trx-commit=2',
    '--max-allowed-packet=256M',
    ...(account.user ? [`--user=${account.user}`] : []),
  ];
}

/** A running lab server: its pid, if it is mariadbd on this lab's datadir, and the port on its command line. */
export function ourServer(pid: number, labDir: string): { pid: number; port?: number } | undefined {
  if (!pid || !processAlive(pid)) return undefined;
  let cmdline: string[];
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  // Guards against a recycled pid belonging to something else.
  if (!cmdline.includes(`--datadir=${labPaths(labDir).dataDir}`)) return undefined;
  const portArg = cmdline.find((a) => a.startsWith('--port='));
  return { pid, port: portArg ? Number(portArg.slice('--port='.length)) : undefined };
}

export async function readPidFile(labDir: string): Promise<number | undefined> {
  try {
    const n = Number((await fsp.readFile(labPaths(labDir).pidFile, 'utf8')).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export interface StartedServer {
  pid: number;
  port: number;
}

/**
 * Starts mariadbd detached (own session, survives the CLI or editor exiting) and waits until it accepts
 * connections. On failure or cancel the half-started process is killed and the error log tail explains why.
 */
export async function startServer(
  bins: MariadbBinaries,
  labDir: string,
  port: number,
  account: ServerAccount,
  opts: { signal?: AbortSignal; log: Logger; timeoutMs?: number; portWasConfigured: boolean; clock?: Clock },
): Promise<StartedServer> {
  const clock = opts.clock ?? systemClock;
  const p = labPaths(labDir);
  const args = serverArgs(labDir, port, account);
  opts.log.info(`Local lab: starting ${bins.mariadbd} ${args.join(' ')}`);
  const logStart = await fileSize(p.errorLog);
  const out = fs.openSync(path.join(p.runDir, 'mariadbd.out'), 'w');
  const child = spawn(bins.mariadbd, args, { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited: number | null | undefined;
  child.on('exit', (code, sig) => { exited = code ?? (sig ? 128 : -1); });
  child.on('error', () => { exited = -1; });
  child.unref();
  const pid = child.pid ?? 0;
  const deadline = clock.now() + (opts.timeoutMs ?? 90_000);
  try {
    for (;;) {
      throwIfCancelled(opts.signal, 'Starting the local lab');
      if (exited !== undefined) throw await startupFailure(labDir, port, logStart, opts.portWasConfigured, `MariaDB exited during startup (code ${exited})`);
      if (await handshake(port, 1000)) return { pid, port };
      if (clock.now() > deadline) {
        throw new LabError('timeout', `MariaDB did not accept connections on 127.0.0.1:${port} within ${Math.round((opts.timeoutMs ?? 90_000) / 1000)} s. Error log:\n${await newLogTail(labDir, logStart)}`, {
          nextStep: resetStep(labDir),
        });
      }
      await sleep(clock, 150, opts.signal).catch(() => undefined);
    }
  } catch (err) {
    if (pid && exited === undefined) await stopPid(pid, 10_000, clock);
    throw err;
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await fsp.stat(file)).size;
  } catch {
    return 0;
  }
}

/** The error log written since `from` (this start only), plus mariadbd's own stderr. */
async function newLogTail(labDir: string, from: number, lines = 15): Promise<string> {
  const p = labPaths(labDir);
  let text = '';
  try {
    text = (await fsp.readFile(p.errorLog)).subarray(from).toString('utf8');
  } catch {
    // no log yet
  }
  try {
    text += await fsp.readFile(path.join(p.runDir, 'mariadbd.out'), 'utf8');
  } catch {
    // nothing
  }
  return logExcerpt(text, lines);
}

/** The [ERROR] lines of a MariaDB log when there are any (the notes around them bury the cause), else its tail. */
export function logExcerpt(text: string, lines = 15): string {
  const errors = text.split('\n').filter((l) => /\[ERROR\]/.test(l));
  return (errors.length > 0 ? errors.slice(-lines).join('\n') : tail(text, lines)) || '(the error log is empty)';
}

async function startupFailure(labDir: string, port: number, logStart: number, portWasConfigured: boolean, what: string): Promise<LabError> {
  const logTail = await newLogTail(labDir, logStart);
  if (/Address already in use|Bind on TCP\/IP port/i.test(logTail)) {
    return portInUse(port, portWasConfigured, logTail);
  }
  return new LabError('corruptDatadir', `${what}; the datadir ${labPaths(labDir).dataDir} may be damaged. Error log:\n${logTail}`, {
    nextStep: resetStep(labDir),
  });
}

export function portInUse(port: number, configured: boolean, detail?: string): LabError {
  return new LabError(
    'portInUse',
    `Port ${port} on 127.0.0.1 is already in use by another program, so the local lab database cannot listen there.${detail ? `\n${detail}` : ''}`,
    {
      nextStep: configured
        ? { label: 'Choose another port, or 0 for a free one', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.local.port' }
        : { label: 'Try again (a free port is picked each time)' },
    },
  );
}

/** SIGTERM, wait for the pid to exit, SIGKILL after the timeout. Resolves true when it was running. */
export async function stopPid(pid: number, timeoutMs = 30_000, clock: Clock = systemClock): Promise<boolean> {
  if (!processAlive(pid)) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = clock.now() + timeoutMs;
  while (processAlive(pid) && !isZombie(pid)) {
    if (clock.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      const killDeadline = clock.now() + 5000;
      while (processAlive(pid) && !isZombie(pid) && clock.now() < killDeadline) await sleep(clock, 100);
      break;
    }
    await sleep(clock, 100);
  }
  // An exited child of this process stays a zombie until Node reaps it; give that a moment so callers see it gone.
  const reapDeadline = clock.now() + 2000;
  while (processAlive(pid) && clock.now() < reapDeadline) await sleep(clock, 50);
  return true;
}

/** A child of this process that exited but was not reaped still answers signal 0. */
function isZombie(pid: number): boolean {
  try {
    return /\)\s+Z\s/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
