import * as assert from 'node:assert/strict';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { awsClientConfig } from '../../src/core/aws/clients';
import { deleteSecret, inspectSecret, secretArn, SECRET_RECOVERY_DAYS, sourceSecretName, sourceSecretValue, storeSecret } from '../../src/core/aws/secrets';
import { expectLabError } from '../helpers';
import { motoForSuite } from './motoServer';

/** The source database's secret (what the editor gives Terraform as password_secret_arn) against moto's Secrets Manager. */
suite('Secrets Manager: the source database secret on moto', function () {
  this.timeout(60_000);
  const moto = motoForSuite();
  const name = sourceSecretName('de-c1w2');

  async function readValue(): Promise<{ value?: string; deleted?: Date; tags: Record<string, string> }> {
    const client = new SecretsManagerClient(awsClientConfig(moto.settings()));
    try {
      const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
      const value = described.DeletedDate ? undefined : (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
      return { value, deleted: described.DeletedDate, tags: Object.fromEntries((described.Tags ?? []).map((t) => [t.Key, t.Value])) };
    } finally {
      client.destroy();
    }
  }

  test('missing: created with the value and tags; then the same; a new password is different and updated in place', async () => {
    const aws = moto.settings();
    const first = sourceSecretValue('admin', 'first-Pa55');
    const missing = await inspectSecret(aws, name, first);
    assert.deepEqual(missing, { name, state: 'missing' });
    const arn = await storeSecret(aws, missing, first, 'test', { ManagedBy: 'lifecycle-lab' });
    assert.match(arn, /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:lifecycle-lab\/de-c1w2\/source-database-\w{6}$/);
    assert.deepEqual(JSON.parse((await readValue()).value!), { username: 'admin', password: 'first-Pa55' });
    assert.equal((await readValue()).tags.ManagedBy, 'lifecycle-lab');

    assert.deepEqual(await inspectSecret(aws, name, first), { name, state: 'same', arn });
    const second = sourceSecretValue('admin', 'second-Pa55');
    const different = await inspectSecret(aws, name, second);
    assert.equal(different.state, 'different');
    assert.equal(await storeSecret(aws, different, second, 'test'), arn, 'the same secret, a new version');
    assert.deepEqual(JSON.parse((await readValue()).value!), { username: 'admin', password: 'second-Pa55' });
    assert.equal(await secretArn(aws, name), arn);
  });

  test('deleted: scheduled with the recovery window, then restored and updated by the next store', async () => {
    const aws = moto.settings();
    const value = sourceSecretValue('admin', 'first-Pa55');
    const arn = await storeSecret(aws, await inspectSecret(aws, name, value), value, 'test');
    const before = Date.now();
    const gone = await deleteSecret(aws, name);
    assert.ok(gone, 'a deletion date');
    const days = (gone.getTime() - before) / 86_400_000;
    assert.ok(days > SECRET_RECOVERY_DAYS - 1 && days <= SECRET_RECOVERY_DAYS + 1, `deleted in ${days} days`);
    assert.ok((await readValue()).deleted, 'scheduled for deletion');
    assert.equal(await secretArn(aws, name), undefined, 'a scheduled secret is not offered to Terraform');

    const next = sourceSecretValue('admin', 'next-Pa55');
    const scheduled = await inspectSecret(aws, name, next);
    assert.equal(scheduled.state, 'scheduled');
    assert.equal(await storeSecret(aws, scheduled, next, 'test'), arn);
    const read = await readValue();
    assert.equal(read.deleted, undefined, 'restored');
    assert.deepEqual(JSON.parse(read.value!), { username: 'admin', password: 'next-Pa55' });
  });

  test('access denied: a LabError naming the call and the profile setting, without the value', async () => {
    const mock = mockClient(SecretsManagerClient);
    try {
      mock.on(DescribeSecretCommand).rejects(Object.assign(new Error('User is not authorized to perform secretsmanager:DescribeSecret'), { name: 'AccessDeniedException' }));
      const err = await expectLabError(inspectSecret(moto.settings(), name, sourceSecretValue('admin', 'hidden-Pa55')), 'awsCredentials');
      assert.match(err.message, /lifecycle-lab\/de-c1w2\/source-database/);
      assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.profile');
      assert.ok(!err.message.includes('hidden-Pa55'));
    } finally {
      mock.restore();
    }
  });
});
