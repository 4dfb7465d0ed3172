import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { systemClock, type Clock } from '../clock';
import type { MysqlTarget } from '../config';
import { LabError, throwIfCancelled } from '../errors';
import { waitForLockFile } from '../lock';
import { silentLogger, type Logger } from '../log';
import type { LongWork, ProgressReporter } from '../progress';
import { connect, countMismatches, countTables, DUMP_COUNTS, type TableCounts } from './db';
import { checkScale, generateClassicmodels, generatedCounts } from './generator';
import { freePort, handshake, portTaken } from './loopbackPorts';
import { initialiseDatadir, isInitialised, ourServer, portInUse, readPidFile, resetStep, startServer, stopPid } from './mariadb';
import { findMariadbBinaries, serverVersionOf } from './mariadbBinaries';
import { chooseServerAccount, handOver } from './serverAccount';
import { localLabUnsupported } from './platform';
import { seedFromDump } from './seed';
import { labPaths, readLabCredentials, readLabState, type LabCredentials, type LabState } from './state';

export const LAB_HOST = '127.0.0.1';
export const LAB_USER = 'lab';
export const LAB_DATABASE = 'classicmodels';

export interface LocalLabOptions {
  /** Absolute lab folder (LabConfig.local.labDir). */
  labDir: string;
  /** 0 or undefined: a free port (the previous one when still free). */
  port?: number;
  /** data/mysqlsampledatabase.sql. */
  dumpFile: string;
  log?: Logger;
  /** Where to look for mariadbd (tests point this at an empty folder); default PATH plus sbin folders. */
  searchDirs?: string[];
  startTimeoutMs?: number;
  /** Time for the lock wait, the server's start deadline and stop timeouts (tests pass a FakeClock). */
  clock?: Clock;
  /** The OS the lab would run on (tests pass another); default process.platform. */
  platform?: NodeJS.Platform;
}

export interface UpOptions extends LongWork {
  /**
   * 1: the lab's dump; N > 1: generated data at N times the size. Undefined keeps what the lab was last
   * seeded with (the dump on a new lab).
   */
  scale?: number;
}

export interface LabStatus {
  running: boolean;
  labDir: string;
  host: string;
  port?: number;
  pid?: number;
  socket?: string;
  user?: string;
  database: string;
  serverVersion?: string;
  dataDir: string;
  /** Whether a datadir exists (a stopped lab keeps its data). */
  initialised: boolean;
  seededFrom?: string;
  seededAt?: string;
  counts?: Partial<TableCounts>;
  /** Anything odd worth telling (stale state, unreachable server). */
  note?: string;
}

/** What the datadir was last seeded with; kept beside the datadir so it survives `down` (which removes lab.json). */
interface SeedRecord {
  scale: number;
  seededFrom: string;
  seededAt: string;
}

/**
 * The project-local MariaDB with classicmodels: `up`, `down`, `status`, `reset`. Used by the CLI, the editor
 * commands and the test fixture alike. Operations on one lab folder are serialised by a lock file.
 */
export class LocalLab {
  private readonly paths;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly options: LocalLabOptions) {
    this.paths = labPaths(options.labDir);
    this.log = options.log ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  get labDir(): string {
    return this.options.labDir;
  }

  /** Starts the server if needed, makes sure the lab user exists, and seeds classicmodels when missing or incomplete. */
  async up(opts: UpOptions = {}): Promise<LabStatus> {
    const report: ProgressReporter = opts.onProgress ?? (() => {});
    const unsupported = localLabUnsupported(this.options.platform);
    if (unsupported) throw unsupported;
    if (opts.scale !== undefined) checkScale(opts.scale);
    return this.withLock(opts.signal, async () => {
      const p = this.paths;
      await fsp.mkdir(p.runDir, { recursive: true });
      await fsp.mkdir(p.filesDir, { recursive: true });
      const bins = findMariadbBinaries(this.options.searchDirs);

      let server = await this.runningServer(true);
      if (server) {
        report({ message: `MariaDB already runs on ${LAB_HOST}:${server.port}`, fraction: 0.1 });
        const configured = this.options.port ?? 0;
        if (configured > 0 && configured !== server.port) {
          this.log.warn(`Local lab: MariaDB runs on port ${server.port}, not the configured ${configured}; lab down then lab up moves it.`);
        }
      } else {
        // Fail fast on a taken configured port, before spending seconds on a datadir.
        const configured = this.options.port ?? 0;
        if (configured > 0 && (await portTaken(configured))) throw portInUse(configured, true);
        report({ message: 'Preparing the MariaDB datadir', fraction: 0.05 });
        const account = chooseServerAccount(p.mariadbDir, this.log);
        await initialiseDatadir(bins, this.labDir, account, this.log);
        await handOver([p.mariadbDir, p.dataDir, p.runDir, p.filesDir], account);
        throwIfCancelled(opts.signal, 'Starting the local lab');
        report({ message: 'Starting MariaDB', fraction: 0.15 });
        server = await this.start(bins, account, opts.signal);
      }

      const creds = await this.ensureCredentials();
      const conn = await this.adminConnection(server.port, creds);
      let version: string;
      try {
        const [rows] = await conn.query('SELECT VERSION() AS v');
        version = String((rows as { v: string }[])[0].v);
      } finally {
        await conn.end().catch(() => {});
      }
      const previous = await readLabState(this.labDir);
      const state: LabState = {
        host: LAB_HOST,
        port: server.port,
        pid: server.pid,
        socket: p.socket,
        dataDir: p.dataDir,
        user: creds.user,
        database: LAB_DATABASE,
        serverVersion: version,
        startedAt: previous?.pid === server.pid ? previous.startedAt : new Date().toISOString(),
      };
      const record = await this.readSeedRecord();
      await this.writeState({ ...state, seededFrom: record?.seededFrom, seededAt: record?.seededAt });

      const target = this.targetFor(state, creds);
      const scale = opts.scale ?? record?.scale ?? 1;
      const expected = scale === 1 ? DUMP_COUNTS : generatedCounts(scale);
      const check = await connect({ host: LAB_HOST, port: server.port, user: creds.user, password: creds.password });
      let counts: Partial<TableCounts>;
      try {
        counts = await countTables(check, LAB_DATABASE);
      } finally {
        await check.end().catch(() => {});
      }
      const wrong = countMismatches(counts, expected);
      let seed = record;
      if (wrong.length > 0 || !record || record.scale !== scale) {
        if (record) this.log.info(`Local lab: ${LAB_DATABASE} needs seeding (${wrong.length ? wrong.join('; ') : `was x${record.scale}, want x${scale}`})`);
        const sub = (from: number, to: number): ProgressReporter => (u) => report({ message: u.message, fraction: from + (to - from) * (u.fraction ?? 0) });
        if (scale === 1) {
          report({ message: `Seeding ${LAB_DATABASE} from the lab dump`, fraction: 0.4 });
          counts = await seedFromDump(target, { dumpFile: this.options.dumpFile, database: LAB_DATABASE, signal: opts.signal, onProgress: sub(0.4, 0.95) });
        } else {
          report({ message: `Generating ${LAB_DATABASE} at scale ${scale}`, fraction: 0.3 });
          const result = await generateClassicmodels(target, {
            scale, database: LAB_DATABASE, schemaFile: this.options.dumpFile, signal: opts.signal, onProgress: sub(0.3, 0.95),
          });
          counts = result.counts;
        }
        seed = { scale, seededFrom: scale === 1 ? 'dump' : `generated x${scale}`, seededAt: new Date().toISOString() };
        await writeJson(this.seedRecordFile, seed, 0o644);
      }
      await this.writeState({ ...state, seededFrom: seed?.seededFrom, seededAt: seed?.seededAt });
      report({ message: `Local lab is up on ${LAB_HOST}:${server.port}`, fraction: 1 });
      return { ...this.describe(true, { ...state, seededFrom: seed?.seededFrom, seededAt: seed?.seededAt }, counts), initialised: true };
    });
  }

  /** Stops the server cleanly (SIGTERM, SIGKILL after a timeout) and removes lab.json. Resolves whether it was running. */
  async down(opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<boolean> {
    return this.withLock(opts.signal, async () => {
      let wasRunning = false;
      // Every process of ours, answering or not (a hung server must stop too).
      const state = await readLabState(this.labDir);
      for (const pid of new Set([state?.pid, await readPidFile(this.labDir)])) {
        const found = pid ? ourServer(pid, this.labDir) : undefined;
        if (!found) continue;
        this.log.info(`Local lab: stopping MariaDB (pid ${found.pid})`);
        wasRunning = (await stopPid(found.pid, opts.timeoutMs ?? 60_000, this.clock)) || wasRunning;
      }
      await fsp.rm(this.paths.stateFile, { force: true });
      return wasRunning;
    });
  }

  /** Stops the lab and deletes its database files and credentials (the lake stays). The next `up` starts fresh. */
  async reset(opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.down(opts);
    await this.withLock(opts.signal, async () => {
      await fsp.rm(this.paths.mariadbDir, { recursive: true, force: true });
      await fsp.rm(this.paths.credentialsFile, { force: true });
    });
  }

  /** What runs where. Never starts anything. */
  async status(): Promise<LabStatus> {
    const state = await readLabState(this.labDir);
    const server = await this.runningServer();
    const initialised = await isInitialised(this.paths.dataDir);
    if (!server) {
      const s = { ...this.describe(false, state), initialised };
      const stuck = state ? ourServer(state.pid, this.labDir) : undefined;
      if (stuck) s.note = `MariaDB pid ${stuck.pid} is alive but does not answer on port ${stuck.port ?? state?.port} (hung?); lab down stops it, lab up restarts it`;
      else if (state) s.note = `lab.json names pid ${state.pid}, which is not running (stale state; lab up will restart it)`;
      return s;
    }
    const creds = await readLabCredentials(this.labDir);
    const current: LabState | undefined = state && state.pid === server.pid ? state : undefined;
    const status = { ...this.describe(true, current), initialised };
    status.pid = server.pid;
    status.port = server.port;
    if (!creds) {
      status.note = 'credentials.json is missing';
      return status;
    }
    try {
      const conn = await connect({ host: LAB_HOST, port: server.port, user: creds.user, password: creds.password });
      try {
        const [rows] = await conn.query('SELECT VERSION() AS v');
        status.serverVersion = String((rows as { v: string }[])[0].v);
        status.counts = await countTables(conn, LAB_DATABASE);
      } finally {
        await conn.end().catch(() => {});
      }
    } catch (err) {
      status.note = `The server runs but does not answer queries: ${(err as Error).message}`;
    }
    return status;
  }

  /** MysqlTarget of the running lab (same as readLabTarget). */
  targetFor(state: LabState, creds: LabCredentials): MysqlTarget {
    return { host: state.host, port: state.port, user: creds.user, password: creds.password, database: state.database, tls: 'off', origin: 'local-lab' };
  }

  private describe(running: boolean, state: LabState | undefined, counts?: Partial<TableCounts>): LabStatus {
    return {
      running,
      labDir: this.labDir,
      host: LAB_HOST,
      port: running ? state?.port : undefined,
      pid: running ? state?.pid : undefined,
      socket: running ? state?.socket : undefined,
      user: state?.user,
      database: LAB_DATABASE,
      serverVersion: state?.serverVersion,
      dataDir: this.paths.dataDir,
      initialised: false,
      seededFrom: state?.seededFrom,
      seededAt: state?.seededAt,
      counts,
    };
  }

  /**
   * Our mariadbd, found by pid (lab.json or the pid file) and answering on its port. With `stopHung`, a server
   * that is alive but does not answer for ~15 s (hung, or stuck shutting down) is stopped so up can start cleanly;
   * status never stops anything.
   */
  private async runningServer(stopHung = false): Promise<{ pid: number; port: number } | undefined> {
    const state = await readLabState(this.labDir);
    for (const pid of [state?.pid, await readPidFile(this.labDir)]) {
      if (!pid) continue;
      const found = ourServer(pid, this.labDir);
      if (!found) continue;
      const port = found.port ?? state?.port;
      // A busy machine can delay the handshake; a few tries before calling it hung.
      for (let attempt = 0; port && attempt < (stopHung ? 3 : 1); attempt++) {
        if (await handshake(port, 5000)) return { pid: found.pid, port };
      }
      if (stopHung) {
        this.log.warn(`Local lab: MariaDB pid ${pid} does not answer on port ${port}; stopping it.`);
        await stopPid(found.pid, 30_000, this.clock);
      }
    }
    return undefined;
  }

  private async start(bins: ReturnType<typeof findMariadbBinaries>, account: ReturnType<typeof chooseServerAccount>, signal?: AbortSignal) {
    const configured = this.options.port ?? 0;
    const lastPortFile = path.join(this.paths.mariadbDir, 'last-port');
    for (let attempt = 0; ; attempt++) {
      let port = configured;
      if (configured > 0) {
        if (await portTaken(configured)) throw portInUse(configured, true);
      } else {
        const last = Number(await fsp.readFile(lastPortFile, 'utf8').catch(() => '0'));
        port = attempt === 0 && last > 0 && !(await portTaken(last)) ? last : await freePort();
      }
      try {
        const started = await startServer(bins, this.labDir, port, account, {
          signal, log: this.log, timeoutMs: this.options.startTimeoutMs, portWasConfigured: configured > 0, clock: this.clock,
        });
        await fsp.writeFile(lastPortFile, String(port));
        this.log.info(`Local lab: MariaDB ${serverVersionOf(bins.mariadbd)} runs on ${LAB_HOST}:${port} (pid ${started.pid})`);
        return started;
      } catch (err) {
        // A free port can be taken between picking and binding; pick again.
        if (configured === 0 && err instanceof LabError && err.code === 'portInUse' && attempt < 3) continue;
        throw err;
      }
    }
  }

  private async ensureCredentials(): Promise<LabCredentials> {
    const existing = await readLabCredentials(this.labDir);
    if (existing) return existing;
    const creds: LabCredentials = { user: LAB_USER, password: randomBytes(18).toString('base64url') };
    await writeJson(this.paths.credentialsFile, creds, 0o600);
    return creds;
  }

  /**
   * A connection as the lab user. On a new datadir the user does not exist yet: it is created through the
   * passwordless root account that `mariadb-install-db --auth-root-authentication-method=normal` leaves,
   * after which root is limited to the OS root account over the socket.
   */
  private async adminConnection(port: number, creds: LabCredentials): Promise<Connection> {
    const asLab = () => connect({ host: LAB_HOST, port, user: creds.user, password: creds.password });
    try {
      return await asLab();
    } catch (err) {
      if ((err as { code?: string }).code !== 'ER_ACCESS_DENIED_ERROR') throw err;
    }
    let root: Connection;
    try {
      root = await connect({ socketPath: this.paths.socket, user: 'root', password: '' });
    } catch (err) {
      throw new LabError('auth', `The lab user cannot log in to the lab database and root is locked (the password in ${this.paths.credentialsFile} does not match this datadir).`, {
        nextStep: resetStep(this.labDir), cause: err,
      });
    }
    try {
      this.log.info(`Local lab: creating the database user '${creds.user}'`);
      for (const host of [LAB_HOST, 'localhost']) {
        await root.query('CREATE OR REPLACE USER ?@? IDENTIFIED BY ?', [creds.user, host, creds.password]);
        await root.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [creds.user, host]);
      }
      const [others] = await root.query("SELECT Host AS host FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost'");
      for (const { host } of others as { host: string }[]) await root.query('DROP USER ?@?', ['root', host]);
      await root.query("ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket");
      await root.query('FLUSH PRIVILEGES');
    } finally {
      await root.end().catch(() => {});
    }
    return asLab();
  }

  private get seedRecordFile(): string {
    return path.join(this.paths.mariadbDir, 'seeded.json');
  }

  private async readSeedRecord(): Promise<SeedRecord | undefined> {
    if (!(await isInitialised(this.paths.dataDir))) return undefined;
    try {
      return JSON.parse(await fsp.readFile(this.seedRecordFile, 'utf8')) as SeedRecord;
    } catch {
      return undefined;
    }
  }

  private async writeState(state: LabState): Promise<void> {
    await writeJson(this.paths.stateFile, state, 0o644);
  }

  /**
   * Serialises lab operations across processes (CLI, editor, test runs) with the heartbeat lock of core/lock.ts:
   * a live holder is waited for; one that died or stopped heartbeating is taken over.
   */
  private async withLock<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    await fsp.mkdir(this.labDir, { recursive: true });
    const release = await waitForLockFile(path.join(this.labDir, 'lab.lock'), {
      clock: this.clock,
      log: this.log,
      label: 'lab lock',
      signal,
      onWait: (holder) => this.log.info(`Local lab: waiting for another lab operation (pid ${holder?.pid ?? 'unknown'}) to finish`),
    });
    try {
      return await work();
    } finally {
      await release();
    }
  }
}

async function writeJson(file: string, value: unknown, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  await fsp.chmod(tmp, mode);
  await fsp.rename(tmp, file);
}
