/**
 * The fixture lake of test/unit/dashboardLakeFixture.ts (real Parquet written by DuckDB) published the way the Glue
 * job publishes a run: each table's file under `<lake>/gold/<table>/run=<runId>/` in S3, a Glue catalog table
 * pointing at that prefix with the columns DuckDB reports, and `gold/_manifest.json` recording rows, sizes and SHA-256.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { awsClientConfig } from '../../src/core/aws/clients';
import type { AwsSettings } from '../../src/core/config';
import type { LakeManifest, LakeTableStats } from '../../src/core/run/manifest';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';

export const FIXTURE_TABLES = ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders'] as const;

export interface PublishedLake {
  manifest: LakeManifest & { tables: Record<string, { location: string }> };
  /** Per table: the catalog columns as published. */
  columns: Record<string, { name: string; type: string }[]>;
  /** Per table: the S3 key of its one data file. */
  keys: Record<string, string>;
}

/** A DuckDB column type as the Glue catalog (Hive) declares it. */
export function hiveType(duckdbType: string): string {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckdbType);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  const map: Record<string, string> = { VARCHAR: 'string', INTEGER: 'int', BIGINT: 'bigint', DOUBLE: 'double', DATE: 'date', BOOLEAN: 'boolean' };
  return map[duckdbType] ?? 'string';
}

export interface PublishOptions {
  bucket: string;
  /** Key prefix of the lake in the bucket (the job's --lake_path is s3://bucket/prefix). */
  prefix: string;
  database: string;
  runId: string;
  /** Also put a `_SUCCESS` marker next to each file (Hive and Athena skip it; so must the catalog). */
  markers?: boolean;
}

/** Uploads the local fixture lake as one published run; creates the bucket and the database when missing. */
export async function publishTestLake(aws: AwsSettings, lakeDir: string, options: PublishOptions): Promise<PublishedLake> {
  const [s3, glue] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/client-glue')]);
  const s3Client = new s3.S3Client(awsClientConfig(aws, { forcePathStyle: true }));
  const glueClient = new glue.GlueClient(awsClientConfig(aws));
  const engine = new DuckDbLakeEngine(lakeDir);
  const lake = `s3://${options.bucket}/${options.prefix}`;
  const tables: Record<string, LakeTableStats & { location: string }> = {};
  const columns: PublishedLake['columns'] = {};
  const keys: PublishedLake['keys'] = {};
  try {
    await s3Client.send(new s3.CreateBucketCommand({ Bucket: options.bucket })).catch((err: { name?: string }) => {
      if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
    });
    await glueClient.send(new glue.CreateDatabaseCommand({ DatabaseInput: { Name: options.database } })).catch((err: { name?: string }) => {
      if (err.name !== 'AlreadyExistsException') throw err;
    });
    for (const table of FIXTURE_TABLES) {
      const body = await fs.readFile(path.join(lakeDir, 'gold', table, 'part-0.parquet'));
      const file = `run=${options.runId}/part-00000.snappy.parquet`;
      const key = `${options.prefix}/gold/${table}/${file}`;
      keys[table] = key;
      await s3Client.send(new s3.PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body }));
      if (options.markers) await s3Client.send(new s3.PutObjectCommand({ Bucket: options.bucket, Key: `${options.prefix}/gold/${table}/run=${options.runId}/_SUCCESS`, Body: new Uint8Array(0) }));
      const described = await engine.query(`select column_name, column_type from (describe "${table}")`);
      columns[table] = described.rows.map(([name, type]) => ({ name: String(name).toLowerCase(), type: hiveType(String(type)) }));
      const rows = Number((await engine.query(`select count(*) from "${table}"`)).rows[0][0]);
      const location = `${lake}/gold/${table}/run=${options.runId}/`;
      const input = {
        Name: table,
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'parquet', lifecycle_lab_run_id: options.runId },
        StorageDescriptor: { Columns: columns[table].map((c) => ({ Name: c.name, Type: c.type })), Location: location },
      };
      try {
        await glueClient.send(new glue.CreateTableCommand({ DatabaseName: options.database, TableInput: input }));
      } catch (err) {
        if ((err as { name?: string }).name !== 'AlreadyExistsException') throw err;
        await glueClient.send(new glue.UpdateTableCommand({ DatabaseName: options.database, TableInput: input }));
      }
      tables[table] = {
        rows, files: 1, bytes: body.length, parts: [{ file, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') }], location,
      };
    }
    const now = new Date().toISOString();
    const manifest = {
      runId: options.runId,
      startedAt: now,
      finishedAt: now,
      model: 'star-v1' as const,
      engine: { name: 'glue', version: '3.5.4' },
      source: { host: 'de-c1w2-rds.x.us-east-1.rds.amazonaws.com', port: 3306, database: 'classicmodels',
        counts: { productlines: 7, products: 110, customers: 122, orders: 326, orderdetails: 2996 }, orderAmountTotal: '9604190.61' },
      tables,
      checks: [{ name: 'fact_rows_match_source', ok: true, expected: String(tables.fact_orders.rows), actual: String(tables.fact_orders.rows), message: 'fact_orders rows = source orderdetails rows' }],
      ok: true,
    };
    await s3Client.send(new s3.PutObjectCommand({ Bucket: options.bucket, Key: `${options.prefix}/gold/_manifest.json`, Body: JSON.stringify(manifest), ContentType: 'application/json' }));
    return { manifest, columns, keys };
  } finally {
    await engine.close();
    s3Client.destroy();
    glueClient.destroy();
  }
}
