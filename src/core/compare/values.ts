import type { QueryValue } from '../query/engine';

/**
 * Values of two lakes compared canonically, whichever engine read them: DuckDB and Athena (Trino) name types alike
 * (DECIMAL(p,s), INTEGER, DATE, VARCHAR), but a decimal may come with another scale, a timestamp with or without its
 * zero fraction, a number as a JS number or as text. Each value becomes one string (or null) that is equal on both
 * sides exactly when the values are.
 */

/** How a column is compared and ordered. */
export type ValueKind = 'decimal' | 'float' | 'date' | 'timestamp' | 'boolean' | 'text';

export interface CompareColumn {
  /** The name shown (the left lake's spelling; Glue lower-cases names, so sides are matched case-insensitively). */
  name: string;
  kind: ValueKind;
  /** Digits after the point a decimal is shown with: the larger of the two sides' scales (0 for integers). */
  scale: number;
}

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|INT[1248]|LONG|SHORT)$/;

/** The kind and scale of an engine's type name (DuckDB's, or the Athena engine's, which uses the same names). */
export function valueKind(type: string): { kind: ValueKind; scale: number } {
  const t = type.trim().toUpperCase();
  const decimal = /^(?:DECIMAL|NUMERIC)\s*\(\s*\d+\s*,\s*(\d+)\s*\)$/.exec(t);
  if (decimal) return { kind: 'decimal', scale: Number(decimal[1]) };
  if (t === 'DECIMAL' || t === 'NUMERIC' || INTEGER_TYPES.test(t)) return { kind: 'decimal', scale: 0 };
  if (/^(DOUBLE|FLOAT|REAL|FLOAT[48])$/.test(t)) return { kind: 'float', scale: 0 };
  if (t === 'DATE') return { kind: 'date', scale: 0 };
  if (t.startsWith('TIMESTAMP')) return { kind: 'timestamp', scale: 0 };
  if (t === 'BOOLEAN' || t === 'BOOL') return { kind: 'boolean', scale: 0 };
  return { kind: 'text', scale: 0 };
}

/**
 * A decimal's text at exactly `scale` digits after the point ("12.3" and "12.300" at scale 2 are "12.30"); digits
 * past the scale that are not zero are kept, so no difference is rounded away. Undefined when it is not a decimal.
 */
export function canonicalDecimal(text: string, scale: number): string | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (!match[2] && !match[3])) return undefined;
  const whole = match[2].replace(/^0+(?=\d)/, '') || '0';
  let fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length < scale) fraction = fraction.padEnd(scale, '0');
  const zero = /^0*$/.test(whole + fraction);
  const sign = match[1] === '-' && !zero ? '-' : '';
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** One value as the string both sides agree on, or null. */
export function canonicalValue(value: QueryValue, column: Pick<CompareColumn, 'kind' | 'scale'>): string | null {
  if (value === null) return null;
  switch (column.kind) {
    case 'decimal': {
      // A JS number here came from an engine that did not cast to text: its shortest form is still exact for the
      // integers and cents such a column holds, and canonicalDecimal pads it to the scale.
      const text = typeof value === 'number' ? numberText(value) : String(value);
      return canonicalDecimal(text, column.scale) ?? text;
    }
    case 'float': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isNaN(n) && typeof value === 'string' ? value : String(n);
    }
    case 'date':
      return String(value).slice(0, 10);
    case 'timestamp':
      // "2003-01-06T00:00:00.000" and "2003-01-06 00:00:00" are the same instant as written by the two engines.
      return String(value).replace('T', ' ').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    case 'boolean':
      return String(value).toLowerCase();
    default:
      return String(value);
  }
}

function numberText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
  const text = String(n);
  if (!/e/i.test(text)) return text;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** Compares two canonical decimals by value (both from canonicalDecimal). */
export function compareDecimals(a: string, b: string): number {
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareMagnitudes(negA ? a.slice(1) : a, negB ? b.slice(1) : b);
  return negA ? -magnitude : magnitude;
}

function compareMagnitudes(a: string, b: string): number {
  const [wa, fa = ''] = a.split('.');
  const [wb, fb = ''] = b.split('.');
  if (wa.length !== wb.length) return wa.length < wb.length ? -1 : 1;
  if (wa !== wb) return wa < wb ? -1 : 1;
  const width = Math.max(fa.length, fb.length);
  const pa = fa.padEnd(width, '0');
  const pb = fb.padEnd(width, '0');
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}

/**
 * Text in the order both engines sort VARCHAR: by Unicode code point (the bytes of UTF-8), which is not JS's UTF-16
 * order once a character lies outside the Basic Multilingual Plane.
 */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    if (x.value !== y.value) return x.value.codePointAt(0)! - y.value.codePointAt(0)!;
  }
}

/** Two canonical values of one column in the engines' ORDER BY … ASC NULLS LAST order. */
export function compareValues(a: string | null, b: string | null, kind: ValueKind): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (kind === 'decimal') {
    const da = canonicalDecimal(a, 0);
    const db = canonicalDecimal(b, 0);
    if (da !== undefined && db !== undefined) return compareDecimals(da, db);
  }
  if (kind === 'float') return Number(a) - Number(b);
  return compareCodePoints(a, b);
}

/**
 * The SQL that renders a column as its canonical text in DuckDB and in Trino alike (a decimal cast to the compared
 * scale, dates as ISO, booleans as true/false), or undefined for the kinds whose text the engines write differently
 * (floats, timestamps): those are read as values and made canonical here (canonicalValue).
 */
export function canonicalSql(identifier: string, column: Pick<CompareColumn, 'kind' | 'scale'>): string | undefined {
  switch (column.kind) {
    case 'decimal':
      return column.scale > 0 ? `CAST(CAST(${identifier} AS DECIMAL(38,${column.scale})) AS VARCHAR)` : `CAST(${identifier} AS VARCHAR)`;
    case 'date':
    case 'boolean':
      return `CAST(${identifier} AS VARCHAR)`;
    case 'text':
      return identifier;
    default:
      return undefined;
  }
}

/**
 * One SQL text holding several canonical values, each as `<length>:<text>` (length in characters) or `-` for NULL,
 * so it reads back unambiguously whatever the values hold. The engine builds it, so a row crosses into JS as one
 * string instead of one value per column.
 */
export function packedSql(expressions: readonly string[]): string {
  if (!expressions.length) return `''`;
  return expressions.map((e) => `COALESCE(CAST(length(${e}) AS VARCHAR) || ':' || ${e}, '-')`).join(' || ');
}

/** The values packedSql wrote, in order (lengths count Unicode code points, as both engines' length() does). */
export function unpackValues(text: string, count: number): (string | null)[] {
  const values: (string | null)[] = [];
  const chars = Array.from(text);
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (chars[at] === '-') {
      values.push(null);
      at++;
      continue;
    }
    let digits = '';
    while (at < chars.length && chars[at] !== ':') digits += chars[at++];
    const length = Number(digits);
    values.push(chars.slice(at + 1, at + 1 + length).join(''));
    at += 1 + length;
  }
  return values;
}
