/** A value as mysql2 returns it, as the text the Source view, the grid and the CLI show. */

const BINARY_PREVIEW_BYTES = 32;

/**
 * A cell as text: null stays null (shown as NULL), binary becomes a short hex string, a date its ISO form, JSON its
 * text; numbers (the pool asks for big ones and decimals as strings) and booleans as JavaScript prints them.
 */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) {
    const hex = value.subarray(0, BINARY_PREVIEW_BYTES).toString('hex');
    return value.length > BINARY_PREVIEW_BYTES ? `0x${hex}… (${value.length} bytes)` : `0x${hex}`;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  // No driver gives a symbol or a function: name its kind rather than print it.
  return `(${typeof value})`;
}
