import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { LabError } from '../errors';
import type { Logger } from '../log';

/** Which OS account mariadbd runs as. As root we prefer `mysql`, because MariaDB should not run as root. */
export interface ServerAccount {
  /** Value for --user, or undefined when not running as root (mariadbd then runs as the current user). */
  user?: string;
  uid?: number;
  gid?: number;
}

function lookupAccount(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // no passwd file: no such account
  }
  return undefined;
}

/**
 * As root: `mysql` when that account exists and can reach the lab's mariadb folder (a lab under a 0700
 * home or temp folder is not reachable), otherwise root, with the reason logged.
 */
export function chooseServerAccount(mariadbDir: string, log: Logger): ServerAccount {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const mysql = lookupAccount('mysql');
  if (!mysql) {
    log.warn('Local lab: no `mysql` OS account; running MariaDB as root.');
    return { user: 'root', uid: 0, gid: 0 };
  }
  // access(2) as that user checks search permission on every parent folder too.
  const probe = spawnSync('test', ['-x', mariadbDir], { uid: mysql.uid, gid: mysql.gid });
  if (probe.status !== 0) {
    log.warn(`Local lab: the mysql account cannot reach ${mariadbDir} (a parent folder is not searchable by others); running MariaDB as root.`);
    return { user: 'root', uid: 0, gid: 0 };
  }
  return { user: 'mysql', ...mysql };
}

/** Gives the datadir, run and files folders to the server account, when that is not the current user. */
export async function handOver(dirs: string[], account: ServerAccount): Promise<void> {
  if (account.uid === undefined || account.gid === undefined || account.uid === 0) return;
  for (const dir of dirs) {
    const st = await fsp.stat(dir);
    if (st.uid === account.uid && st.gid === account.gid) continue;
    const r = spawnSync('chown', ['-R', `${account.uid}:${account.gid}`, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new LabError('internal', `Could not hand ${dir} to the ${account.user} account: ${r.stderr.trim()}`);
  }
}
