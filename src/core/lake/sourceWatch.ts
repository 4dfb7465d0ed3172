import type { Connection } from 'mysql2';
import type { Clock, TimerHandle } from '../clock';
import type { MysqlTarget } from '../config';
import { LabError } from '../errors';
import { sourceNextStep } from './source';

/** How often the watch pings the source while it extracts. */
export const PING_EVERY_MS = 2_000;

export interface SourceWatchOptions {
  clock: Clock;
  target: MysqlTarget;
  database: string;
  /** No rows and no answered ping for this long fails the run. */
  stallMs: number;
  /** Called once, with the reason the run must stop. */
  onFail: (err: LabError) => void;
  pingEveryMs?: number;
}

/**
 * Notices a source that died or stopped answering while a run reads it, so the run fails within seconds instead
 * of waiting forever. Three signals: the connection's own 'error' event (a killed server resets the socket even
 * while the connection is idle, for instance while the client route streams a table), a ping on the snapshot
 * connection every few seconds, and a stall timer that any sign of life (rows arriving, a ping answered) resets.
 * A ping sent while that connection streams rows waits behind them, so only real progress keeps the run alive.
 */
export class SourceWatch {
  private lastSign: number;
  private timer?: TimerHandle;
  private pinging = false;
  private failed = false;
  private readonly onError = (err: unknown) => this.fail(lostConnection(this.options.target, this.options.database, err));

  constructor(private readonly conn: Connection, private readonly options: SourceWatchOptions) {
    this.lastSign = options.clock.now();
    conn.on('error', this.onError);
  }

  start(): void {
    this.lastSign = this.options.clock.now();
    this.timer ??= this.options.clock.setInterval(() => this.tick(), this.options.pingEveryMs ?? PING_EVERY_MS);
  }

  /** Rows arrived (or another sign that the source is alive). Cheap: call it as often as convenient. */
  alive(): void {
    this.lastSign = this.options.clock.now();
  }

  /** Stops pinging and watching; the connection's error handler stays so a late reset cannot crash the process. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private tick(): void {
    if (this.failed) return;
    const silentMs = this.options.clock.now() - this.lastSign;
    if (silentMs >= this.options.stallMs) {
      const { target, database } = this.options;
      this.fail(new LabError('timeout',
        `The source ${database} on ${target.host}:${target.port} sent nothing for ${Math.round(silentMs / 1000)} s; the run was stopped.`,
        { nextStep: sourceNextStep(target) }));
      return;
    }
    if (this.pinging) return;
    this.pinging = true;
    this.conn.ping((err) => {
      this.pinging = false;
      if (err) this.onError(err);
      else this.alive();
    });
  }

  private fail(err: LabError): void {
    if (this.failed) return;
    this.failed = true;
    this.stop();
    this.options.onFail(err);
  }
}

/** The source went away mid-run: what the user reads. */
export function lostConnection(target: MysqlTarget, database: string, err: unknown): LabError {
  const code = (err as { code?: string })?.code;
  return new LabError('unreachable',
    `Lost the connection to the source ${database} on ${target.host}:${target.port}${code ? ` (${code})` : ''}; the previous lake was kept.`,
    { nextStep: sourceNextStep(target), cause: err });
}
