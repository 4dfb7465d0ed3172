import type { CheckProbes } from '../check/checks';
import type { MysqlTarget } from '../config';
import type { LabError } from '../errors';
import type { LakeManifest } from '../run/manifest';
import type { PipelineEvent, RunOutcome } from '../run/events';
import type { PipelineResult } from '../run/result';
import type { RunRecord } from '../run/runRecord';
import type { LakeShrink } from '../run/shrink';
import type { LakeCheck, LakeProblem } from '../run/lakeCheck';
import type { LongWork } from '../progress';
import type { QueryEngine, QueryResult } from '../query/engine';
import type { SourceExplorer } from '../source/explorer';

/**
 * The parts of the lab for one mode, built once from the settings (createBackend). The editor, the CLI and tests
 * take what they need from here and never ask which mode they are in: a new engine (Glue, Athena) is a new
 * implementation of these interfaces, nothing else.
 */
export interface LabBackend {
  /** How the backend reads in the UI: "local" or "AWS". */
  readonly label: string;
  readonly source: SourceBackend;
  readonly pipeline: PipelineRunner;
  readonly lake: LakeCatalog;
  /** The one query engine over the lake: the Lake view, previews, schema documents and the dashboard share it. */
  readonly query: QueryEngine;
  /** Check Lab's probes over this backend's parts (the AWS one adds its Terraform outputs, Glue job and workgroup). */
  checks(): CheckProbes;
  /** Closes what the backend opened (pools, engines). Work still running on it is cancelled. */
  dispose(): Promise<void>;
}

export interface SourceBackend {
  /** Where the source lives now, or undefined when there is none yet (lab not running, no host set). */
  target(): Promise<MysqlTarget | undefined>;
  /** Where the source lives now, resolved afresh (target() keeps what it found until reset). */
  lookup(): Promise<MysqlTarget | undefined>;
  /** The explorer for the current target (one pool per target); undefined when there is no source. */
  explorer(): Promise<SourceExplorer | undefined>;
  /** What the user should do when target() gives nothing. */
  missing(): LabError;
  /** Forget the target and close the pool; the next call reconnects. */
  reset(): void;
}

export interface PipelineRunOptions extends LongWork {
  onEvent?: (event: PipelineEvent) => void;
  /** Recorded with the run, e.g. "editor" or "cli". */
  origin?: string;
  /** Asked before a run replaces the lake with one keeping less than half of its fact rows (local engine; see PipelineOptions). */
  confirmShrink?: (shrink: LakeShrink) => Promise<boolean>;
  /**
   * Whether the run records the dashboard's answers in its manifest: 'auto' (default) on facts of at least
   * RECORD_MIN_FACT_ROWS rows. The local engine asks them itself; the Glue job gets it as --record_dashboard.
   */
  recordDashboard?: 'auto' | 'always' | 'never';
}

/** Runs the ETL of the mode: the local DuckDB engine, or the Glue job. */
export interface PipelineRunner {
  /** e.g. "classicmodels → /work/x/.lab/lake". */
  describe(): Promise<string>;
  run(options: PipelineRunOptions): Promise<PipelineResult>;
  /** The latest finished run, whoever started it (failed and cancelled ones too). */
  lastRun(): Promise<RunRecord | undefined>;
  /** A local file that changes when any run finishes (for watchers), when the mode has one. */
  readonly runLogFile?: string;
  /**
   * What an engine that keeps its own runs offers (Glue: GetJobRuns, BatchStopJobRun, CloudWatch and console pages);
   * absent in a mode without it, and the editor hides the matching commands.
   */
  /** Runs the engine keeps, newest first: state, start, duration, cost, error. */
  runHistory?(limit?: number): Promise<PipelineRunEntry[]>;
  /** Stops the given runs, or every run still going (started from anywhere); the ids it asked to stop. */
  stopRuns?(runIds?: string[]): Promise<string[]>;
  /** Where to look at one run outside the editor: its log streams and its console page. */
  runLinks?(runId: string): Promise<PipelineRunLink[]>;
}

/** One run in the engine's history, as the Pipeline view lists it. */
export interface PipelineRunEntry {
  id: string;
  /** The engine's own state name, e.g. RUNNING, SUCCEEDED, FAILED. */
  state: string;
  /** How the run ended; absent while it goes. */
  outcome?: RunOutcome;
  /** ISO time. */
  startedAt?: string;
  durationMs?: number;
  /** What the run consumed, in DPU-seconds (Glue). */
  dpuSeconds?: number;
  error?: string;
}

/** A page about one run outside the editor. */
export interface PipelineRunLink {
  kind: 'logs' | 'console';
  /** e.g. "Output log (/aws-glue/jobs/output)". */
  label: string;
  url: string;
}

export interface LakeTableSummary {
  name: string;
  /** Where the table's data lives (a folder or an S3 prefix). */
  location: string;
  rows?: number;
  files: number;
  bytes?: number;
  /** What is wrong with the table's files; absent when intact. */
  problems?: LakeProblem[];
}

export interface LakeOverview {
  /** What the last successful run published and how it reconciled; undefined for a lake without one. */
  manifest?: LakeManifest;
  tables: LakeTableSummary[];
  problems: LakeProblem[];
}

/** The lake's tables as a catalog: what is there, how big, its schema and a preview, and a version token. */
export interface LakeCatalog {
  /** The lake's root, the same in every mode: a folder, or an s3:// URL (or the catalog's name when no lake path is known). */
  readonly location: string;
  /** The lake's folder on this machine, for a lake that is one (the local catalog); absent for a remote lake. */
  readonly folder?: string;
  overview(): Promise<LakeOverview>;
  manifest(): Promise<LakeManifest | undefined>;
  /** Changes whenever the lake's content changes (a run published): cache keys include it. */
  version(): Promise<string>;
  schema(table: string, signal?: AbortSignal): Promise<QueryResult>;
  /** One page of the table, every value as text (NULL stays null). */
  preview(table: string, offset: number, limit: number, signal?: AbortSignal): Promise<QueryResult>;
  rowCount(table: string, signal?: AbortSignal): Promise<number>;
  /** One whole value at the position a preview page showed it (previews cut long values). */
  cellValue(table: string, column: string, rowIndex: number): Promise<string | null>;
  /** Reads every file against what its run recorded (sizes and checksums); notes say what could not be checked. */
  verify(work?: LongWork): Promise<LakeCheck & { recovered: boolean; notes?: string[] }>;
}
