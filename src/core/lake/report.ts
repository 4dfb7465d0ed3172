import type { QueryValue } from '../query/engine';

/** Tab-free aligned text table; numbers right-aligned. */
export function formatTable(names: string[], rows: QueryValue[][]): string {
  const cells = rows.map((row) => row.map((v) => (v === null ? 'NULL' : String(v))));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => r[i].length)));
  const numeric = names.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(names), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
