import { LabError } from '../errors';
import type { QueryParams } from './engine';

/**
 * Portable SQL names its parameters `:name` (the dashboard queries are written once for DuckDB and Athena/Trino).
 * Each engine rewrites them into its own binding style here, outside string literals, quoted identifiers and
 * comments; `::` (a DuckDB cast) is left alone. Values are never spliced into the SQL text.
 */
export type PlaceholderStyle = 'dollar' | 'positional';

export interface CompiledSql {
  sql: string;
  /** Positional style: the values in placeholder order (a name used twice appears twice). */
  values: Array<string | number | null>;
  /** The parameter names the SQL used, each once, in first-use order. */
  names: string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/**
 * Rewrites `:name` placeholders into `$name` (DuckDB) or `?` (Athena execution parameters, Trino prepared statements).
 * Throws a LabError when the SQL uses a parameter that `params` lacks, or `params` has one the SQL does not use
 * (a typo there would otherwise silently drop a filter).
 */
export function compileParams(sql: string, params: QueryParams, style: PlaceholderStyle): CompiledSql {
  let out = '';
  const values: Array<string | number | null> = [];
  const names: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      const end = skipQuoted(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (c === ':' && next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < sql.length && NAME_PART.test(sql[j])) j++;
      const name = sql.slice(i + 1, j);
      if (!Object.prototype.hasOwnProperty.call(params, name)) {
        throw new LabError('queryFailed', `The query uses parameter :${name}, but no value was given for it.`);
      }
      if (!names.includes(name)) names.push(name);
      if (style === 'dollar') out += `$${name}`;
      else {
        out += '?';
        values.push(params[name]);
      }
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  const unused = Object.keys(params).filter((k) => !names.includes(k));
  if (unused.length) {
    throw new LabError('queryFailed', `Parameter${unused.length > 1 ? 's' : ''} ${unused.map((n) => `:${n}`).join(', ')} given but not used by the query.`);
  }
  return { sql: out, values, names };
}

/** Index just past the closing quote; a doubled quote inside is an escaped quote. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}
