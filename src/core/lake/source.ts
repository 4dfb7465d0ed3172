import type { Connection, ConnectionOptions } from 'mysql2';
import { readFileSync } from 'node:fs';
import type { MysqlTarget } from '../config';
import { LabError, type NextStep } from '../errors';
import { usesTls } from '../source/target';

/** What the user should do when the source cannot be reached, by where the target came from. */
export function sourceNextStep(target: MysqlTarget): NextStep {
  return target.origin === 'local-lab'
    ? { label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' }
    : { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.mysql.host' };
}

export function describeTarget(target: MysqlTarget, database = target.database): string {
  return `${database} on ${target.host}:${target.port}`;
}

/**
 * Opens one connection for extraction. Rows come back as arrays with DATE and DECIMAL as strings, so the
 * staging engine casts exact text and JS never rounds money.
 */
export async function connectSource(target: MysqlTarget, database: string): Promise<Connection> {
  const mysql = await import('mysql2');
  const options: ConnectionOptions = {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 10_000,
    charset: 'utf8mb4',
  };
  if (usesTls(target)) {
    options.ssl = target.caBundlePath ? { ca: readFileSync(target.caBundlePath, 'utf8') } : { rejectUnauthorized: true };
  }
  const conn = mysql.createConnection(options);
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    conn.destroy();
    throw mapSourceError(err, target, database);
  }
  return conn;
}

/** Maps mysql2 connection and query errors to messages with a next step. */
export function mapSourceError(err: unknown, target: MysqlTarget, database: string): LabError {
  if (err instanceof LabError) return err;
  const code = (err as { code?: string }).code ?? '';
  const where = describeTarget(target, database);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT' || code === 'PROTOCOL_CONNECTION_LOST') {
    return new LabError('unreachable', `The source database ${where} is not reachable (${code}).`, { nextStep: sourceNextStep(target), cause: err });
  }
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
    return new LabError('auth', `The source ${where} refused user ${target.user}.`, {
      nextStep: target.origin === 'local-lab' ? sourceNextStep(target) : { label: 'Set Database Password', command: 'lifecycleLab.setDatabasePassword' },
      cause: err,
    });
  }
  if (code === 'ER_BAD_DB_ERROR') {
    return new LabError('unknownDatabase', `The database ${database} does not exist on ${target.host}:${target.port}.`, {
      nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.mysql.database' },
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LabError('queryFailed', `The source ${where} failed: ${message}`, { cause: err });
}

/** Runs a small query and returns its rows as arrays. */
export function queryRows(conn: Connection, sql: string, values: unknown[] = []): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    conn.query({ sql, values, rowsAsArray: true }, (err, rows) => (err ? reject(err) : resolve(rows as unknown[][])));
  });
}
