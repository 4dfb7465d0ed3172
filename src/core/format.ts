/** Human forms of quantities, one per kind, shared by every view, terminal and the CLI. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A byte count in IEC units (powers of 1024, so KiB, not KB): 245760 -> "240 KiB", 1536 -> "1.5 KiB", 0 -> "0 B".
 * Three significant digits at most: one decimal below 10 of a unit, none from 10 on.
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.95 KiB would round to "1024 KiB": move up a unit instead.
  if (unit < BYTE_UNITS.length - 1 && Math.round(value) >= 1024) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? String(Math.round(value)) : value.toFixed(1);
  return `${shown} ${BYTE_UNITS[unit]}`;
}

/**
 * A duration: "340 ms" below a second, "2.1 s" up to two minutes (`secondsDecimals` digits), then "2 min 3 s".
 * Glue's whole-second timings pass 0.
 */
export function formatDuration(ms: number, secondsDecimals = 1): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(secondsDecimals)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
