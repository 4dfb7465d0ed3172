import type { AwsSettings } from '../config';
import { describeDbInstance, type DbInstance } from '../aws/rds';
import type { RdsNetwork } from './variables';

/**
 * The module's network variables from an RDS instance: its VPC, a subnet of its subnet group (the one in the
 * instance's availability zone when there is one: the Glue connection's zone must reach it), its first VPC security
 * group, and its endpoint.
 */
export function networkOfInstance(db: DbInstance): RdsNetwork {
  const subnets = db.DBSubnetGroup?.Subnets ?? [];
  const sameZone = subnets.find((s) => s.SubnetAvailabilityZone?.Name && s.SubnetAvailabilityZone.Name === db.AvailabilityZone);
  const active = (db.VpcSecurityGroups ?? []).find((g) => g.Status !== 'inactive' && g.VpcSecurityGroupId);
  return {
    host: db.Endpoint?.Address,
    port: db.Endpoint?.Port,
    vpcId: db.DBSubnetGroup?.VpcId,
    subnetId: (sameZone ?? subnets.find((s) => s.SubnetIdentifier))?.SubnetIdentifier,
    securityGroupId: active?.VpcSecurityGroupId,
  };
}

/** DescribeDBInstances for the configured instance (aws/rds.ts), reduced to what the module's variables need. */
export async function discoverRdsNetwork(aws: AwsSettings, id = aws.rdsInstanceId): Promise<RdsNetwork> {
  return networkOfInstance(await describeDbInstance(aws, id));
}
