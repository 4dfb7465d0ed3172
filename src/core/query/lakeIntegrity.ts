import type { LakeProblem } from '../run/lakeCheck';

/**
 * What the lake engine asks about the lake's files when it opens a lake version. The engine reads Parquet and knows
 * no manifest: the local backend hands it the local engine's open check (lake/verify.ts, localLakeIntegrity).
 */
export interface LakeIntegrity {
  /** Puts back a lake that an interrupted swap left without gold/; resolves to whether it did. */
  recover(): Promise<boolean>;
  /** The tables of the lake version on disk now whose files are not the ones the last run wrote, with what is wrong. */
  damagedTables(): Promise<Map<string, LakeProblem[]>>;
}

/** An engine given no integrity check trusts the files: nothing to recover, nothing damaged until DuckDB says so. */
export const TRUST_THE_FILES: LakeIntegrity = {
  recover: () => Promise.resolve(false),
  damagedTables: () => Promise.resolve(new Map()),
};
