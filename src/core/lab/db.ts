import type { Connection, ConnectionOptions } from 'mysql2/promise';
import type { MysqlTarget } from '../config';
import { LabError } from '../errors';
import { qualifiedName, quoteIdent } from '../source/sql';

/** The eight classicmodels tables, in load order (parents before children). */
export const CLASSICMODELS_TABLES = [
  'productlines', 'products', 'offices', 'employees', 'customers', 'payments', 'orders', 'orderdetails',
] as const;
export type ClassicmodelsTable = (typeof CLASSICMODELS_TABLES)[number];
export type TableCounts = Record<ClassicmodelsTable, number>;

/** Row counts of the lab's dump (data/mysqlsampledatabase.sql). */
export const DUMP_COUNTS: TableCounts = {
  customers: 122, employees: 23, offices: 7, orderdetails: 2996, orders: 326, payments: 273, productlines: 7, products: 110,
};

const CONNECTION_DEFAULTS: ConnectionOptions = { charset: 'utf8mb4', connectTimeout: 10_000 };

/** mysql2 is loaded on first use so that importing core stays cheap. */
export async function connect(options: ConnectionOptions): Promise<Connection> {
  const mysql = await import('mysql2/promise');
  return mysql.createConnection({ ...CONNECTION_DEFAULTS, ...options });
}

/** The options connectTarget connects with (e.g. for a second connection that kills a query). */
export function targetOptions(target: MysqlTarget, extra: ConnectionOptions = {}): ConnectionOptions {
  return {
    ...CONNECTION_DEFAULTS,
    host: target.host, port: target.port, user: target.user, password: target.password, database: target.database, ...extra,
  };
}

export function connectTarget(target: MysqlTarget, extra: ConnectionOptions = {}): Promise<Connection> {
  return connect(targetOptions(target, extra));
}

export async function databaseExists(conn: Connection, database: string): Promise<boolean> {
  const [rows] = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
  return (rows as unknown[]).length > 0;
}

export async function tablesOf(conn: Connection, database: string): Promise<string[]> {
  const [rows] = await conn.query(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    [database],
  );
  return (rows as { name: string }[]).map((r) => r.name);
}

/** Exact row counts of the classicmodels tables in `database`; a missing table counts as undefined. */
export async function countTables(conn: Connection, database: string): Promise<Partial<TableCounts>> {
  const present = new Set(await tablesOf(conn, database));
  const counts: Partial<TableCounts> = {};
  for (const table of CLASSICMODELS_TABLES) {
    if (!present.has(table)) continue;
    const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${qualifiedName(database, table)}`);
    counts[table] = Number((rows as { n: number | string }[])[0].n);
  }
  return counts;
}

/** Tables whose count differs from the expectation, as "table: got X, expected Y" (empty when all match). */
export function countMismatches(actual: Partial<TableCounts>, expected: TableCounts): string[] {
  return CLASSICMODELS_TABLES.filter((t) => actual[t] !== expected[t]).map(
    (t) => `${t}: ${actual[t] === undefined ? 'missing' : `got ${actual[t]}`}, expected ${expected[t]}`,
  );
}

/**
 * Moves every table of `staging` into `target` in one RENAME TABLE (atomic: readers see the old or the new
 * tables, never a mix), then drops the old tables and the staging database.
 */
export async function swapDatabase(conn: Connection, staging: string, target: string, charset = 'utf8mb4'): Promise<void> {
  const incoming = await tablesOf(conn, staging);
  if (incoming.length === 0) throw new LabError('internal', `Nothing to swap: ${staging} has no tables.`);
  const retired = `${target}__old`;
  await conn.query('SET SESSION foreign_key_checks = 0');
  await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(target)} CHARACTER SET ${charset}`);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(retired)}`);
  const existing = new Set(await tablesOf(conn, target));
  const moves: string[] = [];
  const replacing = incoming.filter((t) => existing.has(t));
  if (replacing.length > 0) {
    await conn.query(`CREATE DATABASE ${quoteIdent(retired)}`);
    for (const t of replacing) moves.push(`${qualifiedName(target, t)} TO ${qualifiedName(retired, t)}`);
  }
  for (const t of incoming) moves.push(`${qualifiedName(staging, t)} TO ${qualifiedName(target, t)}`);
  await conn.query(`RENAME TABLE ${moves.join(', ')}`);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(retired)}`);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(staging)}`);
  await conn.query('SET SESSION foreign_key_checks = 1');
}

/**
 * Drops a staging database on a fresh connection (the failed one may be mid-protocol), ignoring errors:
 * on failure paths the first error is what the user needs to see.
 */
export async function dropQuietly(target: MysqlTarget, database: string): Promise<void> {
  let conn: Connection | undefined;
  try {
    conn = await connectTarget({ ...target, database: '' });
    await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
  } catch {
    // the original error matters more
  } finally {
    await conn?.end().catch(() => {});
  }
}
