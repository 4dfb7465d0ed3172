import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors';

/** Which command-line client a path is: they spell some options (TLS) differently. */
export type MysqlClientFlavour = 'mariadb' | 'mysql';

/**
 * The MariaDB/MySQL command-line client: the absolute path of the first executable `mariadb`, else `mysql`, on the
 * search path (PATH by default); undefined when there is neither. One synchronous look-up of a few paths, used by
 * the MySQL terminal and by the pipeline's client extraction route alike.
 */
export function findMysqlClient(searchPath: string = process.env.PATH ?? ''): string | undefined {
  const dirs = searchPath.split(path.delimiter).filter(Boolean);
  for (const name of ['mariadb', 'mysql'] as const) {
    for (const dir of dirs) {
      const candidate = path.resolve(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not in this folder
      }
    }
  }
  return undefined;
}

/** The flavour of a client path or name (`/usr/bin/mariadb` -> mariadb; anything else is treated as Oracle's mysql). */
export function mysqlClientFlavour(client: string): MysqlClientFlavour {
  return path.basename(client).startsWith('mariadb') ? 'mariadb' : 'mysql';
}

/** What to tell the user when findMysqlClient found nothing. */
export function mysqlClientMissing(): LabError {
  return new LabError('mariadbMissing', 'Neither the mariadb nor the mysql client is installed. Install it with: apt-get install mariadb-client');
}
