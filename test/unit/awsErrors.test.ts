/**
 * AWS failures every client shares, and the ones the other suites do not cover: each names its cause and a next step.
 * Retries are the SDK's own (standard, adaptive for Athena); what is left after them becomes the LabError here.
 */
import * as assert from 'node:assert/strict';
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { AthenaEngine } from '../../src/core/aws/athena';
import { AwsClients } from '../../src/core/aws/awsClients';
import { AWS_MAX_ATTEMPTS, awsClientConfig, awsErrorToLabError } from '../../src/core/aws/clients';
import { describeRdsInstance } from '../../src/core/aws/rds';
import { resolveLabConfig } from '../../src/core/config';
import { expectLabError } from '../helpers';

const config = resolveLabConfig({ 'aws.profile': 'lab', 'aws.endpoint': 'http://127.0.0.1:1' }, '/');
const sdkError = (name: string, message: string, attempts?: number) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400, ...(attempts ? { attempts } : {}) } });

suite('AWS errors: cause and next step', () => {
  test('clients retry with the SDK\'s strategy: standard for every client, adaptive with more attempts for Athena', async () => {
    const base = awsClientConfig(config.aws);
    assert.equal(base.retryMode, 'standard');
    assert.equal(base.maxAttempts, AWS_MAX_ATTEMPTS);
    assert.equal(base.profile, 'lab');
    assert.equal(base.endpoint, 'http://127.0.0.1:1');
    const clients = new AwsClients(config.aws);
    try {
      const { client } = await clients.athena();
      const { retryMode } = client.config;
      assert.equal(typeof retryMode === 'string' ? retryMode : await retryMode(), 'adaptive');
      assert.ok((await client.config.maxAttempts()) > AWS_MAX_ATTEMPTS);
      assert.equal((await client.config.endpoint?.())?.hostname, '127.0.0.1');
      assert.equal((await clients.athena()).client, client, 'one client per backend, made once');
    } finally {
      await clients.destroy();
    }
  });

  test('an endpoint that refuses: on loopback (the emulated AWS) the error names lab up --aws and offers Start Emulated AWS', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error', code: 'ECONNREFUSED' });
    const err = awsErrorToLabError(refused, 'StartQueryExecution', config.aws);
    assert.equal(err.code, 'unreachable');
    assert.match(err.message, /StartQueryExecution: nothing answers on http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)\..*lifecycle-lab lab up --aws/);
    assert.equal(err.nextStep?.command, 'lifecycleLab.startEmulatedAws');
    const remote = awsErrorToLabError(refused, 'StartQueryExecution', { ...config.aws, endpoint: 'https://vpce-1.athena.us-east-1.vpce.amazonaws.com' });
    assert.doesNotMatch(remote.message, /lab up --aws/);
    assert.equal(remote.nextStep?.setting, 'lifecycleLab.aws.endpoint');
  });

  test('throttling left after the SDK\'s retries: awsThrottled, the attempts made, wait and retry', () => {
    const err = awsErrorToLabError(sdkError('Throttling', 'Rate exceeded', 3), 'DescribeDBInstances', config.aws);
    assert.equal(err.code, 'awsThrottled');
    assert.match(err.message, /DescribeDBInstances: AWS is throttling these requests \(Rate exceeded\) even after the SDK's 3 attempts\. Wait a minute/);
    assert.equal(err.nextStep?.command, 'lifecycleLab.showLog');
  });

  test('expired and missing credentials: sign in or choose a profile; access denied: the profile setting', () => {
    for (const name of ['ExpiredTokenException', 'CredentialsProviderError']) {
      const err = awsErrorToLabError(sdkError(name, 'The security token included in the request is expired'), 'GetConnection', config.aws);
      assert.equal(err.code, 'awsCredentials', name);
      assert.match(err.message, /no valid AWS credentials from profile 'lab'.*expired.*aws sso login/);
      assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.profile');
    }
    const denied = awsErrorToLabError(sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation.'), 'DescribeSubnets', config.aws);
    assert.equal(denied.code, 'awsCredentials');
    assert.match(denied.message, /DescribeSubnets: access denied/);
  });

  suite('with the SDK mocked', () => {
    let rds: AwsClientStub<RDSClient>;
    let athena: AwsClientStub<AthenaClient>;
    suiteSetup(() => {
      rds = mockClient(RDSClient);
      athena = mockClient(AthenaClient);
    });
    suiteTeardown(() => {
      rds.restore();
      athena.restore();
    });
    setup(() => {
      rds.reset();
      athena.reset();
    });

    test('Discover RDS Instance throttled: awsThrottled, not an internal error', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(sdkError('Throttling', 'Rate exceeded', 3));
      const err = await expectLabError(describeRdsInstance(config.aws), 'awsThrottled');
      assert.match(err.message, /DescribeDBInstances: AWS is throttling/);
    });

    test('an Athena query that exhausted its resources: says why retrying fails and to narrow the query', async () => {
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
      athena.on(GetQueryExecutionCommand).resolves({
        QueryExecution: { QueryExecutionId: 'q1', Status: { State: 'FAILED', AthenaError: { ErrorCategory: 2, ErrorType: 1002, ErrorMessage: 'Query exhausted resources at this scale factor' } } },
      });
      const engine = new AthenaEngine(config.aws, config.athena, { poll: { firstMs: 0, growth: 1, maxMs: 0 } });
      try {
        const err = await expectLabError(engine.query('select 1'), 'queryFailed');
        assert.match(err.message, /Athena ran out of resources for this query: Query exhausted resources at this scale factor \(query execution q1\)\..*narrow it/);
        assert.equal(err.nextStep?.command, 'lifecycleLab.showLog');
      } finally {
        await engine.close();
      }
    });
  });
});
