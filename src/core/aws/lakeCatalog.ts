import { createHash } from 'node:crypto';
import type { AthenaSettings, AwsSettings, GlueSettings } from '../config';
import { LabError, throwIfCancelled, type NextStep } from '../errors';
import type { LakeCatalog, LakeOverview, LakeTableSummary } from '../backend/types';
import type { LakeManifest } from '../run/manifest';
import type { LakeCheck, LakeProblem, LakeTableCheck } from '../run/lakeCheck';
import type { LongWork } from '../progress';
import type { QueryEngine, QueryResult } from '../query/engine';
import { lakeTableName, sqlIdent } from '../query/sqlText';
import { AwsClients } from './awsClients';
import { compareTable, isDataObject, lakePathOf, tableFolderKey, toCatalogTable, type CatalogTable, type LakeObject } from './catalogTables';
import { awsErrorToLabError } from './clients';
import { manifestKey, readS3Manifest, splitS3Url } from './s3Manifest';

export interface AwsLakeCatalogSettings {
  aws: AwsSettings;
  glue: GlueSettings;
  athena: AthenaSettings;
}

const RUN_PIPELINE: NextStep = { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };
const DATABASE_SETTING: NextStep = { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.catalogDatabase' };
/** Column types Athena cannot cast to varchar directly: shown as JSON text instead. */
const COMPLEX_TYPE = /^(array|map|struct|row)\s*[<(]/i;

/**
 * AWS mode's lake: the tables of the Glue Data Catalog database (GetTables through the SDK's paginator) with their
 * location and columns, file count and bytes from S3 (ListObjectsV2, paginated) under each location, rows from the
 * job's `gold/_manifest.json`, and previews, counts and single values through Athena (the backend's one engine).
 * Sizes are compared with the manifest on every overview, SHA-256 too on Verify Lake (which reads every file once).
 */
export class AwsLakeCatalog implements LakeCatalog {
  readonly location: string;
  private readonly clients: AwsClients;
  private readonly ownsClients: boolean;

  /** `clients`: the backend's; absent, the catalog makes its own and close() destroys them. */
  constructor(private readonly settings: AwsLakeCatalogSettings, private readonly engine: QueryEngine, clients?: AwsClients) {
    this.ownsClients = !clients;
    this.clients = clients ?? new AwsClients(settings.aws);
    this.location = settings.glue.lakePath ? settings.glue.lakePath.replace(/\/+$/, '') : `Glue database ${settings.athena.database}`;
  }

  private get database(): string {
    return this.settings.athena.database;
  }

  /** Glue's and S3's own "not there" errors as lakeMissing naming what is missing; the rest as every AWS call's. */
  private mapError(err: unknown, what: string, missing?: { table?: string; location?: string }): LabError {
    if (err instanceof LabError) return err;
    const name = (err as { name?: string }).name ?? '';
    if (name === 'EntityNotFoundException') {
      if (missing?.table) {
        return new LabError('lakeMissing', `${what}: the Glue database ${this.database} has no table ${missing.table}. Refresh the Lake view, or run the pipeline to publish it.`, {
          nextStep: RUN_PIPELINE, cause: err,
        });
      }
      return new LabError('lakeMissing', `${what}: there is no Glue database '${this.database}' in ${this.settings.aws.region}. Deploy the Terraform module (it creates the database) or set the catalog database.`, {
        nextStep: DATABASE_SETTING, cause: err,
      });
    }
    if (name === 'NoSuchBucket') {
      return new LabError('lakeMissing', `${what}: the bucket of ${missing?.location ?? 'the lake'} does not exist.`, { nextStep: RUN_PIPELINE, cause: err });
    }
    return awsErrorToLabError(err, what, this.settings.aws);
  }

  /** Every table of the catalog database, sorted by name. */
  async tables(): Promise<CatalogTable[]> {
    const { sdk: glue, client: glueClient } = await this.clients.glue();
    const tables: CatalogTable[] = [];
    try {
      for await (const page of glue.paginateGetTables({ client: glueClient, pageSize: 100 }, { DatabaseName: this.database })) {
        for (const table of page.TableList ?? []) tables.push(toCatalogTable(table));
      }
    } catch (err) {
      throw this.mapError(err, 'GetTables');
    }
    return tables.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One table of the catalog (GetTable); lakeMissing naming it when it is not there. */
  async table(name: string): Promise<CatalogTable> {
    const { sdk: glue, client: glueClient } = await this.clients.glue();
    try {
      const out = await glueClient.send(new glue.GetTableCommand({ DatabaseName: this.database, Name: lakeTableName(name) }));
      if (!out.Table) throw new LabError('lakeMissing', `GetTable returned nothing for ${this.database}.${name}.`);
      return toCatalogTable(out.Table);
    } catch (err) {
      throw this.mapError(err, `GetTable ${name}`, { table: name });
    }
  }

  /** The data objects under an S3 location, every page (ListObjectsV2 through the SDK's paginator). */
  async objects(location: string): Promise<LakeObject[]> {
    if (!location.startsWith('s3://')) return [];
    const { sdk: s3, client: s3Client } = await this.clients.s3();
    const { bucket, prefix } = splitS3Url(location);
    const found: LakeObject[] = [];
    try {
      for await (const page of s3.paginateListObjectsV2({ client: s3Client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix ? `${prefix}/` : undefined })) {
        for (const o of page.Contents ?? []) {
          if (o.Key && isDataObject(o.Key)) found.push({ key: o.Key, bytes: o.Size ?? 0, etag: o.ETag });
        }
      }
    } catch (err) {
      throw this.mapError(err, `Listing ${location}`, { location });
    }
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** The lake path: the setting, else where the catalog's tables live (everything before `/gold/`). */
  private lakePath(tables?: CatalogTable[]): string | undefined {
    if (this.settings.glue.lakePath) return this.settings.glue.lakePath;
    for (const t of tables ?? []) {
      const found = lakePathOf(t.location);
      if (found) return found;
    }
    return undefined;
  }

  async manifest(): Promise<LakeManifest | undefined> {
    const lakePath = this.lakePath(this.settings.glue.lakePath ? undefined : await this.tables());
    return lakePath ? readS3Manifest(this.clients, lakePath) : undefined;
  }

  async overview(): Promise<LakeOverview> {
    const tables = await this.tables();
    const lakePath = this.lakePath(tables);
    const [manifest, listings] = await Promise.all([
      lakePath ? readS3Manifest(this.clients, lakePath) : Promise.resolve(undefined),
      mapLimited(tables, 4, (t) => this.objects(t.location)),
    ]);
    const problems: LakeProblem[] = [];
    const summaries = tables.map((table, i): LakeTableSummary => {
      const objects = listings[i];
      const own = compareTable(table, objects, manifest?.tables[table.name]);
      problems.push(...own);
      return {
        name: table.name,
        location: table.location,
        rows: manifest?.tables[table.name]?.rows,
        files: objects.length,
        bytes: objects.reduce((n, o) => n + o.bytes, 0),
        ...(own.length ? { problems: own } : {}),
      };
    });
    return { manifest, tables: summaries, problems };
  }

  /** Changes when a run publishes: the manifest object's ETag and every table's UpdateTime (and location). */
  async version(): Promise<string> {
    const tables = await this.tables();
    const lakePath = this.lakePath(tables);
    let etag = 'none';
    if (lakePath) {
      const { sdk: s3, client: s3Client } = await this.clients.s3();
      const where = manifestKey(lakePath);
      try {
        etag = (await s3Client.send(new s3.HeadObjectCommand({ Bucket: where.bucket, Key: where.key }))).ETag ?? 'none';
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name !== 'NotFound' && name !== 'NoSuchKey' && name !== 'NoSuchBucket') throw this.mapError(err, `Reading ${where.url}`);
      }
    }
    const stamp = tables.map((t) => `${t.name}@${t.updateTime?.getTime() ?? 0}:${t.location}`).join(',');
    return `${this.database}|${etag}|${stamp}`;
  }

  async schema(table: string): Promise<QueryResult> {
    const found = await this.table(table);
    return {
      columns: [{ name: 'column_name', type: 'VARCHAR' }, { name: 'column_type', type: 'VARCHAR' }, { name: 'null', type: 'VARCHAR' }],
      // Hive tables declare no NOT NULL: every column may be null.
      rows: found.columns.map((c) => [c.name, c.type, 'YES']),
      stats: { elapsedMs: 0 },
    };
  }

  /**
   * One page through Athena, every value cast to text (NULL stays null). Trino pages only an ordered result
   * reliably, so the rows are ordered by every column: the same row is at the same position in every page and in
   * cellValue.
   */
  async preview(table: string, offset: number, limit: number, signal?: AbortSignal): Promise<QueryResult> {
    const { columns } = await this.table(table);
    if (columns.length === 0) throw new LabError('lakeMissing', `The catalog table ${this.database}.${table} has no columns.`, { nextStep: RUN_PIPELINE });
    const select = columns.map((c) => {
      const id = sqlIdent(c.name);
      return `${COMPLEX_TYPE.test(c.type) ? `json_format(cast(${id} as json))` : `cast(${id} as varchar)`} as ${id}`;
    });
    const order = columns.map((_, i) => String(i + 1)).join(', ');
    const page = `offset ${Math.max(0, Math.floor(offset))} limit ${Math.max(0, Math.floor(limit))}`;
    const result = await this.engine.query(`select ${select.join(', ')} from ${sqlIdent(lakeTableName(table))} order by ${order} ${page}`, undefined, signal);
    return { ...result, rows: result.rows.map((row) => row.map((v) => (v === null || v === undefined ? null : String(v)))) };
  }

  /** The manifest's count when the catalog table is the one it describes, else Athena's COUNT(*). */
  async rowCount(table: string, signal?: AbortSignal): Promise<number> {
    const [found, manifest] = await Promise.all([this.table(table), this.manifest().catch(() => undefined)]);
    const recorded = manifest?.tables[found.name];
    if (recorded && recorded.location !== undefined && trimSlash(recorded.location) === trimSlash(found.location)) return recorded.rows;
    const result = await this.engine.query(`select count(*) from ${sqlIdent(lakeTableName(table))}`, undefined, signal);
    return Number(result.rows[0]?.[0] ?? 0);
  }

  async cellValue(table: string, column: string, rowIndex: number): Promise<string | null> {
    if (!Number.isSafeInteger(rowIndex) || rowIndex < 0) throw new LabError('internal', `Not a row number: ${rowIndex}`);
    const page = await this.preview(table, rowIndex, 1);
    const index = page.columns.findIndex((c) => c.name.toLowerCase() === column.toLowerCase());
    if (index < 0) throw new LabError('queryFailed', `${table} has no column ${column}; refresh the preview.`);
    if (page.rows.length === 0) throw new LabError('queryFailed', `Row ${rowIndex + 1} of ${table} is no longer in the lake; refresh the preview.`);
    const value = page.rows[0][index];
    return value === null ? null : String(value);
  }

  /**
   * Every table's objects against the manifest: presence and size of each recorded file, no extra files, then the
   * SHA-256 of each recorded file (read once from S3). Notes say what could not be checked.
   */
  async verify(work: LongWork = {}): Promise<LakeCheck & { recovered: boolean; notes: string[] }> {
    const progress = work.onProgress ?? (() => {});
    progress({ message: `Listing the tables of ${this.database}` });
    const tables = await this.tables();
    const lakePath = this.lakePath(tables);
    const manifest = lakePath ? await readS3Manifest(this.clients, lakePath) : undefined;
    if (!manifest && tables.length === 0) {
      throw new LabError('lakeMissing', `The Glue database ${this.database} has no tables yet.`, { nextStep: RUN_PIPELINE });
    }
    const notes: string[] = [];
    if (!lakePath) notes.push('The lake path is unknown (no setting, and no table under a gold/ folder): there is no manifest to compare the files with.');
    else if (!manifest) notes.push(`There is no ${manifestKey(lakePath).url}: the files could not be compared with what a run recorded.`);
    const checks: LakeTableCheck[] = [];
    const toHash: Array<{ check: LakeTableCheck; key: string; bucket: string; file: string; sha256: string; bytes: number }> = [];
    for (const table of tables) {
      throwIfCancelled(work.signal, 'Lake verification');
      progress({ message: `Listing ${table.location}` });
      const objects = await this.objects(table.location);
      const recorded = manifest?.tables[table.name];
      const problems = compareTable(table, objects, recorded);
      const check: LakeTableCheck = { table: table.name, files: objects.length, bytes: objects.reduce((n, o) => n + o.bytes, 0), ok: true, problems };
      checks.push(check);
      if (manifest && !recorded) notes.push(`${table.name} is not in the manifest (not written by its run): its files were not checked.`);
      else if (recorded && !Array.isArray(recorded.parts)) notes.push(`The manifest records only ${table.name}'s totals: its files' checksums could not be compared.`);
      const bad = new Set(problems.map((p) => p.file));
      const { bucket } = splitS3Url(table.location);
      const folder = tableFolderKey(table.location);
      for (const part of recorded?.parts ?? []) {
        if (bad.has(part.file)) continue;
        if (!part.sha256) continue;
        toHash.push({ check, bucket, key: folder ? `${folder}/${part.file}` : part.file, file: part.file, sha256: part.sha256, bytes: part.bytes });
      }
    }
    const total = toHash.reduce((n, h) => n + h.bytes, 0);
    let hashed = 0;
    for (const item of toHash) {
      throwIfCancelled(work.signal, 'Lake verification');
      progress({ message: `Checksum ${item.check.table}/${item.file}`, fraction: total ? hashed / total : undefined });
      const actual = await this.sha256(item.bucket, item.key, work.signal);
      hashed += item.bytes;
      if (actual !== item.sha256.toLowerCase()) {
        item.check.problems.push({ table: item.check.table, file: item.file, path: `s3://${item.bucket}/${item.key}`, kind: 'checksum',
          message: `${item.check.table}/${item.file} does not match the SHA-256 the run recorded (changed or corrupted).` });
      }
    }
    for (const c of checks) c.ok = c.problems.length === 0;
    const problems = checks.flatMap((c) => c.problems);
    return {
      lakeDir: this.location,
      level: 'full',
      manifest: !!manifest,
      checksums: toHash.length > 0,
      tables: checks,
      problems,
      ok: problems.length === 0,
      recovered: false,
      notes,
    };
  }

  private async sha256(bucket: string, key: string, signal?: AbortSignal): Promise<string> {
    const { sdk: s3, client: s3Client } = await this.clients.s3();
    const hash = createHash('sha256');
    try {
      const out = await s3Client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
        throwIfCancelled(signal, 'Lake verification');
        hash.update(chunk);
      }
    } catch (err) {
      throwIfCancelled(signal, 'Lake verification');
      throw this.mapError(err, `Reading s3://${bucket}/${key}`, { location: `s3://${bucket}/${key}` });
    }
    return hash.digest('hex');
  }

  /** Destroys the clients the catalog made itself (a backend's are the backend's to destroy). */
  async close(): Promise<void> {
    if (this.ownsClients) await this.clients.destroy();
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** `work` over every item, at most `limit` at once, results in the items' order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
