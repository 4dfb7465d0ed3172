/**
 * Whether the lake's files are the ones its last run wrote, in either mode: the local engine compares files on disk
 * (lake/verify.ts), the AWS one objects in S3 (aws/), both against the manifest.
 */
export type LakeProblemKind = 'missing' | 'size' | 'checksum' | 'unreadable' | 'unexpected';

export interface LakeProblem {
  table: string;
  /** File name relative to the table folder, e.g. part-0.parquet ('*' when only the table's total is known). */
  file: string;
  /** Where the file is: an absolute path, or an s3:// URL (of the table folder when file is '*'). */
  path: string;
  kind: LakeProblemKind;
  /** One sentence naming the table, the file and what is wrong. */
  message: string;
}

export interface LakeTableCheck {
  table: string;
  files: number;
  bytes: number;
  ok: boolean;
  problems: LakeProblem[];
}

export interface LakeCheck {
  /** The lake checked: a folder or an s3:// URL. */
  lakeDir: string;
  level: 'quick' | 'open' | 'full';
  /** Whether there was a manifest to compare against (a lake without one can not be checked). */
  manifest: boolean;
  /** Whether checksums were compared (full check, or open check within its budget, over a manifest that records them). */
  checksums: boolean;
  tables: LakeTableCheck[];
  problems: LakeProblem[];
  ok: boolean;
}
