import { localLakeIntegrity } from '../src/core/lake/verify';
import { DuckDbLakeEngine, type DuckDbLakeEngineOptions } from '../src/core/query/duckdb';
import type { LakeProblem } from '../src/core/run/lakeCheck';

/**
 * The lake engine as the local backend builds it (the local lake's open check injected), plus what tests read of
 * its state: the tables it found damaged. `hashMaxBytes` is the open check's checksum budget.
 */
export class CheckedLakeEngine extends DuckDbLakeEngine {
  constructor(lakeDir: string, options: DuckDbLakeEngineOptions & { hashMaxBytes?: number } = {}) {
    super(lakeDir, { integrity: localLakeIntegrity(lakeDir, options.hashMaxBytes), ...options });
  }

  /** Tables of the lake version last opened whose files are damaged (no view), with what is wrong. */
  damagedTables(): Map<string, LakeProblem[]> {
    return new Map(this.damaged);
  }
}
