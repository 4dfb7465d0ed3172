/**
 * The Glue job as the moto tests set it up: the job as terraform/glue.tf creates it, the manifest a SUCCEEDED run
 * publishes to the lake path, and job runs that move one state per poll (moto runs nothing).
 */
import * as assert from 'node:assert/strict';
import { awsClientConfig } from '../../src/core/aws/clients';
import type { LakeManifest } from '../../src/core/run/manifest';
import type { MotoServer } from './motoServer';

export const JOB = 'de-c1w2-etl-job';
export const LAKE = 's3://lab-lake/warehouse';
const MANIFEST_KEY = 'warehouse/gold/_manifest.json';

/** The manifest the Glue job publishes beside its tables (its shape as the job writes it), both checks passed. */
export function glueRunManifest(runId = '20260101T000000Z-abc123'): LakeManifest {
  const now = new Date().toISOString();
  return {
    runId,
    startedAt: now,
    finishedAt: now,
    model: 'star-v1',
    engine: { name: 'glue', version: '3.5.4' },
    source: { host: 'de-c1w2-rds.x.us-east-1.rds.amazonaws.com', port: 3306, database: 'classicmodels',
      counts: { productlines: 7, products: 110, customers: 122, orders: 326, orderdetails: 2996 }, orderAmountTotal: '9604190.61' },
    tables: {
      dim_customers: { rows: 122, files: 1, bytes: 9000 },
      dim_products: { rows: 110, files: 1, bytes: 30000 },
      dim_locations: { rows: 95, files: 1, bytes: 3000 },
      fact_orders: { rows: 2996, files: 2, bytes: 60000 },
    },
    checks: [
      { name: 'fact_rows_match_source', ok: true, expected: '2996', actual: '2996', message: 'fact_orders rows = source orderdetails rows: 2996' },
      { name: 'order_amount_matches_source', ok: true, expected: '9604190.61', actual: '9604190.61', message: 'SUM(orderAmount) = source SUM(quantityOrdered × priceEach): 9604190.61' },
    ],
    ok: true,
  };
}

/** Job runs go STARTING -> RUNNING -> SUCCEEDED, one state every `pollsPerState` polls. */
export async function glueRunsStepByStep(moto: MotoServer, pollsPerState: number): Promise<void> {
  const res = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'glue::job_run', transition: { progression: 'manual', times: pollsPerState } }),
  });
  assert.ok(res.ok, `set-transition: HTTP ${res.status}`);
}

/** The job as terraform/glue.tf creates it: G.1X × 2, the lake path as a default argument. */
export async function createGlueJob(moto: MotoServer, name = JOB, lakePath = LAKE, extra: Record<string, string> = {}): Promise<void> {
  const glue = await import('@aws-sdk/client-glue');
  const client = new glue.GlueClient(awsClientConfig(moto.settings()));
  try {
    await client.send(new glue.CreateJobCommand({
      Name: name, Role: 'arn:aws:iam::123456789012:role/glue', GlueVersion: '4.0', WorkerType: 'G.1X', NumberOfWorkers: 2,
      Command: { Name: 'glueetl', ScriptLocation: 's3://lab-scripts/glue_job.py' },
      DefaultArguments: { '--lake_path': lakePath, '--source_database': 'classicmodels', ...extra },
    }));
  } finally {
    client.destroy();
  }
}

/** Puts a manifest where a run publishes it (the lake path's gold/_manifest.json), creating the bucket. */
export async function putGlueManifest(moto: MotoServer, body: LakeManifest, key = MANIFEST_KEY): Promise<void> {
  const s3 = await import('@aws-sdk/client-s3');
  const client = new s3.S3Client(awsClientConfig(moto.settings(), { forcePathStyle: true }));
  try {
    await client.send(new s3.CreateBucketCommand({ Bucket: 'lab-lake' }));
    await client.send(new s3.PutObjectCommand({ Bucket: 'lab-lake', Key: key, Body: JSON.stringify(body), ContentType: 'application/json' }));
  } finally {
    client.destroy();
  }
}
