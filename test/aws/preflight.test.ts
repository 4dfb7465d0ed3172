/**
 * The Glue network preflight. On moto: a healthy network built with the SDK (VPC, subnet, route table with an S3
 * gateway endpoint, the connection's self-referencing security group, the database's security group admitting it,
 * the RDS instance, the Glue connection) passes every check; taking away each piece fails exactly its check, with
 * the fix. moto has no TestConnection and cannot fail the SDK's credentials: those run with the SDK mocked.
 */
import * as assert from 'node:assert/strict';
import {
  AllocateAddressCommand, AuthorizeSecurityGroupIngressCommand, AssociateRouteTableCommand, CreateNatGatewayCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSecurityGroupCommand,
  CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import * as glueSdk from '@aws-sdk/client-glue';
import { CreateConnectionCommand, CreateJobCommand, DeleteConnectionCommand, GetJobRunsCommand, GlueClient, TestConnectionCommand } from '@aws-sdk/client-glue';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, RDSClient, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { awsClientConfig } from '../../src/core/aws/clients';
import { cidrContains, parseJdbcUrl, runPreflight, testConnectionCheck, type PreflightCheckId, type PreflightReport } from '../../src/core/aws/preflight';
import { PreflightGlueRunner } from '../../src/core/aws/preflightRunner';
import type { AwsSettings } from '../../src/core/config';
import { expectLabError } from '../helpers';
import { startMotoGlueServer, stopMotoGlueServer, useAwsEnvironment, type LaunchedMoto } from './motoServer';

const CONNECTION = 'de-c1w2-source-connection';
const DB_PORT = 3306;


/** The ids of one network built on moto. */
interface Network {
  vpcId: string;
  subnetId: string;
  routeTableId: string;
  endpointId: string;
  glueSg: string;
  dbSg: string;
  dbHost: string;
}

function statuses(report: PreflightReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

function check(report: PreflightReport, id: PreflightCheckId) {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `check ${id} ran`);
  return found;
}

suite('preflight: the Glue connection\'s network on moto', function () {
  this.timeout(60_000);
  let moto: LaunchedMoto<object>;
  let aws: AwsSettings;
  let restoreEnv: () => void;
  let ec2: EC2Client;
  let glue: GlueClient;
  let rds: RDSClient;

  suiteSetup(async () => {
    moto = await startMotoGlueServer();
    aws = { region: 'us-east-1', profile: '', endpoint: moto.endpoint, rdsInstanceId: 'de-c1w2-rds' };
  });

  suiteTeardown(() => stopMotoGlueServer(moto));

  setup(async () => {
    restoreEnv = useAwsEnvironment('fake');
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    ec2 = new EC2Client(awsClientConfig(aws));
    glue = new GlueClient(awsClientConfig(aws));
    rds = new RDSClient(awsClientConfig(aws));
  });

  teardown(() => {
    ec2.destroy();
    glue.destroy();
    rds.destroy();
    restoreEnv();
  });

  /** The network the Terraform module expects, healthy; `connection` overrides fields of the Glue connection. */
  async function buildNetwork(connection: { availabilityZone?: string; jdbcHost?: string } = {}): Promise<Network> {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const otherSubnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    const routeTableId = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
    const endpointId = (await ec2.send(new CreateVpcEndpointCommand({
      VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.s3', VpcEndpointType: 'Gateway', RouteTableIds: [routeTableId],
    }))).VpcEndpoint!.VpcEndpointId!;
    const glueSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'glue-connection', Description: 'glue', VpcId: vpcId }))).GroupId!;
    const dbSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'database', Description: 'db', VpcId: vpcId }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: glueSg, IpPermissions: [selfRule(glueSg)] }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: [dbRule(glueSg)] }));
    await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'lab', DBSubnetGroupDescription: 'lab', SubnetIds: [subnetId, otherSubnet] }));
    await rds.send(new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'de-c1w2-rds', Engine: 'mysql', DBInstanceClass: 'db.t3.micro', AllocatedStorage: 20, MasterUsername: 'admin',
      MasterUserPassword: 'moto-only-password', Port: DB_PORT, VpcSecurityGroupIds: [dbSg], DBSubnetGroupName: 'lab',
    }));
    const dbHost = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'de-c1w2-rds' }))).DBInstances![0].Endpoint!.Address!;
    await glue.send(new CreateConnectionCommand({
      ConnectionInput: {
        Name: CONNECTION,
        ConnectionType: 'JDBC',
        ConnectionProperties: { JDBC_CONNECTION_URL: `jdbc:mysql://${connection.jdbcHost ?? dbHost}:${DB_PORT}/classicmodels`, USERNAME: 'admin' },
        PhysicalConnectionRequirements: { SubnetId: subnetId, SecurityGroupIdList: [glueSg], AvailabilityZone: connection.availabilityZone ?? 'us-east-1a' },
      },
    }));
    return { vpcId, subnetId, routeTableId, endpointId, glueSg, dbSg, dbHost };
  }

  const selfRule = (sg: string) => ({ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: sg }] });
  const dbRule = (sg: string) => ({ IpProtocol: 'tcp', FromPort: DB_PORT, ToPort: DB_PORT, UserIdGroupPairs: [{ GroupId: sg }] });
  const preflight = () => runPreflight(aws, CONNECTION, { testConnection: false });

  test('a healthy network passes every check', async () => {
    const net = await buildNetwork();
    const report = await preflight();
    assert.deepEqual(report.failed, []);
    assert.deepEqual(statuses(report), { rdsInstance: 'pass', connection: 'pass', s3Route: 'pass', selfReference: 'pass', dbIngress: 'pass', availabilityZone: 'pass' });
    assert.match(check(report, 's3Route').detail, new RegExp(net.endpointId));
    assert.match(check(report, 'dbIngress').detail, new RegExp(`${net.dbSg} admits ${net.glueSg}`));
  });

  test('no S3 gateway endpoint: the route check fails and names the create-vpc-endpoint command', async () => {
    const net = await buildNetwork();
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [net.endpointId] }));
    const report = await preflight();
    assert.deepEqual(report.failed.map((c) => c.id), ['s3Route']);
    assert.match(check(report, 's3Route').fix!, new RegExp(`create-vpc-endpoint --vpc-id ${net.vpcId} .*com\\.amazonaws\\.us-east-1\\.s3 --route-table-ids ${net.routeTableId}`));
  });

  test('an S3 endpoint serving only other route tables names modify-vpc-endpoint; a NAT route passes', async () => {
    const net = await buildNetwork();
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [net.endpointId] }));
    const otherTable = (await ec2.send(new CreateRouteTableCommand({ VpcId: net.vpcId }))).RouteTable!.RouteTableId!;
    const other = (await ec2.send(new CreateVpcEndpointCommand({
      VpcId: net.vpcId, ServiceName: 'com.amazonaws.us-east-1.s3', VpcEndpointType: 'Gateway', RouteTableIds: [otherTable],
    }))).VpcEndpoint!.VpcEndpointId!;
    let report = await preflight();
    assert.deepEqual(report.failed.map((c) => c.id), ['s3Route']);
    assert.equal(check(report, 's3Route').fix, `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${other} --add-route-table-ids ${net.routeTableId}`);

    const allocation = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
    const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: net.subnetId, AllocationId: allocation }))).NatGateway!.NatGatewayId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: net.routeTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
    report = await preflight();
    assert.deepEqual(report.failed, []);
    assert.match(check(report, 's3Route').detail, new RegExp(`NAT gateway ${nat}`));
  });

  test('no self-referencing rule: that check fails with the authorize command for the connection\'s group', async () => {
    const net = await buildNetwork();
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: net.glueSg, IpPermissions: [selfRule(net.glueSg)] }));
    const report = await preflight();
    assert.deepEqual(report.failed.map((c) => c.id), ['selfReference']);
    assert.equal(check(report, 'selfReference').fix, `aws ec2 authorize-security-group-ingress --group-id ${net.glueSg} --protocol tcp --port 0-65535 --source-group ${net.glueSg}`);
  });

  test('the database group does not admit the connection: that check fails; its subnet\'s CIDR on the port passes', async () => {
    const net = await buildNetwork();
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: net.dbSg, IpPermissions: [dbRule(net.glueSg)] }));
    let report = await preflight();
    assert.deepEqual(report.failed.map((c) => c.id), ['dbIngress']);
    assert.equal(check(report, 'dbIngress').fix, `aws ec2 authorize-security-group-ingress --group-id ${net.dbSg} --protocol tcp --port ${DB_PORT} --source-group ${net.glueSg}`);

    // A rule on another port does not count; the VPC's CIDR on the database port does.
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.dbSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.20.0.0/16' }] }] }));
    assert.deepEqual((await preflight()).failed.map((c) => c.id), ['dbIngress']);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.dbSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: DB_PORT, ToPort: DB_PORT, IpRanges: [{ CidrIp: '10.20.0.0/16' }] }] }));
    report = await preflight();
    assert.deepEqual(report.failed, []);
    assert.match(check(report, 'dbIngress').detail, /10\.20\.0\.0\/16/);
  });

  test('the connection\'s availability zone is not its subnet\'s: that check fails naming the subnet\'s zone', async () => {
    await buildNetwork({ availabilityZone: 'us-east-1b' });
    const report = await preflight();
    assert.deepEqual(report.failed.map((c) => c.id), ['availabilityZone']);
    assert.match(check(report, 'availabilityZone').fix!, /us-east-1a/);
  });

  test('the JDBC URL points elsewhere: the connection check fails naming the RDS endpoint', async () => {
    const net = await buildNetwork({ jdbcHost: 'old-db.example.internal' });
    const report = await preflight();
    assert.deepEqual(report.failed.map((c) => c.id), ['connection']);
    assert.match(check(report, 'connection').detail, /old-db\.example\.internal:3306/);
    assert.match(check(report, 'connection').fix!, new RegExp(`terraform apply -var host=${net.dbHost.replace(/\./g, '\\.')}`));
  });

  test('no Glue connection: that check fails with the setting and terraform; the network checks are skipped', async () => {
    await buildNetwork();
    await glue.send(new DeleteConnectionCommand({ ConnectionName: CONNECTION }));
    const report = await preflight();
    assert.deepEqual(report.failed.map((c) => c.id), ['connection']);
    assert.match(check(report, 'connection').fix!, /terraform apply.*lifecycleLab\.aws\.glueConnectionName/);
    assert.deepEqual(['s3Route', 'selfReference', 'dbIngress', 'availabilityZone'].map((id) => statuses(report)[id]), ['skipped', 'skipped', 'skipped', 'skipped']);
  });

  test('no RDS instance: that check fails with the setting to change', async () => {
    await buildNetwork();
    const report = await runPreflight({ ...aws, rdsInstanceId: 'no-such-db' }, CONNECTION, { testConnection: false });
    assert.deepEqual(report.failed.map((c) => c.id), ['rdsInstance']);
    assert.match(check(report, 'rdsInstance').fix!, /lifecycleLab\.aws\.rdsInstanceId/);
    assert.equal(statuses(report).dbIngress, 'skipped');
  });

  test('Run Pipeline stops before StartJobRun at a failing check, with its fix and the preflight command', async () => {
    const net = await buildNetwork();
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: net.glueSg, IpPermissions: [selfRule(net.glueSg)] }));
    await glue.send(new CreateJobCommand({ Name: 'de-c1w2-etl-job', Role: 'arn:aws:iam::123456789012:role/glue', Command: { Name: 'glueetl', ScriptLocation: 's3://scripts/glue_job.py' } }));
    const runner = new PreflightGlueRunner({
      aws, glue: { jobName: 'de-c1w2-etl-job', lakePath: 's3://lake' }, preflight: { connectionName: CONNECTION, beforeRun: true },
    });
    const err = await expectLabError(runner.run(), 'config');
    assert.match(err.message, /Self-referencing inbound rule.*Fix: aws ec2 authorize-security-group-ingress/);
    assert.equal(err.nextStep?.command, 'lifecycleLab.aws.preflight');
    assert.deepEqual((await glue.send(new GetJobRunsCommand({ JobName: 'de-c1w2-etl-job' }))).JobRuns ?? [], [], 'no job run was started');
  });
});

suite('preflight: TestConnection and credentials (SDK mocked)', () => {
  const aws: AwsSettings = { region: 'us-east-1', profile: 'lab', endpoint: '', rdsInstanceId: 'de-c1w2-rds' };
  let glueMock: AwsClientStub<GlueClient>;
  let client: GlueClient;
  suiteSetup(() => { glueMock = mockClient(GlueClient); });
  suiteTeardown(() => glueMock.restore());
  setup(() => {
    glueMock.reset();
    client = new GlueClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  });
  teardown(() => client.destroy());

  const sdkError = (name: string, message: string, status = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  test('TestConnection succeeds: pass', async () => {
    glueMock.on(TestConnectionCommand, { ConnectionName: CONNECTION }).resolves({});
    const result = await testConnectionCheck(glueSdk, client, CONNECTION, undefined);
    assert.equal(result.status, 'pass');
  });

  test('TestConnection fails: fail with Glue\'s message and the network checks as the fix', async () => {
    glueMock.on(TestConnectionCommand).rejects(sdkError('InvalidInputException', 'Communications link failure: connect timed out'));
    const result = await testConnectionCheck(glueSdk, client, CONNECTION, { value: { host: 'db.example', port: 3306, securityGroupIds: [] } });
    assert.equal(result.status, 'fail');
    assert.match(result.detail, /Communications link failure: connect timed out/);
    assert.match(result.fix!, /route to S3, security groups, availability zone.*db\.example:3306/);
  });

  test('TestConnection not offered (unknown operation, unsupported type) or Glue failing to run it (5xx): skipped, not failed', async () => {
    glueMock.on(TestConnectionCommand).rejects(sdkError('UnknownOperationException', 'Unknown operation TestConnection'));
    assert.equal((await testConnectionCheck(glueSdk, client, CONNECTION, undefined)).status, 'skipped');
    glueMock.on(TestConnectionCommand).rejects(sdkError('InvalidInputException', 'Test connection is not supported for connection type JDBC in this region'));
    assert.equal((await testConnectionCheck(glueSdk, client, CONNECTION, undefined)).status, 'skipped');
    glueMock.on(TestConnectionCommand).rejects(sdkError('InternalServiceException', 'Internal error', 500));
    assert.equal((await testConnectionCheck(glueSdk, client, CONNECTION, undefined)).status, 'skipped');
  });

  test('missing credentials end the preflight with one error naming the profile and the next step', async () => {
    const rdsMock = mockClient(RDSClient);
    try {
      rdsMock.on(DescribeDBInstancesCommand).rejects(sdkError('CredentialsProviderError', 'Could not load credentials from any providers'));
      const err = await expectLabError(runPreflight(aws, CONNECTION, { testConnection: false }), 'awsCredentials');
      assert.match(err.message, /profile 'lab'.*aws sso login/);
      assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.profile');
    } finally {
      rdsMock.restore();
    }
  });

  test('JDBC URLs and CIDR containment', () => {
    assert.deepEqual(parseJdbcUrl('jdbc:mysql://db.abc.us-east-1.rds.amazonaws.com:3307/classicmodels?useSSL=true'), { host: 'db.abc.us-east-1.rds.amazonaws.com', port: 3307 });
    assert.deepEqual(parseJdbcUrl('jdbc:mariadb://db/classicmodels'), { host: 'db', port: 3306 });
    assert.equal(parseJdbcUrl('jdbc:postgresql://db:5432/x'), undefined);
    assert.ok(cidrContains('10.20.0.0/16', '10.20.1.0/24'));
    assert.ok(cidrContains('0.0.0.0/0', '10.20.1.0/24'));
    assert.ok(!cidrContains('10.20.1.0/24', '10.20.0.0/16'));
    assert.ok(!cidrContains('10.21.0.0/16', '10.20.1.0/24'));
  });
});
