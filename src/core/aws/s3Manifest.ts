import { LabError, type NextStep } from '../errors';
import { parseLakeManifest, type LakeManifest } from '../run/manifest';
import type { AwsClients } from './awsClients';
import { awsErrorToLabError } from './clients';

/** s3://bucket/prefix -> bucket and key prefix (no slashes at its ends). */
export function splitS3Url(url: string): { bucket: string; prefix: string } {
  const rest = url.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, prefix: '' } : { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1).replace(/^\/+|\/+$/g, '') };
}

/** Where the Glue job writes its manifest: `<lake>/gold/_manifest.json` (glue/glue_adapter.py GlueAdapter.publish). */
export function manifestKey(lakePath: string): { bucket: string; key: string; url: string } {
  const { bucket, prefix } = splitS3Url(lakePath);
  const key = [prefix, 'gold', '_manifest.json'].filter(Boolean).join('/');
  return { bucket, key, url: `s3://${bucket}/${key}` };
}

export const OPEN_LAKE_SETTING: NextStep = { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.lakePath' };

/** The lake's `gold/_manifest.json` from S3; undefined when there is none yet. */
export async function readS3Manifest(clients: AwsClients, lakePath: string): Promise<LakeManifest | undefined> {
  const { sdk, client } = await clients.s3();
  const where = manifestKey(lakePath);
  let text: string;
  try {
    const out = await client.send(new sdk.GetObjectCommand({ Bucket: where.bucket, Key: where.key }));
    text = (await out.Body?.transformToString('utf-8')) ?? '';
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    if (name === 'NoSuchBucket') {
      throw new LabError('config', `The lake bucket of ${lakePath} does not exist. Set the S3 lake path to the job's --lake_path.`, { nextStep: OPEN_LAKE_SETTING, cause: err });
    }
    throw awsErrorToLabError(err, `Reading ${where.url}`, clients.aws);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LabError('lakeDamaged', `${where.url} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const manifest = parseLakeManifest(parsed);
  if (!manifest || !manifest.tables.fact_orders) {
    throw new LabError('lakeDamaged', `${where.url} is not a manifest of the star-v1 model (manifest.schema.json); was the lake written by another job?`);
  }
  return manifest;
}
