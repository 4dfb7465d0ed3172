import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DuckDBInstance, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';
import type { LabConfig } from '../config';
import { CancelledError, LabError } from '../errors';
import type { QueryColumn, QueryEngine, QueryParams, QueryResult, QueryValue } from './engine';
import { compileParams } from './params';

type DuckDbModule = typeof import('@duckdb/node-api');

/** A table of the lake: `<lakeDir>/gold/<name>/*.parquet`. */
export interface LakeTable {
  name: string;
  files: string[];
}

const RUN_PIPELINE = { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Picks the query engine from the configured mode, so views and commands never branch on it.
 * The caller owns the engine and must close() it.
 */
export function createQueryEngine(config: LabConfig): QueryEngine {
  if (config.mode === 'aws') {
    throw new LabError('config', 'Athena engine arrives with the AWS issue; the dashboard and queries run on the local lake for now.', {
      nextStep: { label: 'Switch Mode (Local / AWS)', command: 'lifecycleLab.switchMode' },
    });
  }
  return new DuckDbLakeEngine(config.local.lakeDir);
}

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
 * DuckDB (in memory) over the local Parquet lake: one view per table under `<lakeDir>/gold/`.
 * DuckDB is loaded on the first query. Views are re-registered when the set of tables or files changes,
 * so an engine held across pipeline runs sees the new lake. Each query runs on its own connection, so
 * queries run side by side and a cancel interrupts only its own query.
 */
export class DuckDbLakeEngine implements QueryEngine {
  readonly kind = 'duckdb';
  readonly description: string;
  private instance?: Promise<DuckDBInstance>;
  private duckdb?: DuckDbModule;
  private registered = '';
  private viewsReady: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly lakeDir: string) {
    this.description = `DuckDB over ${path.join(lakeDir, 'gold')}`;
  }

  /** Tables found in the lake now. */
  tables(): Promise<LakeTable[]> {
    return listLakeTables(this.lakeDir);
  }

  async query(sql: string, params?: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    if (signal?.aborted) throw new CancelledError('Query');
    const started = performance.now();
    const instance = await this.open();
    await this.registerViews(instance);
    if (signal?.aborted) throw new CancelledError('Query');
    const hasParams = params !== undefined && Object.keys(params).length > 0;
    // Without parameters the SQL goes verbatim (the `query` CLI passes user SQL, which may contain ':' text).
    const compiled = hasParams ? compileParams(sql, params, 'dollar') : undefined;
    const connection = await this.duckdb!.DuckDBConnection.create(instance);
    const onAbort = () => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reader = await connection.runAndReadAll(compiled?.sql ?? sql, hasParams ? toDuckDbValues(params) : undefined);
      if (signal?.aborted) throw new CancelledError('Query');
      return { ...readResult(reader), stats: { elapsedMs: performance.now() - started } };
    } catch (err) {
      if (signal?.aborted || /interrupt/i.test(String((err as Error)?.message))) throw new CancelledError('Query');
      if (err instanceof LabError) throw err;
      throw new LabError('queryFailed', `Query failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance.catch(() => undefined))?.closeSync();
  }

  private open(): Promise<DuckDBInstance> {
    if (this.closed) return Promise.reject(new LabError('internal', 'The query engine was closed.'));
    this.instance ??= (async () => {
      this.duckdb ??= await import('@duckdb/node-api');
      return this.duckdb.DuckDBInstance.create(':memory:');
    })();
    this.instance.catch(() => { this.instance = undefined; });
    return this.instance;
  }

  /**
   * (Re)creates one view per lake table when the lake's files changed since the last query. Serialised: queries
   * started together must not both create the same views (DuckDB reports a catalog write-write conflict).
   */
  private registerViews(instance: DuckDBInstance): Promise<void> {
    const next = this.viewsReady.catch(() => undefined).then(() => this.syncViews(instance));
    this.viewsReady = next;
    return next;
  }

  private async syncViews(instance: DuckDBInstance): Promise<void> {
    const tables = await this.tables();
    if (!tables.length) {
      throw new LabError('lakeMissing', `The lake at ${this.lakeDir} has no tables yet.`, { nextStep: RUN_PIPELINE });
    }
    const signature = JSON.stringify(tables);
    if (signature === this.registered) return;
    const connection = await this.duckdb!.DuckDBConnection.create(instance);
    try {
      const previous = this.registered ? (JSON.parse(this.registered) as LakeTable[]).map((t) => t.name) : [];
      for (const gone of previous.filter((name) => !tables.some((t) => t.name === name))) {
        await connection.run(`DROP VIEW IF EXISTS ${quoteIdent(gone)}`);
      }
      for (const table of tables) {
        const files = table.files.map(quoteLiteral).join(', ');
        await connection.run(`CREATE OR REPLACE VIEW ${quoteIdent(table.name)} AS SELECT * FROM read_parquet([${files}])`);
      }
      this.registered = signature;
    } catch (err) {
      throw new LabError('queryFailed', `Could not open the lake at ${this.lakeDir}: ${(err as Error).message}`, { cause: err, nextStep: RUN_PIPELINE });
    } finally {
      connection.closeSync();
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function toDuckDbValues(params: QueryParams): Record<string, DuckDBValue> {
  const values: Record<string, DuckDBValue> = {};
  for (const [name, value] of Object.entries(params)) values[name] = value;
  return values;
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
