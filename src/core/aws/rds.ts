import type { AwsSettings } from '../config';
import { LabError } from '../errors';
import { withAwsClients, type AwsClients, type RdsSdk } from './awsClients';
import { awsErrorToLabError } from './clients';

/** What the lab needs to know about an RDS instance. */
export interface RdsInstance {
  id: string;
  /** e.g. available, creating, stopped, backing-up. */
  status: string;
  engine: string;
  engineVersion: string;
  host?: string;
  port?: number;
  masterUsername?: string;
  dbName?: string;
}

/** Host, port and user to connect to; only for an instance that is `available`. */
export interface RdsEndpoint {
  instance: RdsInstance;
  host: string;
  port: number;
  user?: string;
}

export type DbInstance = NonNullable<import('@aws-sdk/client-rds').DescribeDBInstancesCommandOutput['DBInstances']>[number];

function toInstance(db: DbInstance): RdsInstance {
  return {
    id: db.DBInstanceIdentifier ?? '',
    status: db.DBInstanceStatus ?? 'unknown',
    engine: db.Engine ?? '',
    engineVersion: db.EngineVersion ?? '',
    host: db.Endpoint?.Address,
    port: db.Endpoint?.Port,
    masterUsername: db.MasterUsername,
    dbName: db.DBName,
  };
}

/** Runs `work` on the given clients' RDS client, or on clients of its own destroyed afterwards. */
function withRds<T>(aws: AwsSettings, clients: AwsClients | undefined, work: (rds: RdsSdk) => Promise<T>): Promise<T> {
  return clients ? clients.rds().then(work) : withAwsClients(aws, async (own) => work(await own.rds()));
}

/**
 * The one DescribeDBInstances wrapper: the SDK's instance for one id (Discover RDS, Terraform's network variables).
 * Not found -> 'rdsNotFound' naming the id and the setting.
 */
export function describeDbInstance(aws: AwsSettings, id = aws.rdsInstanceId, clients?: AwsClients): Promise<DbInstance> {
  return withRds(aws, clients, async ({ sdk, client }) => {
    try {
      const out = await client.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      const db = out.DBInstances?.[0];
      if (!db) throw notFound(id, aws);
      return db;
    } catch (err) {
      if ((err as { name?: string }).name === 'DBInstanceNotFoundFault') throw notFound(id, aws, err);
      throw awsErrorToLabError(err, 'DescribeDBInstances', aws);
    }
  });
}

/** DescribeDBInstances for one id, as the lab shows an instance. */
export async function describeRdsInstance(aws: AwsSettings, id = aws.rdsInstanceId, clients?: AwsClients): Promise<RdsInstance> {
  return toInstance(await describeDbInstance(aws, id, clients));
}

/**
 * Every instance in the region, page by page through the SDK's paginator (`pageSize` is MaxRecords: 20 to 100), for
 * picking one when the configured id is not found.
 */
export function listRdsInstances(aws: AwsSettings, options: { pageSize?: number; clients?: AwsClients } = {}): Promise<RdsInstance[]> {
  return withRds(aws, options.clients, async ({ sdk, client }) => {
    const instances: RdsInstance[] = [];
    try {
      for await (const page of sdk.paginateDescribeDBInstances({ client, pageSize: options.pageSize ?? 100 }, {})) {
        instances.push(...(page.DBInstances ?? []).map(toInstance));
      }
    } catch (err) {
      throw awsErrorToLabError(err, 'DescribeDBInstances', aws);
    }
    return instances.sort((a, b) => a.id.localeCompare(b.id));
  });
}

/** The endpoint of an instance that can take connections; any other status -> 'rdsNotAvailable' with the status. */
export function rdsEndpoint(instance: RdsInstance): RdsEndpoint {
  if (instance.status !== 'available' || !instance.host || !instance.port) {
    throw new LabError('rdsNotAvailable', `RDS instance ${instance.id} is '${instance.status}', not 'available'${instance.host ? '' : ' and has no endpoint yet'}. Wait for it (or start it) and discover again.`, {
      nextStep: { label: 'Discover RDS Instance', command: 'lifecycleLab.source.discoverRds' },
    });
  }
  return { instance, host: instance.host, port: instance.port, user: instance.masterUsername };
}

/** Describe + endpoint: what "Discover RDS Instance" does for the configured id. */
export async function discoverRdsEndpoint(aws: AwsSettings, id = aws.rdsInstanceId): Promise<RdsEndpoint> {
  return rdsEndpoint(await describeRdsInstance(aws, id));
}

function notFound(id: string, aws: AwsSettings, cause?: unknown): LabError {
  return new LabError('rdsNotFound', `No RDS instance '${id}' in ${aws.region}${aws.profile ? ` (profile ${aws.profile})` : ''}.`, {
    nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.rdsInstanceId' }, cause,
  });
}
