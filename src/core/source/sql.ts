/**
 * SQL text built from identifiers. Identifiers are quoted (backticks doubled), values always travel as
 * placeholders; user text is never spliced into a statement any other way.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error('Empty SQL identifier');
  if (name.includes('\0')) throw new Error('SQL identifier contains a NUL character');
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `db`.`table` */
export function qualifiedName(database: string, table: string): string {
  return `${quoteIdent(database)}.${quoteIdent(table)}`;
}

/** The statement a user would type to look at a table, for "Copy SELECT Statement". */
export function selectStatement(database: string, table: string, columns: readonly string[] = [], limit = 100): string {
  const list = columns.length ? columns.map(quoteIdent).join(', ') : '*';
  return `SELECT ${list}\nFROM ${qualifiedName(database, table)}\nLIMIT ${Math.max(1, Math.trunc(limit))};`;
}

/** Whole, non-negative number for LIMIT/OFFSET (they cannot be placeholders on every server version). */
export function sqlCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${value}`);
  return value;
}
