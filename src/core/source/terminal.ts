import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MysqlTarget } from '../config';
import { LabError } from '../errors';
import { usesTls } from './target';

export type MysqlClient = 'mariadb' | 'mysql';

export interface ClientInvocation {
  command: MysqlClient;
  args: string[];
  /** The password goes here (MYSQL_PWD), never into args: arguments are visible to every local user. */
  env: Record<string, string>;
}

/** The command line for an interactive `mariadb`/`mysql` session on the target. */
export function mysqlClientInvocation(target: MysqlTarget, client: MysqlClient, database: string | undefined): ClientInvocation {
  const args = ['--host', target.host, '--port', String(target.port), '--user', target.user, '--default-character-set=utf8mb4'];
  if (usesTls(target)) {
    // The MariaDB client and Oracle's mysql 8 spell TLS options differently.
    if (client === 'mariadb') {
      args.push('--ssl');
      if (target.caBundlePath) args.push(`--ssl-ca=${target.caBundlePath}`, '--ssl-verify-server-cert');
    } else {
      args.push(target.caBundlePath ? '--ssl-mode=VERIFY_IDENTITY' : '--ssl-mode=REQUIRED');
      if (target.caBundlePath) args.push(`--ssl-ca=${target.caBundlePath}`);
    }
  }
  args.push(database ?? target.database);
  return { command: client, args, env: { MYSQL_PWD: target.password } };
}

/** The first of `mariadb`, `mysql` on PATH, or a LabError saying how to get one. */
export function findMysqlClient(searchPath = process.env.PATH ?? ''): MysqlClient {
  for (const client of ['mariadb', 'mysql'] as const) {
    for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
      try {
        fs.accessSync(path.join(dir, client), fs.constants.X_OK);
        return client;
      } catch {
        // not in this directory
      }
    }
  }
  throw new LabError('mariadbMissing', 'Neither the mariadb nor the mysql client is installed. Install it with: apt-get install mariadb-client');
}
