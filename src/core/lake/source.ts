import type { Connection, ConnectionOptions } from 'mysql2';
import type { MysqlTarget } from '../config';
import type { LabError, NextStep } from '../errors';
import { explainUnknownDatabase, isUnknownDatabase } from '../source/databases';
import { mysqlErrorToLabError } from '../source/errors';
import { targetConnection } from '../source/target';

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
    ...targetConnection(target),
    database,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 10_000,
    charset: 'utf8mb4',
  };
  const conn = mysql.createConnection(options);
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    conn.destroy();
    // The server answered: name the databases it does have instead of a bare "does not exist".
    if (isUnknownDatabase(err)) throw await explainUnknownDatabase(target, database, { cause: err });
    throw mapSourceError(err, target, database);
  }
  return conn;
}

/** Maps mysql2 connection and query errors to messages with a next step: the Source view's mapper, one for both. */
export function mapSourceError(err: unknown, target: MysqlTarget, database: string): LabError {
  return mysqlErrorToLabError(err, target, { database });
}

/** Runs a small query and returns its rows as arrays. */
export function queryRows(conn: Connection, sql: string, values: unknown[] = []): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    conn.query({ sql, values, rowsAsArray: true }, (err, rows) => (err ? reject(err) : resolve(rows as unknown[][])));
  });
}
