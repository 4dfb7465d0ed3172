/**
 * The dashboard's test and bench hooks: what the page reported it rendered, a one-shot query failure, and the
 * timing marks of an open (host and page). They exist only when the runners ask for them with
 * LIFECYCLE_LAB_TEST_HOOKS=1; without it the panel holds none of this and the page reports nothing back.
 * No vscode import: the gate and the bookkeeping are unit-tested.
 */
import type { DatasetId } from '../core/dashboard/model';
import type { RenderedReport, TimingMark } from './protocol';

export const TEST_HOOKS_ENV = 'LIFECYCLE_LAB_TEST_HOOKS';

/** True only when the test or bench runner set the switch. */
export function testHooksEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[TEST_HOOKS_ENV] === '1';
}

/** A rendered report with the order the host received it in, so a caller can wait for a newer one. */
export interface ReceivedReport extends RenderedReport {
  seq: number;
}

/** Where the time of one open went: marks in epoch milliseconds, the host's and the page's, in the order taken. */
export interface DashboardTimings {
  host: TimingMark[];
  page: TimingMark[];
}

export interface DashboardRenderedState {
  open: boolean;
  visible: boolean;
  reports: Partial<Record<DatasetId, ReceivedReport>>;
  /** The last report number received; reports with a higher seq are newer than this call. */
  lastSeq: number;
  /** The marks of the panel's page load, from the command's panel creation to the last paint reported. */
  timings: DashboardTimings;
}

/** Epoch milliseconds with sub-millisecond precision, comparable with the page's (performance.timeOrigin + now()). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export class DashboardTestHooks {
  private readonly reports = new Map<DatasetId, ReceivedReport>();
  private readonly failNext = new Set<DatasetId>();
  private readonly hostMarks: TimingMark[] = [];
  private pageMarks: TimingMark[] = [];
  private seq = 0;

  mark(name: string, at = epochNow()): void {
    this.hostMarks.push({ name, at });
  }

  /** The page sends all its marks so far each time; the latest list replaces the previous. */
  pageTimings(marks: TimingMark[]): void {
    this.pageMarks = marks;
  }

  rendered(report: RenderedReport): ReceivedReport {
    const received = { ...report, seq: ++this.seq };
    this.reports.set(received.dataset, received);
    this.mark(`rendered:${report.dataset}`);
    return received;
  }

  /** The next query of this dataset fails with a visible error instead of running. */
  injectFailure(dataset: DatasetId): void {
    this.failNext.add(dataset);
  }

  /** True once for an injected failure of this dataset. */
  takeFailure(dataset: DatasetId): boolean {
    return this.failNext.delete(dataset);
  }

  state(open: boolean, visible: boolean): DashboardRenderedState {
    return {
      open,
      visible,
      reports: Object.fromEntries([...this.reports].map(([k, v]) => [k, structuredClone(v)])),
      lastSeq: this.seq,
      timings: { host: [...this.hostMarks], page: [...this.pageMarks] },
    };
  }
}

/** The hooks for a new panel: none unless the runner switched them on. */
export function createDashboardTestHooks(env: NodeJS.ProcessEnv = process.env): DashboardTestHooks | undefined {
  return testHooksEnabled(env) ? new DashboardTestHooks() : undefined;
}
