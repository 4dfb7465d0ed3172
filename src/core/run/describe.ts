import { formatBytes, formatDuration } from '../format';
import { stepLabel, type PipelineEvent } from './events';

/** Rows per second, rounded for people ("1.2M rows/s"). */
export function formatRate(rows: number, ms: number): string {
  if (ms <= 0) return '';
  const perSecond = (rows * 1000) / ms;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M rows/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k rows/s`;
  return `${Math.round(perSecond)} rows/s`;
}

export type LineTone = 'plain' | 'step' | 'ok' | 'fail' | 'dim';

/**
 * One human line per pipeline event, whichever kind of engine reported it, the same in the terminal and the CLI (the terminal colours it by tone).
 * Undefined for events that print nothing.
 */
export function describeEvent(event: PipelineEvent): { text: string; tone: LineTone } | undefined {
  switch (event.kind) {
    case 'runStarted':
      return { text: `Pipeline run ${event.runId}: ${event.source} -> ${event.lake}`, tone: 'dim' };
    case 'engineState': {
      const { change } = event;
      const text = `${change.engine} ${change.state} at ${change.at.slice(11, 19)} (${formatDuration(change.elapsedMs)} in)${change.detail ? `: ${change.detail}` : ''}`;
      return { text, tone: change.outcome === undefined ? 'step' : change.outcome === 'ok' ? 'dim' : 'fail' };
    }
    case 'published':
      return { text: `  ${event.table.padEnd(14)} ${String(event.rows).padStart(10)} rows  ${event.files} file${event.files === 1 ? '' : 's'}  ${formatBytes(event.bytes)}`, tone: 'plain' };
    case 'stepStarted':
      return { text: `${stepLabel(event.step)}...`, tone: 'step' };
    case 'table': {
      const rate = event.step === 'extract' ? `  ${formatRate(event.rows, event.durationMs)}` : '';
      const size = event.bytes !== undefined ? `  ${formatBytes(event.bytes)}` : '';
      return { text: `  ${event.table.padEnd(14)} ${String(event.rows).padStart(10)} rows  ${formatDuration(event.durationMs).padStart(8)}${rate}${size}`, tone: 'plain' };
    }
    case 'check':
      return { text: `  ${event.check.ok ? event.check.warning ? 'WARN' : 'PASS' : 'FAIL'} ${event.check.name}${event.fromManifest ? ' (from the run\'s manifest)' : ''}: ${event.check.message}`,
        tone: event.check.ok && !event.check.warning ? 'ok' : 'fail' };
    case 'stepFinished': {
      const status = event.status === 'ok' ? 'done' : event.status;
      return { text: `  ${stepLabel(event.step)} ${status} in ${formatDuration(event.durationMs)}: ${event.summary}`, tone: event.status === 'ok' ? 'dim' : 'fail' };
    }
    case 'runFinished':
      return { text: `${event.ok ? 'SUCCESS' : 'FAILED'}: ${event.message} (${formatDuration(event.durationMs)})`, tone: event.ok ? 'ok' : 'fail' };
  }
}
