import type { Pool, PoolOptions, RowDataPacket } from 'mysql2/promise';
import type { MysqlTarget } from '../config';
import { CancelledError, LabError, throwIfCancelled } from '../errors';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import { explainUnknownDatabase, isUnknownDatabase, SYSTEM_SCHEMAS } from './databases';
import { mysqlErrorToLabError, type MysqlErrorContext } from './errors';
import { killQuery } from './kill';
import { qualifiedName, quoteIdent, sqlCount } from './sql';
import { targetConnection } from './target';
import { cellText } from './values';

export { SYSTEM_SCHEMAS };

export interface ServerInfo {
  version: string;
  /** The account as the server sees it, e.g. `lab@127.0.0.1`. */
  currentUser: string;
}

export interface DatabaseInfo {
  name: string;
  system: boolean;
}

export interface TableInfo {
  database: string;
  name: string;
  kind: 'table' | 'view';
  /** information_schema's estimate (InnoDB samples it); undefined for views. */
  approxRows?: number;
  /** Data plus index length in bytes; undefined for views. */
  sizeBytes?: number;
  engine?: string;
  comment: string;
}

export interface ColumnReference {
  constraint: string;
  database: string;
  table: string;
  column: string;
}

export interface ColumnInfo {
  name: string;
  /** The full column type as `describe` shows it, e.g. `varchar(50)`, `decimal(10,2)`. */
  type: string;
  nullable: boolean;
  primaryKey: boolean;
  default: string | null;
  /** e.g. `auto_increment`. */
  extra: string;
  comment: string;
  /** Set when the column is part of a foreign key. */
  references?: ColumnReference;
}

export interface IndexInfo {
  name: string;
  primary: boolean;
  unique: boolean;
  columns: string[];
  /** BTREE, HASH, FULLTEXT... */
  type: string;
}

export interface ForeignKeyInfo {
  name: string;
  columns: string[];
  referencedDatabase: string;
  referencedTable: string;
  referencedColumns: string[];
  onUpdate: string;
  onDelete: string;
}

export interface PreviewColumn {
  name: string;
  type: string;
  /** Right-aligned in the grid. */
  numeric: boolean;
}

/** One page of rows; every cell is text or null so it crosses a webview or JSON boundary unchanged. */
export interface PreviewPage {
  database: string;
  table: string;
  columns: PreviewColumn[];
  rows: (string | null)[][];
  offset: number;
  limit: number;
  hasMore: boolean;
  /** The columns the rows are ordered by (the primary key); empty when the table has none. */
  orderBy: string[];
}

export interface SourceExplorerOptions {
  showSystemSchemas?: boolean;
  connectTimeoutMs?: number;
  /** Small: the tree issues a few metadata queries at a time, plus one count or preview. */
  poolSize?: number;
  log?: Logger;
}

type MysqlModule = typeof import('mysql2/promise');
type Row = RowDataPacket & Record<string, unknown>;

const NUMERIC_TYPE = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|float|double|real|bit|year)\b/i;

/**
 * Read-only access to a MySQL/MariaDB source over a small mysql2 pool: the metadata the Source view shows,
 * pages of rows, exact counts. Errors come out as LabErrors (see mysqlErrorToLabError).
 * mysql2 is loaded on first use so that creating an explorer costs nothing.
 */
export class SourceExplorer {
  private pool?: Promise<Pool>;
  private driver?: MysqlModule;
  private poolOptions?: PoolOptions;
  private closed = false;
  private readonly log: Logger;

  constructor(readonly target: MysqlTarget, private readonly options: SourceExplorerOptions = {}) {
    this.log = options.log ?? silentLogger;
  }

  /** Version and account; a cheap way to prove the connection works. */
  async serverInfo(): Promise<ServerInfo> {
    const [row] = await this.query('SELECT VERSION() AS version, CURRENT_USER() AS currentUser');
    return { version: String(row.version), currentUser: String(row.currentUser) };
  }

  async listDatabases(): Promise<DatabaseInfo[]> {
    const rows = await this.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME');
    return rows
      .map((r) => ({ name: String(r.name), system: SYSTEM_SCHEMAS.has(String(r.name).toLowerCase()) }))
      .filter((d) => this.options.showSystemSchemas || !d.system);
  }

  /** Tables and views, with information_schema's row estimate and size. Unknown database -> 'unknownDatabase'. */
  async listTables(database: string): Promise<TableInfo[]> {
    const rows = await this.query(
      `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, ENGINE AS engine, TABLE_ROWS AS approxRows,
              DATA_LENGTH + INDEX_LENGTH AS sizeBytes, TABLE_COMMENT AS comment
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
      [database], { database });
    if (rows.length === 0) await this.assertDatabaseExists(database);
    return rows.map((r) => {
      const view = String(r.type).toUpperCase() === 'VIEW';
      return {
        database,
        name: String(r.name),
        kind: view ? 'view' : 'table',
        approxRows: view || r.approxRows === null ? undefined : Number(r.approxRows),
        sizeBytes: view || r.sizeBytes === null ? undefined : Number(r.sizeBytes),
        engine: r.engine === null ? undefined : String(r.engine),
        comment: view ? '' : String(r.comment ?? ''),
      };
    });
  }

  /** Columns in table order, with primary-key and foreign-key markers. Unknown table -> 'missingTable'. */
  async listColumns(database: string, table: string): Promise<ColumnInfo[]> {
    const context = { database, table };
    const [columns, keys] = await Promise.all([
      this.query(
        `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS defaultValue,
                EXTRA AS extra, COLUMN_COMMENT AS comment
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
        [database, table], context),
      this.keyColumns(database, table),
    ]);
    if (columns.length === 0) await this.assertTableExists(database, table);
    return columns.map((c) => {
      const name = String(c.name);
      const fk = keys.find((k) => k.column === name && k.referencedTable !== null);
      return {
        name,
        type: String(c.type),
        nullable: String(c.nullable).toUpperCase() === 'YES',
        primaryKey: keys.some((k) => k.column === name && k.constraint === 'PRIMARY'),
        default: c.defaultValue === null ? null : String(c.defaultValue),
        extra: String(c.extra ?? ''),
        comment: String(c.comment ?? ''),
        references: fk && fk.referencedTable !== null
          ? { constraint: fk.constraint, database: fk.referencedDatabase ?? database, table: fk.referencedTable, column: fk.referencedColumn ?? '' }
          : undefined,
      };
    });
  }

  async listIndexes(database: string, table: string): Promise<IndexInfo[]> {
    const rows = await this.query(
      `SELECT INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS columnName, INDEX_TYPE AS type
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
      [database, table], { database, table });
    if (rows.length === 0) await this.assertTableExists(database, table);
    const byName = new Map<string, IndexInfo>();
    for (const r of rows) {
      const name = String(r.name);
      let index = byName.get(name);
      if (!index) {
        index = { name, primary: name === 'PRIMARY', unique: Number(r.nonUnique) === 0, columns: [], type: String(r.type) };
        byName.set(name, index);
      }
      index.columns.push(String(r.columnName));
    }
    return [...byName.values()];
  }

  async listForeignKeys(database: string, table: string): Promise<ForeignKeyInfo[]> {
    const context = { database, table };
    const [keys, rules] = await Promise.all([
      this.keyColumns(database, table),
      this.query(
        `SELECT CONSTRAINT_NAME AS name, UPDATE_RULE AS onUpdate, DELETE_RULE AS onDelete
           FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`,
        [database, table], context),
    ]);
    const byName = new Map<string, ForeignKeyInfo>();
    for (const k of keys) {
      if (k.referencedTable === null) continue;
      let fk = byName.get(k.constraint);
      if (!fk) {
        const rule = rules.find((r) => String(r.name) === k.constraint);
        fk = {
          name: k.constraint, columns: [], referencedDatabase: k.referencedDatabase ?? database, referencedTable: k.referencedTable,
          referencedColumns: [], onUpdate: String(rule?.onUpdate ?? ''), onDelete: String(rule?.onDelete ?? ''),
        };
        byName.set(k.constraint, fk);
      }
      fk.columns.push(k.column);
      if (k.referencedColumn !== null) fk.referencedColumns.push(k.referencedColumn);
    }
    if (keys.length === 0) await this.assertTableExists(database, table);
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * A page of rows ordered by the primary key, so pages follow each other and the first page is stable.
   * Cells are strings (numbers as the server formats them, dates as text) or null; binary values are shown as hex.
   */
  async previewRows(database: string, table: string, page: { offset?: number; limit?: number } = {}): Promise<PreviewPage> {
    const offset = sqlCount(page.offset ?? 0, 'offset');
    const limit = sqlCount(page.limit ?? 100, 'limit');
    const columns = await this.listColumns(database, table);
    const orderBy = columns.filter((c) => c.primaryKey).map((c) => c.name);
    const order = orderBy.length ? ` ORDER BY ${orderBy.map(quoteIdent).join(', ')}` : '';
    const sql = `SELECT ${columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${qualifiedName(database, table)}${order} LIMIT ${limit + 1} OFFSET ${offset}`;
    const rows = await this.queryArrays(sql, { database, table });
    return {
      database,
      table,
      columns: columns.map((c) => ({ name: c.name, type: c.type, numeric: NUMERIC_TYPE.test(c.type) })),
      rows: rows.slice(0, limit).map((r) => r.map(cellText)),
      offset,
      limit,
      hasMore: rows.length > limit,
      orderBy,
    };
  }

  /**
   * COUNT(*) on demand. On abort the running statement is stopped with KILL QUERY from a second connection
   * and the call rejects with CancelledError.
   */
  async exactCount(database: string, table: string, signal?: AbortSignal): Promise<number> {
    throwIfCancelled(signal, 'Row count');
    const context = { database, table };
    const pool = await this.getPool();
    const connection = await pool.getConnection().catch((err: unknown) => { throw mysqlErrorToLabError(err, this.target, context); });
    const threadId = connection.threadId;
    const onAbort = () => void this.stopStatement(threadId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      throwIfCancelled(signal, 'Row count');
      const [rows] = await connection.query<Row[]>(`SELECT COUNT(*) AS n FROM ${qualifiedName(database, table)}`);
      // A killed statement may still return (SLEEP, for one, just stops early): the user asked to cancel.
      throwIfCancelled(signal, 'Row count');
      return Number(rows[0].n);
    } catch (err) {
      if (signal?.aborted) throw new CancelledError('Row count');
      throw await this.toLabError(err, context);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      connection.release();
    }
  }

  /**
   * One cell's whole value (the grid cuts long values): the row is found by its primary-key values, or by its
   * position in the unordered table when it has no primary key (as the preview found it). Binary comes as full hex.
   */
  async cellValue(database: string, table: string, column: string, row: { key?: Record<string, string | null>; offset: number }): Promise<string | null> {
    const context = { database, table };
    const keys = Object.entries(row.key ?? {});
    const where = keys.length ? ` WHERE ${keys.map(([name]) => `${quoteIdent(name)} <=> ?`).join(' AND ')}` : '';
    const position = keys.length ? ' LIMIT 2' : ` LIMIT 1 OFFSET ${sqlCount(row.offset, 'offset')}`;
    const pool = await this.getPool();
    let rows: unknown[][];
    try {
      const [result] = await pool.query<(RowDataPacket & unknown[])[]>({
        sql: `SELECT ${quoteIdent(column)} FROM ${qualifiedName(database, table)}${where}${position}`,
        values: keys.map(([, value]) => value),
        rowsAsArray: true,
      });
      rows = result as unknown[][];
    } catch (err) {
      throw await this.toLabError(err, context);
    }
    if (rows.length !== 1) {
      throw new LabError('queryFailed', rows.length === 0
        ? `That row of ${database}.${table} is no longer there; refresh the preview.`
        : `The key of that row of ${database}.${table} matches more than one row.`);
    }
    const value = rows[0][0];
    return Buffer.isBuffer(value) ? `0x${value.toString('hex')}` : cellText(value);
  }

  /** Ends the pool; the explorer can't be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    if (!pool) return;
    try {
      await (await pool).end();
    } catch {
      // A pool that never connected has nothing to end.
    }
  }

  // --- internals -------------------------------------------------------------------------------------

  private async stopStatement(threadId: number): Promise<void> {
    if (!this.poolOptions) return;
    try {
      await killQuery(this.poolOptions, threadId);
      this.log.info(`Cancelled query on connection ${threadId}`);
    } catch (err) {
      this.log.warn(`KILL QUERY ${threadId} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async keyColumns(database: string, table: string) {
    const rows = await this.query(
      `SELECT CONSTRAINT_NAME AS \`constraint\`, COLUMN_NAME AS \`column\`, REFERENCED_TABLE_SCHEMA AS referencedDatabase,
              REFERENCED_TABLE_NAME AS referencedTable, REFERENCED_COLUMN_NAME AS referencedColumn
         FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION`,
      [database, table], { database, table });
    return rows.map((r) => ({
      constraint: String(r.constraint),
      column: String(r.column),
      referencedDatabase: cellText(r.referencedDatabase),
      referencedTable: cellText(r.referencedTable),
      referencedColumn: cellText(r.referencedColumn),
    }));
  }

  /** information_schema returns no rows for a missing schema; say so instead of showing an empty list. */
  private async assertDatabaseExists(database: string): Promise<void> {
    const rows = await this.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database], { database });
    if (rows.length === 0) throw await this.toLabError({ code: 'ER_BAD_DB_ERROR' }, { database });
  }

  private async assertTableExists(database: string, table: string): Promise<void> {
    const rows = await this.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [database, table], { database, table });
    if (rows.length > 0) return;
    await this.assertDatabaseExists(database);
    throw mysqlErrorToLabError({ code: 'ER_NO_SUCH_TABLE', message: `no table named '${table}'` }, this.target, { database, table });
  }

  private async query(sql: string, params: unknown[] = [], context: MysqlErrorContext = {}): Promise<Row[]> {
    const pool = await this.getPool();
    try {
      const [rows] = await pool.query<Row[]>(sql, params);
      return rows;
    } catch (err) {
      throw await this.toLabError(err, context);
    }
  }

  private async queryArrays(sql: string, context: MysqlErrorContext): Promise<unknown[][]> {
    const pool = await this.getPool();
    try {
      const [rows] = await pool.query<(RowDataPacket & unknown[])[]>({ sql, rowsAsArray: true });
      return rows as unknown[][];
    } catch (err) {
      throw await this.toLabError(err, context);
    }
  }

  /** The mapper, plus the databases that do exist when the database is unknown (one more query on the pool). */
  private async toLabError(err: unknown, context: MysqlErrorContext): Promise<LabError> {
    if (!isUnknownDatabase(err)) return mysqlErrorToLabError(err, this.target, context);
    return explainUnknownDatabase(this.target, context.database ?? this.target.database, {
      cause: err,
      listDatabases: async () => (await this.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA')).map((r) => String(r.name)),
    });
  }

  private getPool(): Promise<Pool> {
    if (this.closed) return Promise.reject(new LabError('internal', 'The source connection was closed.'));
    this.pool ??= this.createPool().catch((err: unknown) => {
      this.pool = undefined;
      throw err;
    });
    return this.pool;
  }

  private async createPool(): Promise<Pool> {
    this.driver ??= await import('mysql2/promise');
    const t = this.target;
    const connection = targetConnection(t);
    this.poolOptions = {
      ...connection,
      charset: 'UTF8MB4_UNICODE_CI',
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      // Dates as the server prints them: a preview must not shift them into the editor's time zone.
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      jsonStrings: true,
      multipleStatements: false,
    };
    const pool = this.driver.createPool({
      ...this.poolOptions,
      connectionLimit: this.options.poolSize ?? 3,
      maxIdle: this.options.poolSize ?? 3,
      idleTimeout: 60_000,
      enableKeepAlive: true,
    });
    this.log.debug(`Source pool for ${t.user}@${t.host}:${t.port}${connection.ssl ? ' (TLS)' : ''}`);
    return pool;
  }
}
