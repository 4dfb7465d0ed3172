/**
 * SQL text quoting for DuckDB and Trino-style engines (Athena): standard SQL, where a string literal is in single
 * quotes and an identifier in double quotes, each with its quote character doubled inside. MySQL quotes
 * identifiers with backticks instead (src/core/source/sql.ts). Values from users go through bound parameters;
 * these are for file paths, table and column names and the like that must be part of the statement text.
 */
import { LabError } from '../errors';

/** A plain name: a letter or _, then letters, digits and _. Lake tables, model names and query parameters are plain names. */
export const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isPlainName(name: string): boolean {
  return PLAIN_NAME.test(name);
}

/** `name` when it can be a lake table's (a plain name); otherwise a config error saying it is not one. */
export function lakeTableName(name: string): string {
  if (!isPlainName(name)) throw new LabError('config', `"${name}" is not a lake table name.`);
  return name;
}

/** `it's` -> `'it''s'`: a string literal. */
export function sqlLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('A SQL string literal cannot hold a NUL character.');
  return `'${text.replace(/'/g, "''")}'`;
}

/** `fact "x"` -> `"fact ""x"""`: a quoted identifier (table, view or column name), case kept as written. */
export function sqlIdent(name: string): string {
  if (name === '' || name.includes('\0')) throw new Error(`Not a SQL identifier: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** Whether the SQL holds no statement: nothing but comments, semicolons and blank space. */
export function isBlankSql(sql: string): boolean {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/;/g, '').trim() === '';
}

/** The error for SQL with no statement in it: engines have no words of their own for it (DuckDB: "Error in native callback"). */
export function noStatementError(): LabError {
  return new LabError('queryFailed', 'There is no SQL statement to run: the query is empty or only comments. Write a statement, e.g. select * from fact_orders limit 10.');
}
