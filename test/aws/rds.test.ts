import * as assert from 'node:assert/strict';
import { describeRdsInstance, discoverRdsEndpoint, listRdsInstances, rdsEndpoint } from '../../src/core/aws/rds';
import { awsClientConfig } from '../../src/core/aws/clients';
import { motoForSuite, useAwsEnvironment } from './motoServer';
import { expectLabError } from '../helpers';

suite('RDS discovery against moto', function () {
  this.timeout(60_000);
  const moto = motoForSuite();

  /** Creates an instance through the RDS API, as the lab's Terraform would. */
  async function createInstance(id: string): Promise<void> {
    const rds = await import('@aws-sdk/client-rds');
    const client = new rds.RDSClient({ ...awsClientConfig(moto.settings()) });
    try {
      await client.send(new rds.CreateDBInstanceCommand({
        DBInstanceIdentifier: id, DBInstanceClass: 'db.t3.micro', Engine: 'mysql', EngineVersion: '8.0.39',
        MasterUsername: 'admin', MasterUserPassword: 'adminpwd1234', AllocatedStorage: 20, DBName: 'classicmodels',
      }));
    } finally {
      client.destroy();
    }
  }

  async function stopInstance(id: string): Promise<void> {
    const rds = await import('@aws-sdk/client-rds');
    const client = new rds.RDSClient({ ...awsClientConfig(moto.settings()) });
    try {
      await client.send(new rds.StopDBInstanceCommand({ DBInstanceIdentifier: id }));
    } finally {
      client.destroy();
    }
  }

  test('discovers host, port and master user of the configured instance', async () => {
    await createInstance('de-c1w2-rds');
    const found = await discoverRdsEndpoint(moto.settings());
    assert.equal(found.instance.id, 'de-c1w2-rds');
    assert.equal(found.instance.status, 'available');
    assert.match(found.host, /^de-c1w2-rds\..+/);
    assert.equal(found.port, 3306);
    assert.equal(found.user, 'admin');
  });

  test('an unknown id -> rdsNotFound naming the id; the list offers the others', async () => {
    await createInstance('other-db');
    await createInstance('another-db');
    const err = await expectLabError(describeRdsInstance(moto.settings({ rdsInstanceId: 'de-c1w2-rds' })), 'rdsNotFound');
    assert.match(err.message, /de-c1w2-rds/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.rdsInstanceId');
    const all = await listRdsInstances(moto.settings());
    assert.deepEqual(all.map((i) => i.id), ['another-db', 'other-db']);
  });

  test('the list follows every page of DescribeDBInstances (25 instances, pages of 20)', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `lab-db-${String(i).padStart(2, '0')}`);
    for (const id of ids) await createInstance(id);
    const all = await listRdsInstances(moto.settings(), { pageSize: 20 });
    assert.deepEqual(all.map((i) => i.id), ids, 'the second page too, sorted by id');
  });

  test('an instance that is not available -> rdsNotAvailable with its status', async () => {
    await createInstance('de-c1w2-rds');
    await stopInstance('de-c1w2-rds');
    const instance = await describeRdsInstance(moto.settings());
    assert.equal(instance.status, 'stopped');
    const err = await expectLabError(discoverRdsEndpoint(moto.settings()), 'rdsNotAvailable');
    assert.match(err.message, /'stopped'/);
    assert.throws(() => rdsEndpoint({ ...instance, status: 'creating', host: undefined }), /'creating'/);
  });

  test('no credentials -> awsCredentials', async () => {
    useAwsEnvironment('none'); // over the suite's placeholder keys: its teardown restores the environment as it was
    await expectLabError(describeRdsInstance(moto.settings()), 'awsCredentials');
  });

  test('client config: region, profile and endpoint from settings; path-style only on request', () => {
    const base = { region: 'eu-west-1', profile: '', endpoint: '', rdsInstanceId: 'x' };
    assert.deepEqual(awsClientConfig(base), { region: 'eu-west-1', maxAttempts: 3, retryMode: 'standard' });
    assert.deepEqual(awsClientConfig({ ...base, profile: 'lab', endpoint: 'http://127.0.0.1:5000' }, { forcePathStyle: true }),
      { region: 'eu-west-1', profile: 'lab', endpoint: 'http://127.0.0.1:5000', forcePathStyle: true, maxAttempts: 3, retryMode: 'standard' });
  });
});
