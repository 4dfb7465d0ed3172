import type { QueryColumn, QueryValue } from '../query/engine';

/**
 * RFC 4180 CSV (CRLF, quotes doubled). Text that a spreadsheet would run as a formula (=, +, -, @ at the start)
 * gets a leading apostrophe, so an exported product name cannot execute anything when opened.
 */
export function toCsv(columns: QueryColumn[], rows: QueryValue[][]): string {
  const lines = [columns.map((c) => csvField(c.name)), ...rows.map((r) => r.map(csvField))];
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}

function csvField(value: QueryValue): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
