import type { QueryColumn, QueryValue } from '../query/engine';
import { sqlLiteral } from '../query/sqlText';

/** What GetQueryResults says about one column (the SDK's ColumnInfo, the fields used here). */
export interface AthenaColumnInfo {
  Name?: string;
  Label?: string;
  Type?: string;
  Precision?: number;
  Scale?: number;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT_TYPES = new Set(['double', 'float', 'real']);

/** The column as the engines report it: DuckDB-style upper-case type names, DECIMAL with its precision and scale. */
export function athenaColumn(info: AthenaColumnInfo): QueryColumn {
  const type = (info.Type ?? 'varchar').toLowerCase();
  const shown = type === 'decimal' && info.Precision ? `DECIMAL(${info.Precision},${info.Scale ?? 0})` : type.toUpperCase();
  return { name: info.Name ?? info.Label ?? '', type: shown };
}

/**
 * One Athena value (always text on the wire, absent for NULL) as the QueryValue the local engine would give for the
 * same column: integers, decimals and floats as numbers, booleans as booleans, dates and everything else as text.
 */
export function athenaValue(text: string | undefined, columnType: string | undefined): QueryValue {
  if (text === undefined) return null;
  const type = (columnType ?? 'varchar').toLowerCase();
  if (INTEGER_TYPES.has(type) || type === 'decimal' || FLOAT_TYPES.has(type)) {
    const n = Number(text);
    // NaN and the infinities are not JSON: keep Athena's text for them.
    return Number.isFinite(n) ? n : text;
  }
  if (type === 'boolean') return text === 'true';
  return text;
}

/**
 * Formats a parameter value as an Athena execution parameter. Athena binds each one as a literal of the prepared
 * statement (the SQL text stays `?`): text as the one SQL string literal (quotes doubled, NUL refused), numbers as they are.
 */
export function athenaParameter(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`A query parameter must be a finite number (got ${value}).`);
    return String(value);
  }
  return sqlLiteral(value);
}
