import { DEFAULTS, type AwsSettings } from '../config';
import { LabError, throwIfCancelled } from '../errors';
import type { LongWork } from '../progress';
import { AwsClients } from './awsClients';
import { awsErrorToLabError } from './clients';

/**
 * The network checks before a Glue JDBC run. Most failed Glue runs against RDS are network ones (the job's ENI cannot
 * reach the database or S3), and Glue reports them minutes later as a timeout: these checks read the same settings
 * with Describe calls in a few seconds and name the fix. https://docs.aws.amazon.com/glue/latest/dg/setup-vpc-for-glue-access.html
 */
export type PreflightStatus = 'pass' | 'fail' | 'skipped';

export type PreflightCheckId = 'rdsInstance' | 'connection' | 'testConnection' | 's3Route' | 'selfReference' | 'dbIngress' | 'availabilityZone';

export interface PreflightCheck {
  id: PreflightCheckId;
  name: string;
  status: PreflightStatus;
  /** What was found. */
  detail: string;
  /** What to change, for a failed (or skipped) check. */
  fix?: string;
}

export interface PreflightReport {
  connectionName: string;
  /** In the order they ran. */
  checks: PreflightCheck[];
  /** The failed checks, in order; empty when the network looks right. */
  failed: PreflightCheck[];
}

export interface PreflightOptions extends LongWork {
  /**
   * Glue's own TestConnection (default on). It starts a network interface in the subnet and can take a minute or
   * more, so the check before each run leaves it out: the run itself is that test.
   */
  testConnection?: boolean;
  /** The backend's AWS clients; absent, the preflight makes its own and destroys them when done. */
  clients?: AwsClients;
}

export const PREFLIGHT_CHECK_NAMES: Record<PreflightCheckId, string> = {
  rdsInstance: 'RDS instance',
  connection: 'Glue connection points at the source',
  testConnection: 'Glue TestConnection',
  s3Route: 'S3 gateway endpoint (or NAT) for the connection\'s subnet',
  selfReference: 'Self-referencing inbound rule on the connection\'s security group',
  dbIngress: 'Database security group admits the connection',
  availabilityZone: 'Subnet availability zone matches the connection\'s',
};

type GlueModule = typeof import('@aws-sdk/client-glue');
type Ec2Module = typeof import('@aws-sdk/client-ec2');
type SecurityGroup = import('@aws-sdk/client-ec2').SecurityGroup;
type IpPermission = import('@aws-sdk/client-ec2').IpPermission;

/** What a check needs, or why it could not be learned (`problem` becomes the check's own result). */
type Fact<T> = { value: T } | { problem: Omit<PreflightCheck, 'id' | 'name'> };

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
/** TestConnection where the account, region or connection type does not offer it (moto has none: 404). */
const NOT_OFFERED = new Set(['UnknownOperationException', 'UnsupportedOperationException', 'OperationNotSupportedException', 'InvalidAction', 'NotImplemented']);

interface SourceFacts {
  host: string;
  port: number;
  securityGroupIds: string[];
  vpcId?: string;
}

interface ConnectionFacts {
  jdbcUrl?: string;
  subnetId?: string;
  securityGroupIds: string[];
  availabilityZone?: string;
}

interface SubnetFacts {
  id: string;
  vpcId: string;
  availabilityZone: string;
  cidr: string;
}

/**
 * Runs the checks in order: the RDS instance, the Glue connection and its JDBC URL, Glue's TestConnection, the
 * subnet's route to S3, the connection security group's self-reference, the database security group's ingress from
 * the connection, the availability zone. A check whose facts could not be read fails (or is skipped when the
 * credentials may not read them) with what to do; missing or invalid credentials and an unreachable endpoint throw,
 * since every check would fail the same way.
 */
export async function runPreflight(aws: AwsSettings, connectionName: string, options: PreflightOptions = {}): Promise<PreflightReport> {
  const { signal } = options;
  const progress = options.onProgress ?? (() => {});
  const ids: PreflightCheckId[] = ['rdsInstance', 'connection', ...(options.testConnection === false ? [] : ['testConnection' as const]),
    's3Route', 'selfReference', 'dbIngress', 'availabilityZone'];
  const checks: PreflightCheck[] = [];
  const step = (id: PreflightCheckId) => {
    throwIfCancelled(signal, 'Preflight');
    progress({ message: PREFLIGHT_CHECK_NAMES[id], fraction: checks.length / ids.length });
  };
  const add = (id: PreflightCheckId, result: Omit<PreflightCheck, 'id' | 'name'>) => {
    checks.push({ id, name: PREFLIGHT_CHECK_NAMES[id], ...result });
  };

  const owned = options.clients ? undefined : new AwsClients(aws);
  const shared = options.clients ?? owned!;
  const [{ sdk: glue, client: glueClient }, { sdk: ec2, client: ec2Client }, { sdk: rds, client: rdsClient }] = await Promise.all([shared.glue(), shared.ec2(), shared.rds()]);
  const clients = { glue: glueClient, ec2: ec2Client, rds: rdsClient };
  const send = { abortSignal: signal };
  /** Runs one read; credential and endpoint failures end the preflight, anything else is the check's problem. */
  const read = async <T>(what: string, work: () => Promise<T>, explain: (err: unknown) => Omit<PreflightCheck, 'id' | 'name'> | undefined = () => undefined): Promise<Fact<T>> => {
    try {
      return { value: await work() };
    } catch (err) {
      throwIfCancelled(signal, 'Preflight');
      const name = (err as { name?: string }).name ?? '';
      const known = explain(err);
      if (known) return { problem: known };
      if (ACCESS_DENIED.has(name)) {
        return { problem: { status: 'skipped', detail: `${what}: these credentials may not call it (${(err as Error).message ?? name}).`, fix: `Allow ${what} for these credentials to run this check.` } };
      }
      const e = awsErrorToLabError(err, what, aws);
      if (e.code === 'awsCredentials' || e.code === 'unreachable') throw e;
      return { problem: { status: 'fail', detail: e.message } };
    }
  };

  try {
    // The source: where the JDBC URL must point, and the security groups that must admit the connection.
    step('rdsInstance');
    const source = await read('rds:DescribeDBInstances', async (): Promise<SourceFacts> => {
      const out = await clients.rds.send(new rds.DescribeDBInstancesCommand({ DBInstanceIdentifier: aws.rdsInstanceId }), send);
      const db = out.DBInstances?.[0];
      if (!db?.Endpoint?.Address || !db.Endpoint.Port) {
        throw new LabError('rdsNotAvailable', `RDS instance ${aws.rdsInstanceId} is '${db?.DBInstanceStatus ?? 'unknown'}' and has no endpoint yet.`);
      }
      return {
        host: db.Endpoint.Address,
        port: db.Endpoint.Port,
        securityGroupIds: (db.VpcSecurityGroups ?? []).filter((g) => g.Status !== 'removing').map((g) => g.VpcSecurityGroupId ?? '').filter(Boolean),
        vpcId: db.DBSubnetGroup?.VpcId,
      };
    }, (err) => {
      const name = (err as { name?: string }).name;
      if (name === 'DBInstanceNotFoundFault') {
        return { status: 'fail', detail: `No RDS instance '${aws.rdsInstanceId}' in ${aws.region}.`, fix: 'Set lifecycleLab.aws.rdsInstanceId to the source instance (Discover RDS Instance lists them).' };
      }
      if (err instanceof LabError) return { status: 'fail', detail: err.message, fix: 'Wait until the instance is available (or start it), then run the preflight again.' };
      return undefined;
    });
    if ('problem' in source) add('rdsInstance', source.problem);
    else add('rdsInstance', { status: 'pass', detail: `${aws.rdsInstanceId} at ${source.value.host}:${source.value.port}, security groups ${source.value.securityGroupIds.join(', ') || 'none'}` });

    // The connection and where its JDBC URL points.
    step('connection');
    const connection = await read('glue:GetConnection', async (): Promise<ConnectionFacts> => {
      // HidePassword: the preflight never needs the connection's password, so it never receives it.
      const out = await clients.glue.send(new glue.GetConnectionCommand({ Name: connectionName, HidePassword: true }), send);
      const c = out.Connection;
      return {
        jdbcUrl: c?.ConnectionProperties?.JDBC_CONNECTION_URL,
        subnetId: c?.PhysicalConnectionRequirements?.SubnetId || undefined,
        securityGroupIds: c?.PhysicalConnectionRequirements?.SecurityGroupIdList ?? [],
        availabilityZone: c?.PhysicalConnectionRequirements?.AvailabilityZone || undefined,
      };
    }, (err) => ((err as { name?: string }).name === 'EntityNotFoundException'
      ? { status: 'fail', detail: `No Glue connection '${connectionName}' in ${aws.region}.`, fix: `Deploy it (terraform apply in terraform/ creates ${connectionName === DEFAULTS.aws.glueConnectionName ? 'it' : '<project>-source-connection'}) or set lifecycleLab.aws.glueConnectionName to the job's connection.` }
      : undefined));
    add('connection', connectionCheck(connection, source, connectionName));

    if (ids.includes('testConnection')) {
      step('testConnection');
      add('testConnection', await testConnectionCheck(glue, clients.glue, connectionName, source, signal));
    }

    const conn = 'value' in connection ? connection.value : undefined;
    const noVpc = conn && (!conn.subnetId || !conn.securityGroupIds.length);
    const needsConnection = (): Omit<PreflightCheck, 'id' | 'name'> | undefined => {
      if (!conn) return { status: 'skipped', detail: 'The Glue connection could not be read (see above).' };
      if (noVpc) {
        return { status: 'fail', detail: `Connection ${connectionName} has no subnet or security group, so Glue runs it outside the VPC and cannot reach a private RDS instance.`,
          fix: 'Give the connection the database VPC\'s subnet and a security group (terraform apply -var subnet_id=... -var db_sg_id=...).' };
      }
      return undefined;
    };

    const subnet: Fact<SubnetFacts> | undefined = conn?.subnetId ? await read('ec2:DescribeSubnets', async () => {
      const out = await clients.ec2.send(new ec2.DescribeSubnetsCommand({ SubnetIds: [conn.subnetId!] }), send);
      const s = out.Subnets?.[0];
      if (!s?.VpcId) throw new LabError('config', `Subnet ${conn.subnetId} was not found.`);
      return { id: conn.subnetId!, vpcId: s.VpcId, availabilityZone: s.AvailabilityZone ?? '', cidr: s.CidrBlock ?? '' };
    }, (err) => (/InvalidSubnetID|was not found/.test(`${(err as { name?: string }).name} ${(err as Error).message}`)
      ? { status: 'fail', detail: `The connection's subnet ${conn.subnetId} does not exist in ${aws.region}.`, fix: 'Point the connection at an existing private subnet of the database VPC (terraform apply -var subnet_id=...).' }
      : undefined)) : undefined;

    step('s3Route');
    add('s3Route', needsConnection() ?? (subnet && 'problem' in subnet ? subnet.problem : await s3RouteCheck(ec2, clients.ec2, (subnet as { value: SubnetFacts }).value, aws.region, read, signal)));

    const groupIds = [...new Set([...(conn?.securityGroupIds ?? []), ...('value' in source ? source.value.securityGroupIds : [])])];
    const groups = groupIds.length ? await read('ec2:DescribeSecurityGroups', async () => {
      const out = await clients.ec2.send(new ec2.DescribeSecurityGroupsCommand({ GroupIds: groupIds }), send);
      return new Map((out.SecurityGroups ?? []).map((g) => [g.GroupId ?? '', g]));
    }) : { value: new Map<string, SecurityGroup>() };

    step('selfReference');
    add('selfReference', needsConnection() ?? ('problem' in groups ? groups.problem : selfReferenceCheck(conn!.securityGroupIds, groups.value)));

    step('dbIngress');
    add('dbIngress', needsConnection() ?? ('problem' in source ? { status: 'skipped', detail: 'The RDS instance could not be read (see above).' }
      : 'problem' in groups ? groups.problem
        : dbIngressCheck(source.value, conn!.securityGroupIds, subnet && 'value' in subnet ? subnet.value.cidr : undefined, groups.value)));

    step('availabilityZone');
    add('availabilityZone', needsConnection() ?? (subnet && 'problem' in subnet ? subnet.problem : availabilityZoneCheck(conn!, (subnet as { value: SubnetFacts }).value)));
  } finally {
    await owned?.destroy();
  }
  progress({ message: 'Preflight done', fraction: 1 });
  return { connectionName, checks, failed: checks.filter((c) => c.status === 'fail') };
}

/** `jdbc:mysql://host[:port]/db?...` (mariadb too) -> host and port (3306 when absent). */
export function parseJdbcUrl(url: string): { host: string; port: number } | undefined {
  const m = /^jdbc:(?:mysql|mariadb):\/\/([^:/?#]+)(?::(\d+))?(?:[/?#]|$)/i.exec(url.trim());
  return m ? { host: m[1], port: m[2] ? Number(m[2]) : 3306 } : undefined;
}

function connectionCheck(connection: Fact<ConnectionFacts>, source: Fact<SourceFacts>, name: string): Omit<PreflightCheck, 'id' | 'name'> {
  if ('problem' in connection) return connection.problem;
  const url = connection.value.jdbcUrl;
  const target = url ? parseJdbcUrl(url) : undefined;
  if (!url || !target) {
    return { status: 'fail', detail: `Connection ${name} has ${url ? `a JDBC URL Lifecycle Lab cannot read (${url})` : 'no JDBC_CONNECTION_URL'}.`,
      fix: 'Set its JDBC URL to jdbc:mysql://<rds endpoint>:3306/classicmodels (terraform apply -var host=<rds endpoint>).' };
  }
  if ('problem' in source) return { status: 'skipped', detail: `Connection ${name} points at ${target.host}:${target.port}; the RDS instance to compare with could not be read (see above).` };
  const { host, port } = source.value;
  if (target.host.toLowerCase() !== host.toLowerCase() || target.port !== port) {
    return { status: 'fail', detail: `Connection ${name} points at ${target.host}:${target.port}, but the RDS instance is at ${host}:${port}.`,
      fix: `Point the connection at ${host}:${port} (terraform apply -var host=${host} -var port=${port}).` };
  }
  return { status: 'pass', detail: `${name} → ${target.host}:${target.port}` };
}

/** Glue's own TestConnection: pass, fail with Glue's message, or skipped where the account or connection type has none. */
export async function testConnectionCheck(glue: Pick<GlueModule, 'TestConnectionCommand'>, client: InstanceType<GlueModule['GlueClient']>,
  connectionName: string, source: Fact<SourceFacts> | undefined, signal?: AbortSignal): Promise<Omit<PreflightCheck, 'id' | 'name'>> {
  try {
    await client.send(new glue.TestConnectionCommand({ ConnectionName: connectionName }), { abortSignal: signal });
    return { status: 'pass', detail: `Glue reached the database through ${connectionName}.` };
  } catch (err) {
    throwIfCancelled(signal, 'Preflight');
    const e = (err ?? {}) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const name = e.name ?? '';
    const message = e.message ?? String(err);
    const status = e.$metadata?.httpStatusCode;
    if (NOT_OFFERED.has(name) || status === 404 || status === 501 || /not (available|supported|implemented)|unsupported/i.test(message)) {
      return { status: 'skipped', detail: `TestConnection is not available here (${name || status}: ${message}); the checks below look at the same network by hand.` };
    }
    if (ACCESS_DENIED.has(name)) {
      return { status: 'skipped', detail: `These credentials may not call glue:TestConnection (${message}).`, fix: 'Allow glue:TestConnection to run this check.' };
    }
    if (name === 'EntityNotFoundException') return { status: 'skipped', detail: 'There is no connection to test (see above).' };
    if (status !== undefined && status >= 500) {
      // Glue itself failed to run the test (after the SDK's retries): that says nothing about the network.
      return { status: 'skipped', detail: `Glue could not run TestConnection (HTTP ${status}: ${message}); the checks below look at the same network by hand.` };
    }
    const where = source && 'value' in source ? `${source.value.host}:${source.value.port}` : 'the database';
    return { status: 'fail', detail: `Glue could not connect through ${connectionName}: ${message}`,
      fix: `Fix the failing network checks below (route to S3, security groups, availability zone); if they pass, check that ${where} is up and the connection's user and password are right.` };
  }
}

/** The subnet's route table (its own association, else the VPC's main table) must route to S3: a gateway endpoint or NAT. */
async function s3RouteCheck(ec2: Ec2Module, client: InstanceType<Ec2Module['EC2Client']>, subnet: SubnetFacts, region: string,
  read: <T>(what: string, work: () => Promise<T>) => Promise<Fact<T>>, signal?: AbortSignal): Promise<Omit<PreflightCheck, 'id' | 'name'>> {
  const vpcFilter = [{ Name: 'vpc-id', Values: [subnet.vpcId] }];
  const tables = await read('ec2:DescribeRouteTables', async () => {
    const all = [];
    for await (const page of ec2.paginateDescribeRouteTables({ client }, { Filters: vpcFilter })) all.push(...(page.RouteTables ?? []));
    return all;
  });
  if ('problem' in tables) return tables.problem;
  const table = tables.value.find((t) => t.Associations?.some((a) => a.SubnetId === subnet.id))
    ?? tables.value.find((t) => t.Associations?.some((a) => a.Main));
  if (!table?.RouteTableId) {
    return { status: 'fail', detail: `Subnet ${subnet.id} has no route table.`, fix: `Associate subnet ${subnet.id} with a route table of ${subnet.vpcId} that has an S3 gateway endpoint.` };
  }
  const rtb = table.RouteTableId;
  const s3Service = `com.amazonaws.${region}.s3`;
  const endpoints = await read('ec2:DescribeVpcEndpoints', async () => {
    const all = [];
    for await (const page of ec2.paginateDescribeVpcEndpoints({ client }, { Filters: vpcFilter })) all.push(...(page.VpcEndpoints ?? []));
    return all;
  });
  if ('problem' in endpoints) return endpoints.problem;
  throwIfCancelled(signal, 'Preflight');
  const s3Gateways = endpoints.value.filter((e) => e.ServiceName === s3Service && (e.VpcEndpointType ?? 'Gateway').toLowerCase() === 'gateway'
    && !/deleted|deleting|rejected|failed|expired/i.test(e.State ?? ''));
  const gateway = s3Gateways.find((e) => e.RouteTableIds?.includes(rtb) || table.Routes?.some((r) => r.GatewayId === e.VpcEndpointId));
  if (gateway) return { status: 'pass', detail: `Route table ${rtb} of ${subnet.id} reaches S3 through gateway endpoint ${gateway.VpcEndpointId}.` };
  const nat = table.Routes?.find((r) => r.NatGatewayId && r.DestinationCidrBlock === '0.0.0.0/0' && r.State !== 'blackhole');
  if (nat) return { status: 'pass', detail: `Route table ${rtb} of ${subnet.id} reaches S3 through NAT gateway ${nat.NatGatewayId}.` };
  const elsewhere = s3Gateways[0];
  return {
    status: 'fail',
    detail: `Route table ${rtb} of subnet ${subnet.id} has no S3 gateway endpoint and no NAT route${elsewhere ? ` (endpoint ${elsewhere.VpcEndpointId} serves other route tables)` : ''}: the job cannot read its script or write the lake.`,
    fix: elsewhere
      ? `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${elsewhere.VpcEndpointId} --add-route-table-ids ${rtb}`
      : `aws ec2 create-vpc-endpoint --vpc-id ${subnet.vpcId} --vpc-endpoint-type Gateway --service-name ${s3Service} --route-table-ids ${rtb}`,
  };
}

/** True when the rule lets in TCP on `port` (undefined: every port), as "all traffic" or a TCP range. */
function coversPort(rule: IpPermission, port?: number): boolean {
  if (rule.IpProtocol === '-1' || rule.IpProtocol === 'all') return true;
  if (rule.IpProtocol !== 'tcp' && rule.IpProtocol !== '6') return false;
  const from = rule.FromPort ?? 0;
  const to = rule.ToPort ?? 65535;
  return port === undefined ? from <= 0 && to >= 65535 : from <= port && port <= to;
}

function selfReferenceCheck(connectionGroups: string[], groups: Map<string, SecurityGroup>): Omit<PreflightCheck, 'id' | 'name'> {
  const missing = connectionGroups.filter((id) => !groups.has(id));
  if (missing.length === connectionGroups.length) {
    return { status: 'fail', detail: `The connection's security group ${missing.join(', ')} does not exist.`, fix: 'Point the connection at an existing security group (terraform apply -var db_sg_id=...).' };
  }
  const selfReferencing = connectionGroups.find((id) => groups.get(id)?.IpPermissions?.some((rule) => coversPort(rule) && rule.UserIdGroupPairs?.some((p) => p.GroupId === id)));
  if (selfReferencing) return { status: 'pass', detail: `${selfReferencing} admits all TCP from itself.` };
  const sg = connectionGroups.find((id) => groups.has(id))!;
  return {
    status: 'fail',
    detail: `No security group of the connection (${connectionGroups.join(', ')}) admits all TCP from itself; Glue's workers cannot talk to each other.`,
    fix: `aws ec2 authorize-security-group-ingress --group-id ${sg} --protocol tcp --port 0-65535 --source-group ${sg}`,
  };
}

function dbIngressCheck(source: SourceFacts, connectionGroups: string[], subnetCidr: string | undefined, groups: Map<string, SecurityGroup>): Omit<PreflightCheck, 'id' | 'name'> {
  for (const dbGroup of source.securityGroupIds) {
    for (const rule of groups.get(dbGroup)?.IpPermissions ?? []) {
      if (!coversPort(rule, source.port)) continue;
      const fromGroup = rule.UserIdGroupPairs?.find((p) => p.GroupId && connectionGroups.includes(p.GroupId));
      if (fromGroup) return { status: 'pass', detail: `${dbGroup} admits ${fromGroup.GroupId} on port ${source.port}.` };
      const fromCidr = subnetCidr ? rule.IpRanges?.find((r) => r.CidrIp && cidrContains(r.CidrIp, subnetCidr)) : undefined;
      if (fromCidr) return { status: 'pass', detail: `${dbGroup} admits ${fromCidr.CidrIp} (the connection's subnet ${subnetCidr}) on port ${source.port}.` };
    }
  }
  const dbGroup = source.securityGroupIds[0];
  return {
    status: 'fail',
    detail: `No security group of the RDS instance (${source.securityGroupIds.join(', ') || 'none'}) admits the connection's security group (${connectionGroups.join(', ')})${subnetCidr ? ` or its subnet ${subnetCidr}` : ''} on port ${source.port}.`,
    fix: dbGroup
      ? `aws ec2 authorize-security-group-ingress --group-id ${dbGroup} --protocol tcp --port ${source.port} --source-group ${connectionGroups[0]}`
      : 'Give the RDS instance a VPC security group that admits the connection\'s security group on the database port.',
  };
}

function availabilityZoneCheck(connection: ConnectionFacts, subnet: SubnetFacts): Omit<PreflightCheck, 'id' | 'name'> {
  if (connection.availabilityZone === subnet.availabilityZone) {
    return { status: 'pass', detail: `${subnet.id} and the connection are both in ${subnet.availabilityZone}.` };
  }
  return {
    status: 'fail',
    detail: `The connection says ${connection.availabilityZone ?? 'no availability zone'}, but its subnet ${subnet.id} is in ${subnet.availabilityZone}; Glue cannot place its network interface.`,
    fix: `Set the connection's availability zone to ${subnet.availabilityZone} (the Terraform module takes it from the subnet: terraform apply).`,
  };
}

/** True when IPv4 CIDR `outer` contains all of `inner`. */
export function cidrContains(outer: string, inner: string): boolean {
  const parse = (cidr: string) => {
    const [ip, bits] = cidr.split('/');
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    const prefix = bits === undefined ? 32 : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
    return { address: ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0, prefix };
  };
  const o = parse(outer);
  const i = parse(inner);
  if (!o || !i || i.prefix < o.prefix) return false;
  const mask = o.prefix === 0 ? 0 : (~0 << (32 - o.prefix)) >>> 0;
  return ((o.address & mask) >>> 0) === ((i.address & mask) >>> 0);
}

/** The failing check as the error that stops a run: its detail, its fix, and the preflight command. */
export function preflightFailure(report: PreflightReport): LabError | undefined {
  const first = report.failed[0];
  if (!first) return undefined;
  const more = report.failed.length > 1 ? ` (${report.failed.length - 1} more failing: ${report.failed.slice(1).map((c) => c.name).join('; ')})` : '';
  return new LabError('config', `Preflight: ${first.name} failed: ${first.detail}${first.fix ? ` Fix: ${first.fix}` : ''}${more}`, {
    nextStep: { label: 'Check AWS Network (Preflight)', command: 'lifecycleLab.aws.preflight' },
  });
}
