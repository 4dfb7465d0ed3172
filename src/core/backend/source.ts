import type { LabConfig, MysqlTarget } from '../config';
import type { LabError } from '../errors';
import type { Logger } from '../log';
import type { SourceExplorer } from '../source/explorer';
import { resolveSourceTarget, targetIdentity } from '../source/target';
import type { SourceBackend } from './types';

/**
 * The source of a backend: resolves the target once (until reset) and keeps one explorer (one pool) per target,
 * so the Source view, its commands and the pipeline talk to the same connection settings.
 */
export class SourceConnection {
  private current?: { identity: string; explorer: SourceExplorer };
  private targetPromise?: Promise<MysqlTarget | undefined>;
  private closed = false;

  constructor(
    private readonly config: LabConfig,
    private readonly readPassword: () => Promise<string | undefined>,
    private readonly log: Logger,
    /** Whether, with no host set, the source is the running local lab (the local backend's). */
    private readonly options: { localLab: boolean },
  ) {}

  target(): Promise<MysqlTarget | undefined> {
    this.targetPromise ??= this.lookup();
    this.targetPromise.catch(() => { this.targetPromise = undefined; });
    return this.targetPromise;
  }

  async explorer(): Promise<SourceExplorer | undefined> {
    const target = await this.target();
    if (!target || this.closed) return undefined;
    const identity = targetIdentity(target);
    if (this.current?.identity !== identity) {
      void this.current?.explorer.close();
      const { SourceExplorer } = await import('../source/explorer');
      this.current = { identity, explorer: new SourceExplorer(target, { showSystemSchemas: this.config.showSystemSchemas, log: this.log }) };
    }
    return this.current.explorer;
  }

  /** Where the source is now, resolved afresh (not the target the explorer keeps until reset). */
  lookup(): Promise<MysqlTarget | undefined> {
    return resolveSourceTarget(this.config, this.readPassword, this.options);
  }

  reset(): void {
    this.targetPromise = undefined;
    void this.current?.explorer.close();
    this.current = undefined;
  }

  /** This connection as a backend's source, with the mode's word on what to do when there is none. */
  asSource(missing: () => LabError): SourceBackend {
    return {
      target: () => this.target(),
      lookup: () => this.lookup(),
      explorer: () => this.explorer(),
      reset: () => this.reset(),
      missing,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.targetPromise = undefined;
    const explorer = this.current?.explorer;
    this.current = undefined;
    await explorer?.close();
  }
}
