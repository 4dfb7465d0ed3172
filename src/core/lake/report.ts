import { formatBytes } from '../format';
import type { QueryValue } from '../query/engine';
import type { PipelineEvent } from '../run/events';
import { stepLabel } from './pipeline';

/** Rows per second, rounded for people ("1.2M rows/s"). */
export function formatRate(rows: number, ms: number): string {
  if (ms <= 0) return '';
  const perSecond = (rows * 1000) / ms;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M rows/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k rows/s`;
  return `${Math.round(perSecond)} rows/s`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export type LineTone = 'plain' | 'step' | 'ok' | 'fail' | 'dim';

/**
 * One human line per pipeline event, the same in the terminal and the CLI (the terminal colours it by tone).
 * Undefined for events that print nothing.
 */
export function describeEvent(event: PipelineEvent): { text: string; tone: LineTone } | undefined {
  switch (event.kind) {
    case 'runStarted':
      return { text: `Pipeline run ${event.runId}: ${event.source} -> ${event.lakeDir}`, tone: 'dim' };
    case 'stepStarted':
      return { text: `${stepLabel(event.step)}...`, tone: 'step' };
    case 'table': {
      const rate = event.step === 'extract' ? `  ${formatRate(event.rows, event.durationMs)}` : '';
      const size = event.bytes !== undefined ? `  ${formatBytes(event.bytes)}` : '';
      return { text: `  ${event.table.padEnd(14)} ${String(event.rows).padStart(10)} rows  ${formatDuration(event.durationMs).padStart(8)}${rate}${size}`, tone: 'plain' };
    }
    case 'check':
      return { text: `  ${event.check.ok ? event.check.warning ? 'WARN' : 'PASS' : 'FAIL'} ${event.check.name}: ${event.check.message}`,
        tone: event.check.ok && !event.check.warning ? 'ok' : 'fail' };
    case 'stepFinished': {
      const status = event.status === 'ok' ? 'done' : event.status;
      return { text: `  ${stepLabel(event.step)} ${status} in ${formatDuration(event.durationMs)}: ${event.summary}`, tone: event.status === 'ok' ? 'dim' : 'fail' };
    }
    case 'runFinished':
      return { text: `${event.ok ? 'SUCCESS' : 'FAILED'}: ${event.message} (${formatDuration(event.durationMs)})`, tone: event.ok ? 'ok' : 'fail' };
  }
}

/** Tab-free aligned text table; numbers right-aligned. */
export function formatTable(names: string[], rows: QueryValue[][]): string {
  const cells = rows.map((row) => row.map((v) => (v === null ? 'NULL' : String(v))));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => r[i].length)));
  const numeric = names.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(names), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
