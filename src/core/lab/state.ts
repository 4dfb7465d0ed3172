import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { MysqlTarget } from '../config';

/**
 * The local lab's on-disk layout. Everything lives under the lab folder (see location.ts for where that is):
 *   lab.json          what runs where (no secrets)
 *   credentials.json  the generated lab user's password, mode 0600, never logged
 *   mariadb/data      the datadir; mariadb/run holds socket (unless its path is too long), pid file and error log
 *   lake/             the local Parquet lake (unless configured elsewhere)
 */
export interface LabState {
  host: string;
  port: number;
  pid: number;
  socket: string;
  dataDir: string;
  user: string;
  database: string;
  /** MariaDB server version string. */
  serverVersion: string;
  startedAt: string;
  /** Seeded from: "dump" (the lab's dump) or "generated x<scale>". */
  seededFrom?: string;
  seededAt?: string;
}

export interface LabCredentials {
  user: string;
  password: string;
}

/**
 * A Unix socket's path must fit in sun_path (104 bytes on macOS, 108 on Linux). A lab in the extension's storage
 * (`~/.config/Code/User/workspaceStorage/<hash>/<extension>/lab`) is past that, so its socket goes to /tmp under a
 * name made from the lab folder: the same lab always finds the same socket.
 */
const SOCKET_PATH_MAX = 100;

function socketPath(runDir: string, labDir: string): string {
  const beside = path.join(runDir, 'mysqld.sock');
  if (Buffer.byteLength(beside) <= SOCKET_PATH_MAX) return beside;
  return path.join('/tmp', `lifecycle-lab-${createHash('sha256').update(path.resolve(labDir)).digest('hex').slice(0, 16)}.sock`);
}

export function labPaths(labDir: string) {
  const mariadb = path.join(labDir, 'mariadb');
  return {
    labDir,
    stateFile: path.join(labDir, 'lab.json'),
    credentialsFile: path.join(labDir, 'credentials.json'),
    mariadbDir: mariadb,
    dataDir: path.join(mariadb, 'data'),
    runDir: path.join(mariadb, 'run'),
    socket: socketPath(path.join(mariadb, 'run'), labDir),
    pidFile: path.join(mariadb, 'run', 'mysqld.pid'),
    errorLog: path.join(mariadb, 'run', 'error.log'),
    filesDir: path.join(mariadb, 'files'),
  };
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function readLabState(labDir: string): Promise<LabState | undefined> {
  return readJson<LabState>(labPaths(labDir).stateFile);
}

export function readLabCredentials(labDir: string): Promise<LabCredentials | undefined> {
  return readJson<LabCredentials>(labPaths(labDir).credentialsFile);
}

/** Whether a process id is alive (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Connection details of the running local lab, or undefined when it is not running.
 * This is how every other module (source, pipeline, tests) reaches the local lab database.
 */
export async function readLabTarget(labDir: string): Promise<MysqlTarget | undefined> {
  const [state, creds] = await Promise.all([readLabState(labDir), readLabCredentials(labDir)]);
  if (!state || !creds || !processAlive(state.pid)) return undefined;
  return {
    host: state.host,
    port: state.port,
    user: creds.user,
    password: creds.password,
    database: state.database,
    tls: 'off',
    origin: 'local-lab',
  };
}
