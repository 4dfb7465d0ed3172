/** Short human forms shared by the Source view and the CLI. */

/** 245760 -> "240 KB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** 2996 -> "~2,996 rows" (information_schema's figure is an estimate, hence the tilde). */
export function formatApproxRows(rows: number): string {
  return `~${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`;
}
