/** Summaries the benchmarks print: min / median / max of repeated measurements, ratios, a least-squares line. */

export interface Spread {
  min: number;
  median: number;
  max: number;
  n: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function spread(values: number[]): Spread {
  if (!values.length) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 };
  return { min: Math.min(...values), median: median(values), max: Math.max(...values), n: values.length };
}

/** Milliseconds as people read them: 2 decimals under 10, 1 under 100, whole numbers with separators above. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US');
}

/** "median (min–max)" of a spread, through a formatter. */
export function fmtSpread(s: Spread, fmt: (v: number) => string = fmtMs): string {
  if (!s.n) return '–';
  return s.n === 1 ? `${fmt(s.median)} (n=1)` : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

export function fmtRate(rowsPerSecond: number): string {
  if (!Number.isFinite(rowsPerSecond)) return '–';
  if (rowsPerSecond >= 1e6) return `${(rowsPerSecond / 1e6).toFixed(2)} M/s`;
  return rowsPerSecond >= 1e4 ? `${Math.round(rowsPerSecond / 1e3).toLocaleString('en-US')} k/s` : `${Math.round(rowsPerSecond).toLocaleString('en-US')}/s`;
}
export const fmtMb = (bytes: number) => (Number.isFinite(bytes) ? `${Math.round(bytes / 1e6).toLocaleString('en-US')} MB` : '–');
export const fmtRatio = (r: number) => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}x` : '–');

export interface LineFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination of the fit. */
  r2: number;
}

/** Ordinary least squares y = slope * x + intercept. */
export function fitLine(xs: number[], ys: number[]): LineFit {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxx ? sxy / sxx : 0;
  const intercept = my - slope * mx;
  return { slope, intercept, r2: syy ? (sxy * sxy) / (sxx * syy) : 1 };
}

/** A markdown table. */
export function mdTable(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
