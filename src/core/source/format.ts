/** Short human forms shared by the Source view and the CLI. */

// The one byte formatter (IEC units) lives in core/format.ts; the Source view and the CLI import it from here too.
export { formatBytes } from '../format';

/** 2996 -> "~2,996 rows" (information_schema's figure is an estimate, hence the tilde). */
export function formatApproxRows(rows: number): string {
  return `~${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`;
}
