import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Clock } from '../clock';
import type { CheckProbes } from '../check/checks';
import { backendProbes } from '../check/probes';
import type { LabConfig } from '../config';
import { recordDashboard } from '../dashboard/service';
import { LabError, type NextStep } from '../errors';
import type { Logger } from '../log';
import { goldDir, manifestPath, readLakeManifest } from '../lake/manifest';
import type { LakeManifest } from '../run/manifest';
import { runPipeline } from '../lake/pipeline';
import type { PipelineResult } from '../run/result';
import { lastRunRecord, runLogPath } from '../lake/runLog';
import type { RunRecord } from '../run/runRecord';
import { checkLake, localLakeIntegrity, OPEN_HASH_MAX_BYTES, recoverLakeOnOpen, verifyLake } from '../lake/verify';
import type { LakeCheck } from '../run/lakeCheck';
import type { LongWork } from '../progress';
import { DuckDbLakeEngine } from '../query/duckdb';
import { listLakeTables } from '../query/lakeTables';
import type { QueryResult } from '../query/engine';
import { lakeCellValue } from '../query/lakeCell';
import { lakeTableName, sqlIdent } from '../query/sqlText';
import { SourceConnection } from './source';
import type { LabBackend, LakeCatalog, LakeOverview, PipelineRunner, PipelineRunOptions, SourceBackend } from './types';

export interface BackendDeps {
  /** The password of a configured (non-lab) MySQL source: SecretStorage in the editor, an env var in the CLI. */
  readPassword: () => Promise<string | undefined>;
  /** glue/sql: the star-schema model. */
  modelDir: string;
  log: Logger;
  clock?: Clock;
  /** What the local query engine may do: 'lake' (read the lake only, the default) or 'full' (the CLI's --full session). */
  queryAccess?: 'lake' | 'full';
}

const START_LAB: NextStep = { label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' };

/** Local mode: the project-local MariaDB (or a configured MySQL), the DuckDB engine and a Parquet lake on disk. */
export class LocalBackend implements LabBackend {
  readonly label = 'local';
  readonly source: SourceBackend;
  readonly pipeline: PipelineRunner;
  readonly lake: LakeCatalog;
  readonly query: DuckDbLakeEngine;
  private readonly connection: SourceConnection;

  constructor(private readonly config: LabConfig, deps: BackendDeps) {
    const connection = new SourceConnection(config, deps.readPassword, deps.log, { localLab: true });
    this.connection = connection;
    this.query = new DuckDbLakeEngine(config.local.lakeDir, { access: deps.queryAccess, integrity: localLakeIntegrity(config.local.lakeDir) });
    this.source = connection.asSource(() =>
      new LabError('labNotRunning', 'No source: the local lab is not running and no MySQL host is set.', { nextStep: START_LAB }));
    this.pipeline = new LocalPipelineRunner(config, this.source, deps);
    this.lake = new LocalLakeCatalog(config.local.lakeDir, this.query);
  }

  checks(): CheckProbes {
    return backendProbes(this, { labDir: this.config.local.labDir });
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([this.connection.close(), this.query.close()]);
  }
}

class LocalPipelineRunner implements PipelineRunner {
  readonly runLogFile: string;

  constructor(private readonly config: LabConfig, private readonly source: SourceBackend, private readonly deps: BackendDeps) {
    this.runLogFile = runLogPath(config.local.lakeDir);
  }

  async describe(): Promise<string> {
    const target = await this.source.target().catch(() => undefined);
    return `${target?.database ?? this.config.mysql.database} → lake`;
  }

  async run(options: PipelineRunOptions): Promise<PipelineResult> {
    const target = await this.source.target();
    if (!target) {
      throw new LabError('labNotRunning', 'The local lab database is not running, so there is no source to extract.', { nextStep: START_LAB });
    }
    return runPipeline({
      ...options,
      target,
      lakeDir: this.config.local.lakeDir,
      modelDir: this.deps.modelDir,
      log: this.deps.log,
      clock: this.deps.clock,
      stallTimeoutMs: this.config.pipeline.stallTimeoutMs,
      // The run publishes the dashboard's answers beside its tables, so a dashboard opened on them shows them at once.
      recordAnswers: recordDashboard,
    });
  }

  lastRun(): Promise<RunRecord | undefined> {
    return lastRunRecord(this.config.local.lakeDir);
  }
}

/** The local lake: tables from `gold/` and the manifest, schema and pages through the shared DuckDB engine. */
export class LocalLakeCatalog implements LakeCatalog {
  readonly location: string;
  readonly folder: string;

  constructor(private readonly lakeDir: string, private readonly engine: DuckDbLakeEngine) {
    this.location = lakeDir;
    this.folder = lakeDir;
  }

  async manifest(): Promise<LakeManifest | undefined> {
    // A crash between the two renames of a run's swap: restore gold/ now rather than report an empty lake.
    await recoverLakeOnOpen(this.lakeDir).catch(() => false);
    return readLakeManifest(this.lakeDir);
  }

  async overview(): Promise<LakeOverview> {
    const manifest = await this.manifest();
    const tables = await listLakeTables(this.lakeDir);
    // The check the query engine runs when it opens a lake version (hashes are remembered per unchanged file).
    const check = await checkLake(this.lakeDir, { manifest: manifest ?? null, onOpen: { hashMaxBytes: OPEN_HASH_MAX_BYTES } });
    // Tables the manifest lists but whose files are all gone are listed too, as damaged.
    const names = [...new Set([...tables.map((t) => t.name), ...check.problems.map((p) => p.table)])].sort();
    return {
      manifest,
      problems: check.problems,
      tables: names.map((name) => {
        const own = check.problems.filter((p) => p.table === name);
        return {
          name,
          location: path.join(goldDir(this.lakeDir), name),
          rows: manifest?.tables[name]?.rows,
          files: tables.find((t) => t.name === name)?.files.length ?? 0,
          bytes: manifest?.tables[name]?.bytes,
          ...(own.length ? { problems: own } : {}),
        };
      }),
    };
  }

  /**
   * The manifest's run and its file's identity (a new run swaps in a new manifest: a new inode and time), and every
   * Parquet file's size, times and inode: a file rewritten in place is another lake for answers cached under this token.
   */
  async version(): Promise<string> {
    let run = 'none';
    for (const file of [manifestPath(this.lakeDir), goldDir(this.lakeDir)]) {
      const stat = await fs.stat(file).catch(() => undefined);
      if (stat) {
        run = `${file}@${stat.ino}:${stat.mtimeMs}:${stat.size}`;
        break;
      }
    }
    const files = (await listLakeTables(this.lakeDir)).flatMap((t) => t.files);
    const stamps = await Promise.all(files.map(async (f) => {
      const st = await fs.stat(f).catch(() => undefined);
      return st ? `${f}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}` : `${f}:-`;
    }));
    return `${run}#${createHash('sha256').update(stamps.join('\n')).digest('hex').slice(0, 16)}`;
  }

  async schema(table: string, signal?: AbortSignal): Promise<QueryResult> {
    return this.engine.query(`select column_name, column_type, "null" from (describe ${sqlIdent(lakeTableName(table))})`, undefined, signal);
  }

  async preview(table: string, offset: number, limit: number, signal?: AbortSignal): Promise<QueryResult> {
    const page = `limit ${Math.max(0, Math.floor(limit))} offset ${Math.max(0, Math.floor(offset))}`;
    return this.engine.query(`select cast(columns(*) as varchar) from ${sqlIdent(lakeTableName(table))} ${page}`, undefined, signal);
  }

  async rowCount(table: string, signal?: AbortSignal): Promise<number> {
    const result = await this.engine.query(`select count(*) from ${sqlIdent(lakeTableName(table))}`, undefined, signal);
    return Number(result.rows[0][0]);
  }

  cellValue(table: string, column: string, rowIndex: number): Promise<string | null> {
    return lakeCellValue(this.engine, table, column, rowIndex);
  }

  verify(work: LongWork = {}): Promise<LakeCheck & { recovered: boolean }> {
    return verifyLake(this.lakeDir, work);
  }
}
