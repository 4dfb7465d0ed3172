import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors';

/** Where the MariaDB server's binaries are on this machine, and which version they are. */

export interface MariadbBinaries {
  mariadbd: string;
  installDb: string;
}

// /opt/homebrew: Homebrew on Apple silicon, which an editor started from the Dock does not have on its PATH.
const DEFAULT_SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin', '/opt/homebrew/bin', '/opt/homebrew/sbin'];

export function mariadbMissing(what: string, platform: NodeJS.Platform = process.platform): LabError {
  if (platform === 'darwin') {
    return new LabError('mariadbMissing', `MariaDB server is not installed (${what} not found on PATH, in /usr/local or /opt/homebrew).`,
      { nextStep: { label: 'Install it: brew install mariadb' } });
  }
  return new LabError(
    'mariadbMissing',
    `MariaDB server is not installed (${what} not found on PATH or in /usr/sbin). The local lab runs Debian's mariadb-server.`,
    { nextStep: { label: 'Install it: apt-get install mariadb-server (or run `npm start`, which installs it)' } },
  );
}

/** Finds mariadbd and mariadb-install-db on PATH and the usual sbin folders. */
export function findMariadbBinaries(searchDirs?: string[]): MariadbBinaries {
  const dirs = searchDirs ?? [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...DEFAULT_SEARCH_DIRS];
  const find = (names: string[]) => {
    for (const dir of dirs) {
      for (const name of names) {
        const candidate = path.join(dir, name);
        try {
          fs.accessSync(candidate, fs.constants.X_OK);
          return candidate;
        } catch {
          // keep looking
        }
      }
    }
    return undefined;
  };
  const mariadbd = find(['mariadbd', 'mysqld']);
  if (!mariadbd) throw mariadbMissing('mariadbd');
  const installDb = find(['mariadb-install-db', 'mysql_install_db']);
  if (!installDb) throw mariadbMissing('mariadb-install-db');
  return { mariadbd, installDb };
}

export function serverVersionOf(mariadbd: string): string {
  const r = spawnSync(mariadbd, ['--version'], { encoding: 'utf8' });
  const m = /Ver\s+(\S+)/.exec(r.stdout ?? '');
  return m ? m[1] : 'unknown';
}
