import { readFileSync } from 'node:fs';
import type { LabConfig, MysqlTarget } from '../config';
import { LabError } from '../errors';
import { readLabTarget } from '../lab/state';

/**
 * The one place that decides where the source lives, for the editor and the CLI alike:
 * - no host configured, a backend whose source may be the local lab: the running lab (undefined when it is not running);
 * - no host configured, any other backend: nothing yet (Discover RDS Instance fills the host);
 * - a host configured: that host with the password the caller supplies (SecretStorage or an env var).
 * The database setting (`mysql.database`, LIFECYCLE_LAB_MYSQL_DATABASE) chooses the database in every case: its
 * default is the lab's own, and an unknown one fails naming the databases there instead of being ignored.
 */
export async function resolveSourceTarget(
  config: LabConfig,
  readPassword: () => Promise<string | undefined>,
  options: { localLab: boolean },
): Promise<MysqlTarget | undefined> {
  if (!config.mysql.host) {
    const lab = options.localLab ? await readLabTarget(config.local.labDir) : undefined;
    return lab && { ...lab, database: config.mysql.database };
  }
  return {
    ...config.mysql,
    caBundlePath: config.mysql.caBundlePath || undefined,
    password: (await readPassword()) ?? '',
    origin: 'settings',
  };
}

/** Hosts that are this machine: TLS is pointless there and 'auto' leaves it off. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Whether a connection to this target uses TLS. */
export function usesTls(target: Pick<MysqlTarget, 'host' | 'tls'>): boolean {
  if (target.tls === 'off') return false;
  if (target.tls === 'require') return true;
  return !isLoopbackHost(target.host);
}

/** How the target reads in the UI: "local lab" or host:port. */
export function targetLabel(target: Pick<MysqlTarget, 'host' | 'port' | 'origin'>): string {
  return target.origin === 'local-lab' ? 'local lab' : `${target.host}:${target.port}`;
}

/** A key that changes whenever a new connection pool is needed. Includes the password, so keep it in memory only. */
export function targetIdentity(target: MysqlTarget): string {
  return JSON.stringify([target.origin, target.host, target.port, target.user, target.password, target.tls, target.caBundlePath ?? '']);
}

/** How a mysql2 connection reaches the target: where, as whom, and with TLS when the target needs it. */
export interface TargetConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  ssl?: { ca?: string; rejectUnauthorized: true; minVersion: 'TLSv1.2' };
}

/**
 * The connection options every mysql2 connection to a target starts from (the pool, the pipeline's snapshot, the
 * short listing connection): TLS verified against the CA bundle when one is set, else the system's CAs.
 */
export function targetConnection(target: MysqlTarget): TargetConnection {
  const options: TargetConnection = { host: target.host, port: target.port, user: target.user, password: target.password };
  if (usesTls(target)) {
    let ca: string | undefined;
    if (target.caBundlePath) {
      try {
        ca = readFileSync(target.caBundlePath, 'utf8');
      } catch (err) {
        throw new LabError('config', `Cannot read the CA bundle ${target.caBundlePath}: ${(err as Error).message}`, {
          nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.mysql.caBundlePath' }, cause: err,
        });
      }
    }
    options.ssl = { ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  }
  return options;
}
