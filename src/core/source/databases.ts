import type { ConnectionOptions } from 'mysql2/promise';
import type { MysqlTarget } from '../config';
import type { LabError } from '../errors';
import { mysqlErrorToLabError } from './errors';
import { targetConnection } from './target';

/** Schemas of the server itself, not the user's data. */
export const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);

/** The user's databases on the target's server (system schemas left out), sorted; one short connection without a database. */
export async function listUserDatabases(target: MysqlTarget): Promise<string[]> {
  const mysql = await import('mysql2/promise');
  const options: ConnectionOptions = { ...targetConnection(target), connectTimeout: 5_000, charset: 'UTF8MB4_UNICODE_CI' };
  const conn = await mysql.createConnection(options);
  try {
    const [rows] = await conn.query({ sql: 'SHOW DATABASES', rowsAsArray: true });
    return userDatabases((rows as unknown[][]).map((r) => String(r[0])));
  } finally {
    conn.destroy();
  }
}

/** Names without the system schemas, sorted. */
export function userDatabases(names: readonly string[]): string[] {
  return names.filter((n) => !SYSTEM_SCHEMAS.has(n.toLowerCase())).sort((a, b) => a.localeCompare(b));
}

/**
 * The error for a database that does not exist (ER_BAD_DB_ERROR), naming the databases that do, so the user
 * can pick one. The mapper is synchronous; a caller that caught ER_BAD_DB_ERROR awaits this instead. When the
 * list cannot be read either, the error is the plain one. Never throws.
 */
export async function explainUnknownDatabase(
  target: MysqlTarget,
  database: string,
  options: { cause?: unknown; listDatabases?: () => Promise<string[]> } = {},
): Promise<LabError> {
  const cause = options.cause ?? { code: 'ER_BAD_DB_ERROR' };
  let databases: string[] | undefined;
  try {
    databases = userDatabases(await (options.listDatabases ?? (() => listUserDatabases(target)))());
  } catch {
    databases = undefined;
  }
  return mysqlErrorToLabError(cause, target, { database, databases });
}

/** Whether a driver error is an unknown database (ER_BAD_DB_ERROR). */
export function isUnknownDatabase(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ER_BAD_DB_ERROR';
}
