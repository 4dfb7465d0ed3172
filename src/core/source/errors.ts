import type { MysqlTarget } from '../config';
import { CancelledError, LabError, type NextStep } from '../errors';
import { targetLabel } from './target';

/** The fields of a mysql2 / Node socket error that say what went wrong. */
interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** The server was reached, then the connection went away (server stopped, killed the session, network cut). */
const CONNECTION_LOST = new Set(['ECONNRESET', 'PROTOCOL_CONNECTION_LOST', 'EPIPE']);
const TLS_VERIFY = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const START_LAB: NextStep = { label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' };
const SET_PASSWORD: NextStep = { label: 'Set Database Password', command: 'lifecycleLab.setDatabasePassword' };
const setting = (key: string): NextStep => ({ label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: `lifecycleLab.${key}` });

export interface MysqlErrorContext {
  database?: string;
  table?: string;
  /**
   * The databases that do exist on the server (system schemas left out), when the caller could list them:
   * an unknown database is then answered with the ones to choose from (see explainUnknownDatabase).
   */
  databases?: readonly string[];
}

/**
 * Turns a mysql2 or socket error into a LabError the user can act on. The host, port and user are named
 * (never the password); the original error stays as `cause` for the log.
 */
export function mysqlErrorToLabError(err: unknown, target: MysqlTarget, context: MysqlErrorContext = {}): LabError {
  if (err instanceof LabError) return err;
  const e = (err ?? {}) as DriverError;
  const code = e.code ?? '';
  const where = targetLabel(target);
  const local = target.origin === 'local-lab';
  const detail = e.sqlMessage ?? e.message ?? String(err);

  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') {
    return new LabError('auth', local
      ? `The local lab rejected user '${target.user}'. Restart the lab to restore its credentials.`
      : `MySQL at ${where} rejected user '${target.user}': wrong or missing password.`,
    { nextStep: local ? START_LAB : SET_PASSWORD, cause: err });
  }
  if (code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_TABLEACCESS_DENIED_ERROR') {
    return new LabError('auth', `User '${target.user}' may not read ${context.table ? `${context.database}.${context.table}` : context.database ?? 'this database'} at ${where}.`,
      { nextStep: local ? START_LAB : setting('mysql.user'), cause: err });
  }
  if (UNREACHABLE.has(code) || CONNECTION_LOST.has(code)) {
    const why = CONNECTION_LOST.has(code) ? 'the connection was lost' : code === 'ETIMEDOUT' ? 'it did not answer in time'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'it is not a known host name'
        : code === 'ECONNREFUSED' ? 'it refused the connection' : 'it could not be reached';
    // No setting names in the text: the next step carries the setting and each surface names it its own way.
    return new LabError(code === 'ETIMEDOUT' ? 'timeout' : 'unreachable', local
      ? `The local lab database at ${target.host}:${target.port} is not reachable: ${why} (${code}); it may have stopped.`
      : `MySQL at ${target.host}:${target.port} is not reachable: ${why} (${code}). Check its host and port.`,
    { nextStep: local ? START_LAB : setting('mysql.host'), cause: err });
  }
  if (code === 'ER_BAD_DB_ERROR') {
    // The server answered, so the lab (or host) runs: the fix is the database name, never "start the lab".
    const database = context.database ?? target.database;
    const there = context.databases === undefined ? ''
      : context.databases.length ? ` Databases there: ${context.databases.join(', ')}.` : ' There are no databases there.';
    return new LabError('unknownDatabase', `Database '${database}' does not exist on ${where}.${there}`,
      { nextStep: setting('mysql.database'), cause: err });
  }
  if (code === 'ER_NO_SUCH_TABLE') {
    const name = context.database && context.table ? `Table ${context.database}.${context.table}` : 'The table';
    return new LabError('missingTable', `${name} does not exist at ${where} (${detail}).`,
      { nextStep: { label: 'Refresh Source', command: 'lifecycleLab.source.refresh' }, cause: err });
  }
  if (code === 'ER_QUERY_INTERRUPTED') return new CancelledError('The query');
  if (TLS_VERIFY.has(code)) {
    return new LabError('config', `The TLS certificate of ${where} could not be verified (${code}). Set the MySQL CA bundle path to the server's CA bundle (for RDS: global-bundle.pem).`,
      { nextStep: setting('mysql.caBundlePath'), cause: err });
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new LabError('config', `${where} does not offer TLS. Turn the MySQL TLS mode off only if the network is trusted.`,
      { nextStep: setting('mysql.tls'), cause: err });
  }
  return new LabError('queryFailed', `MySQL at ${where}: ${detail}`, { cause: err });
}
