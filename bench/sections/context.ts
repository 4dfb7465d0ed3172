/** What every section of `npm run bench` is given: the lab, the run's settings, and where it records its checks. */
import type { MysqlTarget } from '../../src/core/config';
import type { Pool } from '../lib/dashboard';

export type BenchMode = 'full' | 'quick' | 'smoke';

/** An answer compared before a ratio is reported (a failed one fails the run). */
export interface Check { section: string; what: string; ok: boolean; detail: string }

export interface BenchContext {
  repoRoot: string;
  target: MysqlTarget;
  /** A pool on the lab's database for the sections' own statements (versions, stream plans, the generator's scratch database). */
  admin: Pool;
  mode: BenchMode;
  /** quick or smoke: fewer scales, one editor host. */
  quick: boolean;
  smoke: boolean;
  reps: number;
  /** Scratch folder for the lakes the pipeline runs write. */
  work: string;
  checks: Check[];
  /** Versions of what ran, shown in the results' first table. */
  versions: Record<string, string>;
  log(line: string): void;
}
