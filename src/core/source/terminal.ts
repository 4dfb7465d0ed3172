import type { MysqlTarget } from '../config';
import { mysqlClientFlavour, mysqlClientMissing } from './mysqlClient';
import { usesTls } from './target';

// The terminal command finds its client here too; the one look-up lives in mysqlClient.ts.

export interface ClientInvocation {
  /** The client's path (or name) as found by findMysqlClient. */
  command: string;
  args: string[];
  /** The password goes here (MYSQL_PWD), never into args: arguments are visible to every local user. */
  env: Record<string, string>;
}

/**
 * The command line for an interactive `mariadb`/`mysql` session on the target. `client` is what findMysqlClient
 * returned; undefined (no client installed) throws the error that says how to install one.
 */
export function mysqlClientInvocation(target: MysqlTarget, client: string | undefined, database: string | undefined): ClientInvocation {
  if (!client) throw mysqlClientMissing();
  const args = ['--host', target.host, '--port', String(target.port), '--user', target.user, '--default-character-set=utf8mb4'];
  if (usesTls(target)) {
    // The MariaDB client and Oracle's mysql 8 spell TLS options differently.
    if (mysqlClientFlavour(client) === 'mariadb') {
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
