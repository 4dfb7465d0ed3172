import * as path from 'node:path';
import type { DuckDBInstance, DuckDBConnection } from '@duckdb/node-api';
import { systemClock, type Clock } from '../clock';
import { CancelledError, LabError, type NextStep } from '../errors';
import type { LakeProblem } from '../run/lakeCheck';
import { duckDbStatement, extractStatements, runPrepared, streamPrepared, type ReadPrepared } from './duckdbStatements';
import type { QueryEngine, QueryParams, QueryResult, QueryStreamOptions, QueryStreamSummary } from './engine';
import { IdleGate } from './idleGate';
import { LakeCopy } from './lakeCopy';
import { lakeDamagedError, parquetDamage } from './lakeDamage';
import { TRUST_THE_FILES, type LakeIntegrity } from './lakeIntegrity';
import { isReadingStatement, nonReadingKeyword, notReadingError, outsideLakeError, restrictToLake } from './lakeSandbox';
import { listLakeTables, parquetSource, readLakeVersion, type LakeTable, type LakeVersion } from './lakeTables';
import { isBlankSql, noStatementError, sqlIdent } from './sqlText';

type DuckDbModule = typeof import('@duckdb/node-api');

/**
 * Lakes up to this much Parquet are copied into DuckDB's memory once per lake version: each query then scans memory
 * instead of decoding Parquet again, so full scans are faster. The copy costs RSS several times the Parquet
 * size, and time when a lake version is first opened (figures in bench/results-notes.md), so larger lakes are queried
 * through views over the files and memory stays bounded.
 */
export const MATERIALIZE_MAX_BYTES = 100 * 1024 * 1024;

export interface DuckDbLakeEngineOptions {
  /** Parquet bytes up to which the lake is loaded into memory; 0 keeps views over the files. */
  materializeMaxBytes?: number;
  /**
   * 'lake' (default): the engine reads the lake's gold folder and nothing else (lakeSandbox.ts).
   * 'full': a plain DuckDB session that may read and write any file (the CLI's `query --full`).
   */
  access?: 'lake' | 'full';
  /** Time for the idle wait before the in-memory copy starts (tests pass a FakeClock). */
  clock?: Clock;
  /**
   * Asked when a lake version is opened: a damaged table gets no view, and a lake left without gold/ by an interrupted
   * swap is put back. Absent, the engine trusts the files (DuckDB's own read errors still name a damaged file).
   */
  integrity?: LakeIntegrity;
}

/** How long the engine must be idle before it starts copying a new lake version into memory. */
const IDLE_BEFORE_COPY_MS = 50;

const RUN_PIPELINE: NextStep = { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };

/**
 * DuckDB (in memory) over the local Parquet lake: one view per folder under `<lakeDir>/gold/`. The views first read
 * the Parquet files; when the lake is small enough (MATERIALIZE_MAX_BYTES) it is copied into memory in the
 * background (tables under per-version names) and the views are switched to the copy in one transaction once every
 * table is copied, so the first queries on a new lake version do not wait for the copy and no query ever sees a
 * half-built copy. DuckDB is loaded on the first query. The views are registered again when the lake's files change
 * (names, sizes, modification times, inodes: a pipeline run swaps in new files); a copy still being built for the
 * previous version is interrupted and dropped. Each query runs on its own connection, so queries run side by side
 * and a cancel interrupts only its own query.
 */
export class DuckDbLakeEngine implements QueryEngine {
  readonly kind = 'duckdb';
  readonly description: string;
  private instance?: Promise<DuckDBInstance>;
  private duckdb?: DuckDbModule;
  /** The signature of the lake version the views were made for. */
  private registered = '';
  /** View names created so far, so tables that left the lake are dropped even after a failed sync. */
  private registeredNames = new Set<string>();
  /** Tables of the copy the views read now (dropped when another version replaces it). */
  private liveCopy: string[] = [];
  /** The copy being built in the background, if any. */
  private building?: LakeCopy;
  private copies = 0;
  /** Queries running now; the copy starts once there are none. */
  private readonly idle: IdleGate;
  private viewsReady: Promise<void> = Promise.resolve();
  /** The lake check queued behind the one running now (not started yet), which new queries join. */
  private pendingSync?: Promise<void>;
  private closed = false;
  /**
   * The queries running now, from their first step (opening DuckDB) to their connection closed: close() interrupts
   * their connections and waits for all of them, so DuckDB is never closed under a query still starting.
   */
  private readonly running = new Set<{ connection?: DuckDBConnection; done: Promise<void> }>();
  private readonly materializeMaxBytes: number;
  private readonly integrity: LakeIntegrity;
  readonly access: 'lake' | 'full';
  /** Tables of the current lake version whose files are damaged (not registered as views), with what is wrong. */
  protected damaged = new Map<string, LakeProblem[]>();
  /** Whether the views read the in-memory copy of the current lake version (false: the Parquet files). */
  materialized = false;

  constructor(readonly lakeDir: string, options: DuckDbLakeEngineOptions = {}) {
    this.access = options.access ?? 'lake';
    this.description = `DuckDB over ${path.join(lakeDir, 'gold')}${this.access === 'full' ? ' (full DuckDB session)' : ''}`;
    this.materializeMaxBytes = options.materializeMaxBytes ?? MATERIALIZE_MAX_BYTES;
    this.idle = new IdleGate(options.clock ?? systemClock, IDLE_BEFORE_COPY_MS);
    this.integrity = options.integrity ?? TRUST_THE_FILES;
  }

  /** Tables found in the lake now. */
  tables(): Promise<LakeTable[]> {
    return listLakeTables(this.lakeDir);
  }

  /**
   * Waits until the lake version seen by the last query is served from memory (or is left on views because it is
   * too big, or its copy failed). Resolves to whether it is in memory. For benchmarks and tests.
   */
  async settled(): Promise<boolean> {
    await this.viewsReady.catch(() => undefined);
    await this.building?.done;
    await this.viewsReady.catch(() => undefined);
    return this.materialized;
  }

  async query(sql: string, params?: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    const started = performance.now();
    const result = await this.run(sql, params, signal, (prepared, values) => runPrepared(prepared, values));
    return { ...result, stats: { elapsedMs: performance.now() - started } };
  }

  async stream(sql: string, params: QueryParams | undefined, options: QueryStreamOptions): Promise<QueryStreamSummary> {
    const started = performance.now();
    const summary = await this.run(sql, params, options.signal, (prepared, values) => streamPrepared(prepared, values, options));
    return { ...summary, stats: { elapsedMs: performance.now() - started } };
  }

  /** One query on a connection of its own: counted (the copy waits for idle), interruptible by its signal and by close(). */
  private run<T>(sql: string, params: QueryParams | undefined, signal: AbortSignal | undefined, read: ReadPrepared<T>): Promise<T> {
    return this.idle.during(() => this.runOnConnection(sql, params, signal, read));
  }

  private async runOnConnection<T>(sql: string, params: QueryParams | undefined, signal: AbortSignal | undefined, read: ReadPrepared<T>): Promise<T> {
    if (signal?.aborted) throw new CancelledError('Query');
    let finished!: () => void;
    const query: { connection?: DuckDBConnection; done: Promise<void> } = { done: new Promise<void>((resolve) => { finished = resolve; }) };
    this.running.add(query);
    try {
      return await this.runTracked(query, sql, params, signal, read);
    } finally {
      this.running.delete(query);
      finished();
    }
  }

  private async runTracked<T>(query: { connection?: DuckDBConnection }, sql: string, params: QueryParams | undefined,
    signal: AbortSignal | undefined, read: ReadPrepared<T>): Promise<T> {
    const instance = await this.open();
    await this.registerViews(instance);
    // Closed while the views were checked: the query belongs to what closed it.
    if (signal?.aborted || this.closed) throw new CancelledError('Query');
    if (isBlankSql(sql)) throw noStatementError();
    const statement = duckDbStatement(sql, params);
    const connection = await this.duckdb!.DuckDBConnection.create(instance);
    query.connection = connection;
    const onAbort = () => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // Cancelled or closed while the connection was made: close() found no connection to interrupt.
      if (signal?.aborted || this.closed) throw new CancelledError('Query');
      const statements = await extractStatements(connection, statement.sql);
      if (statements.count > 1) {
        throw new LabError('queryFailed', `Only one statement per query is run; found ${statements.count}. Run them one at a time.`);
      }
      const keyword = this.access === 'lake' ? nonReadingKeyword(statement.sql) : undefined;
      if (keyword) throw notReadingError(keyword);
      const prepared = await statements.prepare(0);
      try {
        const type = this.duckdb!.StatementType[prepared.statementType] ?? String(prepared.statementType);
        if (this.access === 'lake' && !isReadingStatement(type)) throw notReadingError(type);
        const result = await read(prepared, statement.values);
        if (signal?.aborted || this.closed) throw new CancelledError('Query');
        return result;
      } finally {
        prepared.destroySync();
      }
    } catch (err) {
      if (signal?.aborted || this.closed || /interrupt/i.test(String((err as Error)?.message))) throw new CancelledError('Query');
      if (err instanceof LabError) throw err;
      throw this.queryError(err, sql);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      connection.closeSync();
    }
  }

  /**
   * Interrupts the queries still running (they end cancelled) and the copy being built, waits for all of them to let
   * go (a query still opening DuckDB or making its connection too), then closes DuckDB.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const query of this.running) query.connection?.interrupt();
    await Promise.all([...[...this.running].map((query) => query.done), this.stopBuilding()]);
    // A query that was checking the lake may have started a copy meanwhile.
    await this.stopBuilding();
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance.catch(() => undefined))?.closeSync();
  }

  /** A DuckDB error as the user should read it: damaged lake files and the lake-only sandbox named as such. */
  private queryError(err: unknown, sql: string): LabError {
    const message = (err as Error)?.message ?? String(err);
    const missing = /Table with name "?([A-Za-z_][A-Za-z0-9_]*)"? does not exist/i.exec(message)?.[1];
    const damaged = missing && [...this.damaged.entries()].find(([name]) => name.toLowerCase() === missing.toLowerCase());
    if (damaged) return lakeDamagedError(damaged[1], err);
    const parquet = parquetDamage(this.lakeDir, message, [...this.registeredNames].filter((name) => new RegExp(`\\b${name}\\b`, 'i').test(sql)));
    if (parquet) return lakeDamagedError(parquet, err);
    const outside = this.access === 'lake' ? outsideLakeError(message, this.lakeDir, err) : undefined;
    if (outside) return outside;
    return new LabError('queryFailed', `Query failed: ${message}`, { cause: err });
  }

  private open(): Promise<DuckDBInstance> {
    if (this.closed) return Promise.reject(new LabError('internal', 'The query engine was closed.'));
    this.instance ??= (async () => {
      this.duckdb ??= await import('@duckdb/node-api');
      const instance = await this.duckdb.DuckDBInstance.create(':memory:');
      if (this.access === 'lake') await restrictToLake(instance, this.lakeDir);
      return instance;
    })();
    this.instance.catch(() => { this.instance = undefined; });
    return this.instance;
  }

  /**
   * Runs one catalog change after the previous one. Serialised: queries started together must not both create the
   * same views (DuckDB reports a catalog write-write conflict), nor race the switch to a finished copy.
   */
  private serialized(step: () => Promise<void>): Promise<void> {
    const next = this.viewsReady.catch(() => undefined).then(step);
    this.viewsReady = next;
    return next;
  }

  private registerViews(instance: DuckDBInstance): Promise<void> {
    // Queries that arrive while a check of the lake waits its turn share that check: it reads the lake after all of
    // them arrived, so each still sees a version at least as new as when it was asked. A burst of dashboard cards
    // then stats the lake's files once or twice instead of once per card, one after another.
    if (this.pendingSync) return this.pendingSync;
    const sync = this.serialized(() => {
      if (this.pendingSync === sync) this.pendingSync = undefined;
      return this.syncViews(instance);
    });
    this.pendingSync = sync;
    return sync;
  }

  private async lakeVersion(): Promise<LakeVersion> {
    return readLakeVersion(this.lakeDir, await this.tables());
  }

  private async syncViews(instance: DuckDBInstance): Promise<void> {
    let lake = await this.lakeVersion();
    // A crash between the two renames of a swap leaves gold/ as .old-*: restore it now, not on the next run.
    if (!lake.tables.length && await this.integrity.recover()) lake = await this.lakeVersion();
    if (!lake.tables.length && !lake.hasManifest) {
      throw new LabError('lakeMissing', `The lake at ${this.lakeDir} has no tables yet.`, { nextStep: RUN_PIPELINE });
    }
    if (lake.signature === this.registered) return;
    // Not awaited: the copy may be queued behind this very step to switch the views; it sees it was stopped and drops its tables.
    this.stopBuilding().catch(() => undefined);
    // The open check (LakeIntegrity): a damaged table gets no view, so queries on the others still run and a query on
    // it gets an error naming the table and the file. A run swapping the lake in between the reads would look like
    // damage: then the check is taken again on the new version.
    let damaged = new Map<string, LakeProblem[]>();
    for (let attempt = 0; attempt < 3; attempt++) {
      damaged = await this.integrity.damagedTables();
      if (!damaged.size) break;
      const now = await this.lakeVersion();
      if (now.signature === lake.signature) break;
      lake = now;
    }
    const { tables, bytes, signature } = lake;
    const connection = await this.duckdb!.DuckDBConnection.create(instance);
    const intact: LakeTable[] = [];
    try {
      for (const gone of [...this.registeredNames].filter((name) => !tables.some((t) => t.name === name) || damaged.has(name))) {
        await connection.run(`DROP VIEW IF EXISTS ${sqlIdent(gone)}`);
        this.registeredNames.delete(gone);
      }
      for (const table of tables) {
        if (damaged.has(table.name)) continue;
        try {
          await connection.run(`CREATE OR REPLACE VIEW ${sqlIdent(table.name)} AS SELECT * FROM ${parquetSource(table)}`);
        } catch (err) {
          // Sizes match (or there is no manifest) but the footer is unreadable: this table is damaged, the others are not.
          const problems = parquetDamage(this.lakeDir, (err as Error).message, [table.name], table.files);
          if (!problems) throw err;
          damaged.set(table.name, problems);
          await connection.run(`DROP VIEW IF EXISTS ${sqlIdent(table.name)}`);
          this.registeredNames.delete(table.name);
          continue;
        }
        this.registeredNames.add(table.name);
        intact.push(table);
      }
      this.damaged = damaged;
      this.registered = signature;
      this.materialized = false;
      // The previous version's copy is no longer read by any view.
      for (const old of this.liveCopy) await connection.run(`DROP TABLE IF EXISTS ${sqlIdent(old)}`);
      this.liveCopy = [];
    } catch (err) {
      this.registered = ''; // half-registered: the next query tries again
      throw new LabError('queryFailed', `Could not open the lake at ${this.lakeDir}: ${(err as Error).message}`, { cause: err, nextStep: RUN_PIPELINE });
    } finally {
      connection.closeSync();
    }
    if (intact.length && bytes <= this.materializeMaxBytes) this.startCopy(instance, intact, signature);
  }

  /** Copies the lake into memory under names of its own, then switches the views to it (see the class comment). */
  private startCopy(instance: DuckDBInstance, tables: LakeTable[], signature: string): void {
    if (this.closed) return;
    const copy = new LakeCopy(instance, tables, signature, ++this.copies, {
      whenIdle: () => this.idle.whenIdle(),
      serves: (version) => !this.closed && this.registered === version,
      closed: () => this.closed,
      serialized: (step) => this.serialized(step),
      switched: (names) => {
        this.liveCopy = names;
        this.materialized = true;
      },
    });
    this.building = copy;
    void copy.done.finally(() => {
      if (this.building === copy) this.building = undefined;
    });
  }

  /** Interrupts a copy still being built; resolves once its tables are dropped (never await it inside serialized()). */
  private async stopBuilding(): Promise<void> {
    const copy = this.building;
    if (!copy) return;
    const stopped = copy.stop();
    // The copy may still wait for the engine to be idle: let it through to see it was stopped.
    this.idle.openNow();
    await stopped;
  }
}
