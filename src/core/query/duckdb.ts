import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { CancelledError, LabError, type NextStep } from '../errors';
import type { LakeProblem } from '../run/lakeCheck';
import type { QueryColumn, QueryEngine, QueryParams, QueryResult, QueryStreamOptions, QueryStreamSummary, QueryValue } from './engine';
import { lakeDamagedError, parquetDamage } from './lakeDamage';
import { TRUST_THE_FILES, type LakeIntegrity } from './lakeIntegrity';
import { compileParams } from './params';
import { isBlankSql, noStatementError, sqlIdent, sqlLiteral } from './sqlText';

type DuckDbModule = typeof import('@duckdb/node-api');

/** A table of the lake: `<lakeDir>/gold/<name>/*.parquet`. */
export interface LakeTable {
  name: string;
  files: string[];
}

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
   * 'lake' (default): the engine reads the lake's gold folder and nothing else. DuckDB runs with
   * enable_external_access off and only gold/ in allowed_directories, its configuration locked, and only reading
   * statements (SELECT, EXPLAIN) are run, so no query writes a file or reads one outside the lake.
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

/** Statements the lake-only engine runs: they read and write nothing but their result. */
const READING_STATEMENTS = new Set(['SELECT', 'EXPLAIN']);
/**
 * Words a reading statement starts with. Checked before DuckDB prepares the statement, because preparing some
 * statements already touches files (EXPORT DATABASE creates its folder); the prepared type is checked as well.
 */
const READING_KEYWORDS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'DESCRIBE', 'DESC', 'SHOW', 'SUMMARIZE', 'EXPLAIN']);

/** The first word of a statement that makes it other than a read (undefined when it reads). EXPLAIN [ANALYZE] looks at what it explains. */
export function nonReadingKeyword(sql: string): string | undefined {
  const words = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*([A-Za-z_]+)/;
  let rest = sql;
  for (;;) {
    const match = words.exec(rest);
    if (!match) return (sql.trim().split(/\s+/)[0] || 'empty').toUpperCase();
    const word = match[1].toUpperCase();
    if (!READING_KEYWORDS.has(word)) return word;
    if (word !== 'EXPLAIN') return undefined;
    rest = rest.slice(match[0].length).replace(/^\s*(?:ANALY[SZ]E\b|\([^)]*\))?/i, '');
  }
}

/** How long the engine must be idle before it starts copying a new lake version into memory. */
const IDLE_BEFORE_COPY_MS = 50;

const RUN_PIPELINE: NextStep = { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The tables found in a local lake (sorted by name); empty when the lake has none. Reads no Parquet. */
export async function listLakeTables(lakeDir: string): Promise<LakeTable[]> {
  const gold = path.join(lakeDir, 'gold');
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(gold, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
  const tables: LakeTable[] = [];
  for (const entry of entries) {
    // Folders starting with "_" or "." are the writer's own (manifest, temp dirs of an atomic swap).
    if (!entry.isDirectory() || !TABLE_NAME.test(entry.name) || entry.name.startsWith('_')) continue;
    const dir = path.join(gold, entry.name);
    const files = (await fs.readdir(dir).catch(() => [] as string[]))
      .filter((f) => f.endsWith('.parquet'))
      .sort()
      .map((f) => path.join(dir, f));
    if (files.length) tables.push({ name: entry.name, files });
  }
  return tables.sort((a, b) => a.name.localeCompare(b.name));
}

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
  private registered = '';
  /** View names created so far, so tables that left the lake are dropped even after a failed sync. */
  private registeredNames = new Set<string>();
  /** Tables of the copy the views read now (dropped when another version replaces it). */
  private liveCopy: string[] = [];
  /** The copy being built in the background, if any. */
  private building?: { signature: string; connection?: import('@duckdb/node-api').DuckDBConnection; done: Promise<void>; stopped: boolean };
  private copies = 0;
  /** Queries running now; the copy starts once there are none (it would slow them down on a small machine). */
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  private viewsReady: Promise<void> = Promise.resolve();
  /** The lake check queued behind the one running now (not started yet), which new queries join. */
  private pendingSync?: Promise<void>;
  private closed = false;
  /** Connections of the queries running now, each with a promise that resolves once it is closed (close() interrupts them). */
  private readonly running = new Map<DuckDBConnection, Promise<void>>();
  private readonly materializeMaxBytes: number;
  private readonly clock: Clock;
  private readonly integrity: LakeIntegrity;
  /** The pending idle check, so a burst of queries arms one timer, not one each. */
  private idleTimer?: TimerHandle;
  readonly access: 'lake' | 'full';
  /** Tables of the current lake version whose files are damaged (not registered as views), with what is wrong. */
  protected damaged = new Map<string, LakeProblem[]>();
  /** Whether the views read the in-memory copy of the current lake version (false: the Parquet files). */
  materialized = false;

  constructor(readonly lakeDir: string, options: DuckDbLakeEngineOptions = {}) {
    this.access = options.access ?? 'lake';
    this.description = `DuckDB over ${path.join(lakeDir, 'gold')}${this.access === 'full' ? ' (full DuckDB session)' : ''}`;
    this.materializeMaxBytes = options.materializeMaxBytes ?? MATERIALIZE_MAX_BYTES;
    this.clock = options.clock ?? systemClock;
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
  private async run<T>(sql: string, params: QueryParams | undefined, signal: AbortSignal | undefined,
    read: (prepared: DuckDBPreparedStatement, values?: Record<string, DuckDBValue>) => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await this.runOnConnection(sql, params, signal, read);
    } finally {
      this.active--;
      this.releaseWhenIdle();
    }
  }

  private async runOnConnection<T>(sql: string, params: QueryParams | undefined, signal: AbortSignal | undefined,
    read: (prepared: DuckDBPreparedStatement, values?: Record<string, DuckDBValue>) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new CancelledError('Query');
    const instance = await this.open();
    await this.registerViews(instance);
    // Closed while the views were checked: the query belongs to what closed it.
    if (signal?.aborted || this.closed) throw new CancelledError('Query');
    if (isBlankSql(sql)) throw noStatementError();
    const statement = duckDbStatement(sql, params);
    const connection = await this.duckdb!.DuckDBConnection.create(instance);
    const onAbort = () => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished!: () => void;
    this.running.set(connection, new Promise<void>((resolve) => { finished = resolve; }));
    try {
      const statements = await extractStatements(connection, statement.sql);
      if (statements.count > 1) {
        throw new LabError('queryFailed', `Only one statement per query is run; found ${statements.count}. Run them one at a time.`);
      }
      const keyword = this.access === 'lake' ? nonReadingKeyword(statement.sql) : undefined;
      if (keyword) throw this.notReading(keyword);
      const prepared = await statements.prepare(0);
      try {
        const type = this.duckdb!.StatementType[prepared.statementType] ?? String(prepared.statementType);
        if (this.access === 'lake' && !READING_STATEMENTS.has(type)) throw this.notReading(type);
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
      this.running.delete(connection);
      finished();
    }
  }

  /** Interrupts the queries still running (they end cancelled), waits for them to let go, then closes DuckDB. */
  async close(): Promise<void> {
    this.closed = true;
    for (const connection of this.running.keys()) connection.interrupt();
    await Promise.all(this.running.values());
    await this.stopBuilding();
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance.catch(() => undefined))?.closeSync();
  }

  private notReading(what: string): LabError {
    return new LabError('queryFailed',
      `The lake engine reads only the lake and writes nothing: ${what} statements are not run (SELECT, WITH, DESCRIBE, ` +
      'SHOW, SUMMARIZE and EXPLAIN are). From the command line, `lifecycle-lab query --full` opens a full DuckDB session.');
  }

  /** A DuckDB error as the user should read it: damaged lake files and the lake-only sandbox named as such. */
  private queryError(err: unknown, sql: string): LabError {
    const message = (err as Error)?.message ?? String(err);
    const missing = /Table with name "?([A-Za-z_][A-Za-z0-9_]*)"? does not exist/i.exec(message)?.[1];
    const damaged = missing && [...this.damaged.entries()].find(([name]) => name.toLowerCase() === missing.toLowerCase());
    if (damaged) return lakeDamagedError(damaged[1], err);
    const parquet = parquetDamage(this.lakeDir, message, [...this.registeredNames].filter((name) => new RegExp(`\\b${name}\\b`, 'i').test(sql)));
    if (parquet) return lakeDamagedError(parquet, err);
    if (this.access === 'lake' && /^Permission Error/i.test(message)) {
      const file = /Cannot access (?:file|directory) "([^"]*)"/i.exec(message)?.[1];
      return new LabError('queryFailed',
        `The lake engine reads only the lake (${path.join(this.lakeDir, 'gold')})${file ? `: ${file} is outside it` : ''}. ` +
        'From the command line, `lifecycle-lab query --full` opens a full DuckDB session.', { cause: err });
    }
    return new LabError('queryFailed', `Query failed: ${message}`, { cause: err });
  }

  private open(): Promise<DuckDBInstance> {
    if (this.closed) return Promise.reject(new LabError('internal', 'The query engine was closed.'));
    this.instance ??= (async () => {
      this.duckdb ??= await import('@duckdb/node-api');
      const instance = await this.duckdb.DuckDBInstance.create(':memory:');
      if (this.access === 'lake') {
        // Reads of gold/ only (the views and the in-memory copy); no other file, no extension install, no ATTACH.
        // The list option cannot be given at create time, so it is set here, then the configuration is locked.
        const setup = await instance.connect();
        try {
          await setup.run(`SET allowed_directories = [${sqlLiteral(path.resolve(this.lakeDir, 'gold') + path.sep)}]`);
          await setup.run('SET enable_external_access = false');
          await setup.run('SET lock_configuration = true');
        } catch (err) {
          instance.closeSync();
          throw new LabError('internal', `Could not restrict DuckDB to the lake: ${(err as Error).message}`, { cause: err });
        } finally {
          setup.closeSync();
        }
      }
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

  /**
   * The lake's tables now and a signature of its files and manifest (names, sizes, modification and change times,
   * inodes: a file rewritten in place with its size and modification time put back still has a new change time).
   */
  private async lakeVersion(): Promise<{ tables: LakeTable[]; bytes: number; hasManifest: boolean; signature: string }> {
    const tables = await this.tables();
    const manifestStat = await fs.stat(path.join(this.lakeDir, 'gold', '_manifest.json')).catch(() => undefined);
    const files = await Promise.all(tables.map((t) => Promise.all(t.files.map((f) => fs.stat(f).catch(() => undefined)))));
    const version = tables.map((t, i) => ({ ...t, stats: files[i].map((st) => (st ? [st.size, st.mtimeMs, st.ctimeMs, st.ino] : null)) }));
    return {
      tables,
      bytes: files.flat().reduce((a, st) => a + (st?.size ?? 0), 0),
      hasManifest: manifestStat !== undefined,
      signature: JSON.stringify({ version, manifest: manifestStat ? [manifestStat.size, manifestStat.mtimeMs, manifestStat.ctimeMs, manifestStat.ino] : null }),
    };
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
    const copy = ++this.copies;
    const names = tables.map((t) => `__lake_copy_${copy}_${t.name}`);
    const build: NonNullable<DuckDbLakeEngine['building']> = { signature, stopped: false, done: Promise.resolve() };
    const isCurrent = () => !build.stopped && !this.closed && this.registered === signature;
    build.done = (async () => {
      await this.whenIdle();
      if (!isCurrent()) {
        if (this.building === build) this.building = undefined;
        return;
      }
      const connection = await this.duckdb!.DuckDBConnection.create(instance);
      build.connection = connection;
      let switched = false;
      try {
        for (const [i, table] of tables.entries()) {
          if (!isCurrent()) return;
          await connection.run(`CREATE TABLE ${sqlIdent(names[i])} AS SELECT * FROM ${parquetSource(table)}`);
        }
        await this.serialized(async () => {
          if (!isCurrent()) return;
          await connection.run('BEGIN TRANSACTION');
          try {
            for (const [i, table] of tables.entries()) {
              await connection.run(`CREATE OR REPLACE VIEW ${sqlIdent(table.name)} AS SELECT * FROM ${sqlIdent(names[i])}`);
            }
            await connection.run('COMMIT');
          } catch (err) {
            await connection.run('ROLLBACK').catch(() => undefined);
            throw err;
          }
          switched = true;
          this.liveCopy = names;
          this.materialized = true;
        });
      } catch {
        // Interrupted or failed: the views keep reading the Parquet files, which give the same answers.
      } finally {
        if (!switched && !this.closed) {
          for (const name of names) await connection.run(`DROP TABLE IF EXISTS ${sqlIdent(name)}`).catch(() => undefined);
        }
        build.connection = undefined;
        connection.closeSync();
        if (this.building === build) this.building = undefined;
      }
    })();
    this.building = build;
  }

  /** Resolves once no query has run for a moment (the page asks its cards in one burst), or the copy is stopped. */
  private whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.releaseWhenIdle();
    });
  }

  private releaseWhenIdle(): void {
    if (this.active > 0 || !this.idleWaiters.length) return;
    // Each query that ends restarts the wait: the copy starts IDLE_BEFORE_COPY_MS after the last one.
    this.idleTimer?.cancel();
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.active === 0) for (const release of this.idleWaiters.splice(0)) release();
    }, IDLE_BEFORE_COPY_MS);
  }

  /** Interrupts a copy still being built; resolves once its tables are dropped (never await it inside serialized()). */
  private async stopBuilding(): Promise<void> {
    const build = this.building;
    if (!build) return;
    build.stopped = true;
    build.connection?.interrupt();
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    for (const release of this.idleWaiters.splice(0)) release();
    await build.done;
  }
}

function parquetSource(table: LakeTable): string {
  return `read_parquet([${table.files.map(sqlLiteral).join(', ')}])`;
}

/**
 * A QueryEngine over one open DuckDB connection, such as the pipeline's staging database (which owns and closes it).
 * Queries run one after another: a connection runs one statement at a time.
 */
export function connectionEngine(connection: DuckDBConnection, description: string): QueryEngine {
  let queue: Promise<unknown> = Promise.resolve();
  const run = <T>(sql: string, params: QueryParams | undefined, signal: AbortSignal | undefined,
    read: (prepared: DuckDBPreparedStatement, values?: Record<string, DuckDBValue>) => Promise<T>): Promise<T & { stats: QueryResult['stats'] }> => {
    const result = queue.then(async () => {
      if (signal?.aborted) throw new CancelledError('Query');
      const started = performance.now();
      if (isBlankSql(sql)) throw noStatementError();
      const statement = duckDbStatement(sql, params);
      const statements = await extractStatements(connection, statement.sql);
      const prepared = await statements.prepare(0);
      try {
        return { ...await read(prepared, statement.values), stats: { elapsedMs: performance.now() - started } };
      } finally {
        prepared.destroySync();
      }
    });
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    kind: 'duckdb',
    description,
    query: (sql, params, signal) => run(sql, params, signal, runPrepared),
    stream: (sql, params, options) => run(sql, params, options.signal, (prepared, values) => streamPrepared(prepared, values, options)),
    async close() {},
  };
}

/**
 * The statements in the SQL. DuckDB's extract fails with only "Error in native callback" when it finds none (text
 * isBlankSql does not see as blank, such as an unclosed comment): that is said as what it is.
 */
async function extractStatements(connection: DuckDBConnection, sql: string) {
  let statements: Awaited<ReturnType<DuckDBConnection['extractStatements']>>;
  try {
    statements = await connection.extractStatements(sql);
  } catch (err) {
    if (/native callback/i.test(String((err as Error)?.message))) throw noStatementError();
    throw err;
  }
  if (statements.count === 0) throw noStatementError();
  return statements;
}

/**
 * The SQL DuckDB prepares and the values it binds: `:name` placeholders become `$name`. Without parameters the SQL
 * goes verbatim (the `query` CLI passes user SQL, which may contain ':' text).
 */
function duckDbStatement(sql: string, params?: QueryParams): { sql: string; values?: Record<string, DuckDBValue> } {
  if (params === undefined || Object.keys(params).length === 0) return { sql };
  const values: Record<string, DuckDBValue> = {};
  for (const [name, value] of Object.entries(params)) values[name] = value;
  return { sql: compileParams(sql, params, 'dollar').sql, values };
}

/** Binds the values (if any), runs the prepared statement and reads its rows JSON-safe; the caller destroys it. */
async function runPrepared(prepared: DuckDBPreparedStatement, values?: Record<string, DuckDBValue>): Promise<Omit<QueryResult, 'stats'>> {
  if (values) prepared.bind(values);
  return readResult(await prepared.runAndReadAll());
}

/**
 * Binds the values (if any) and runs the prepared statement as a stream: each DuckDB chunk is converted and handed
 * over, then let go. Past the limit, chunks are only counted (countAll) or the reading stops once one more row shows
 * there are more. The caller destroys the statement and closes the connection (which ends a stream left unread).
 */
async function streamPrepared(prepared: DuckDBPreparedStatement, values: Record<string, DuckDBValue> | undefined,
  options: QueryStreamOptions): Promise<Omit<QueryStreamSummary, 'stats'>> {
  if (values) prepared.bind(values);
  const result = await prepared.stream();
  const columns: QueryColumn[] = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
  await options.onColumns?.(columns);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let rowsRead = 0;
  let seen = 0;
  for (;;) {
    if (options.signal?.aborted) throw new CancelledError('Query');
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const count = chunk.rowCount;
    if (rowsRead < limit) {
      const take = Math.min(count, limit - rowsRead);
      const rows = chunk.getRows();
      rowsRead += take;
      await options.onRows((take < count ? rows.slice(0, take) : rows).map((row) => row.map(toQueryValue)));
    }
    seen += count;
    if (seen > limit && !options.countAll) break;
  }
  const more = seen > limit;
  return { columns, rowsRead, totalRows: more && !options.countAll ? undefined : seen, more };
}

function readResult(reader: DuckDBResultReader): Omit<QueryResult, 'stats'> {
  const names = reader.columnNames();
  const columns: QueryColumn[] = names.map((name, i) => ({ name, type: reader.columnType(i).toString() }));
  const rows = reader.getRows().map((row) => row.map(toQueryValue));
  return { columns, rows };
}

/** JSON-safe value: DECIMAL, BIGINT and HUGEINT become numbers; DATE and TIMESTAMP their ISO-like text. */
export function toQueryValue(value: DuckDBValue): QueryValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return Number(value);
    case 'string':
    case 'boolean':
      return value;
    default: {
      const v = value as { toDouble?: () => number; toString(): string };
      if (typeof v.toDouble === 'function') return v.toDouble();
      return v.toString();
    }
  }
}
