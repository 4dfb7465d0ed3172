import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { MysqlTarget } from '../config';

/**
 * The local lab's on-disk layout. Everything lives under the lab folder (default `.lab/`, git-ignored):
 *   lab.json          what runs where (no secrets)
 *   credentials.json  the generated lab user's password, mode 0600, never logged
 *   mariadb/data      the datadir; mariadb/run holds socket, pid file and error log
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

export function labPaths(labDir: string) {
  const mariadb = path.join(labDir, 'mariadb');
  return {
    labDir,
    stateFile: path.join(labDir, 'lab.json'),
    credentialsFile: path.join(labDir, 'credentials.json'),
    mariadbDir: mariadb,
    dataDir: path.join(mariadb, 'data'),
    runDir: path.join(mariadb, 'run'),
    socket: path.join(mariadb, 'run', 'mysqld.sock'),
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
