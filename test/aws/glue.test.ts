import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GluePipelineRunner } from '../../src/core/aws/glue';
import { awsClientConfig } from '../../src/core/aws/clients';
import type { GlueSettings } from '../../src/core/config';
import type { LakeManifest } from '../../src/core/lake/manifest';
import type { PipelineEvent } from '../../src/core/lake/pipeline';
import { applyPipelineEvent, emptyPipelineState, pipelineStateFromRecord } from '../../src/core/lake/runState';
import { FakeClock } from '../fakeClock';
import { expectLabError } from '../helpers';
import { startMotoServer, useAwsEnvironment, type MotoServer } from './motoServer';

const LAKE = 's3://lab-lake/warehouse';

function manifest(): LakeManifest {
  const now = new Date().toISOString();
  return {
    runId: '20260101T000000Z-abc123',
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

/** Advances the fake clock while the run makes real calls to moto, until it settles. */
async function drive<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => { settled = true; });
  done.catch(() => undefined);
  for (let i = 0; !settled && i < 3000; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await clock.advance(1000);
  }
  return done;
}

/**
 * Forwards to moto and rewrites the timestamps in its Glue answers: this moto (5.1) sends them as ISO strings
 * without a zone, where the awsJson1_1 protocol has epoch seconds (boto3 tolerates that, the JS SDK does not).
 */
async function startTimestampProxy(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const glue = String(req.headers['x-amz-target'] ?? '').startsWith('AWSGlue.');
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method, headers: req.headers as Record<string, string>, body: chunks.length ? Buffer.concat(chunks) : undefined,
      }).then(async (upstream) => {
        let body = Buffer.from(await upstream.arrayBuffer());
        if (glue) {
          body = Buffer.from(body.toString('utf8').replace(/"(\w+On)": "(\d{4}-\d\d-\d\dT[\d:.]+)"/g,
            (_m, key: string, iso: string) => `"${key}": ${Date.parse(`${iso}Z`) / 1000}`));
        }
        const headers: Record<string, string> = {};
        upstream.headers.forEach((v, k) => { if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding') headers[k] = v; });
        res.writeHead(upstream.status, { ...headers, 'content-length': String(body.length) });
        res.end(body);
      }).catch((err: unknown) => { res.writeHead(502); res.end(String(err)); });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

suite('Glue job runs against moto', function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let proxy: { endpoint: string; close(): Promise<void> };
  let restoreEnv: () => void;

  suiteSetup(async () => {
    moto = await startMotoServer();
    proxy = await startTimestampProxy(moto.endpoint);
  });

  suiteTeardown(async () => {
    await proxy?.close();
    await moto?.stop();
  });

  setup(async () => {
    restoreEnv = useAwsEnvironment('fake');
    await moto.reset();
    // STARTING -> RUNNING -> SUCCEEDED, one step per two polls (moto runs nothing).
    const res = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: 'POST',
      body: JSON.stringify({ model_name: 'glue::job_run', transition: { progression: 'manual', times: 2 } }),
    });
    assert.ok(res.ok, `set-transition: HTTP ${res.status}`);
  });

  teardown(() => restoreEnv());

  /** The job as terraform/glue.tf creates it: G.1X × 2, the lake path as a default argument. */
  async function createJob(name: string, lakePath = LAKE): Promise<void> {
    const glue = await import('@aws-sdk/client-glue');
    const client = new glue.GlueClient(awsClientConfig(moto.settings()));
    try {
      await client.send(new glue.CreateJobCommand({
        Name: name, Role: 'arn:aws:iam::123456789012:role/glue', GlueVersion: '4.0', WorkerType: 'G.1X', NumberOfWorkers: 2,
        Command: { Name: 'glueetl', ScriptLocation: 's3://lab-scripts/glue_job.py' },
        DefaultArguments: { '--lake_path': lakePath, '--source_database': 'classicmodels' },
      }));
    } finally {
      client.destroy();
    }
  }

  async function putManifest(body: LakeManifest, key = 'warehouse/gold/_manifest.json'): Promise<void> {
    const s3 = await import('@aws-sdk/client-s3');
    const client = new s3.S3Client(awsClientConfig(moto.settings(), { forcePathStyle: true }));
    try {
      await client.send(new s3.CreateBucketCommand({ Bucket: 'lab-lake' }));
      await client.send(new s3.PutObjectCommand({ Bucket: 'lab-lake', Key: key, Body: JSON.stringify(body), ContentType: 'application/json' }));
    } finally {
      client.destroy();
    }
  }

  function runner(glue: Partial<GlueSettings> = {}, clock = new FakeClock(Date.now())): { runner: GluePipelineRunner; clock: FakeClock } {
    return { runner: new GluePipelineRunner({ aws: moto.settings({ endpoint: proxy.endpoint }), glue: { jobName: 'de-c1w2-etl-job', lakePath: '', ...glue }, clock }), clock };
  }

  test('a SUCCEEDED run: STARTING -> RUNNING -> SUCCEEDED, steps and checks from the S3 manifest, events fold to all ok', async () => {
    await createJob('de-c1w2-etl-job');
    const written = manifest();
    await putManifest(written);
    const { runner: glue, clock } = runner();
    const events: PipelineEvent[] = [];
    const states: string[] = [];
    const result = await drive(clock, glue.run({
      onEvent: (e) => events.push(e),
      onProgress: (p) => { const s = /^Glue (\w+)/.exec(p.message)?.[1]; if (s && states.at(-1) !== s) states.push(s); },
    }));
    assert.deepEqual(states, ['STARTING', 'RUNNING', 'SUCCEEDED']);
    assert.deepEqual(result.manifest, written, 'the job\'s manifest, read from the lake path in the job\'s default arguments');
    assert.deepEqual(result.steps.map((s) => [s.step, s.status]),
      [['source', 'ok'], ['extract', 'ok'], ['transform', 'ok'], ['load', 'ok'], ['reconcile', 'ok']]);
    assert.deepEqual(events.filter((e) => e.kind === 'check').map((e) => e.kind === 'check' && e.check), written.checks);
    const loaded = events.filter((e) => e.kind === 'table' && e.step === 'load').map((e) => e.kind === 'table' && [e.table, e.rows, e.bytes]);
    assert.deepEqual(loaded, Object.entries(written.tables).map(([t, s]) => [t, s.rows, s.bytes]));
    const first = events[0];
    assert.ok(first.kind === 'runStarted' && /^jr_/.test(first.runId) && first.lakeDir === LAKE, JSON.stringify(first));
    const extract = result.steps[1];
    assert.match(extract.summary, /SUCCEEDED \d\d:\d\d:\d\d \(2 min 3 s execution, 246 DPU-seconds\)/);
    assert.equal(extract.rows, 7 + 110 + 122 + 326 + 2996);
    assert.match(result.steps[0].summary, /STARTING \d\d:\d\d:\d\d → RUNNING \d\d:\d\d:\d\d/);

    const state = events.reduce(applyPipelineEvent, emptyPipelineState());
    assert.equal(state.running, false);
    assert.deepEqual(state.steps.map((s) => s.state), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.equal(state.lastRun?.ok, true);
    assert.match(state.lastRun?.message ?? '', /succeeded: 2996 fact rows, total 9604190\.61, 2 checks passed; 2 min 3 s execution, 246 DPU-seconds/);

    // History (GetJobRuns) and lastRun from the same run.
    const history = await glue.history();
    assert.deepEqual(history.map((r) => [r.id, r.state, r.dpuSeconds]), [[first.runId, 'SUCCEEDED', 246]]);
    const last = await glue.lastRun();
    assert.equal(last?.runId, first.runId);
    assert.equal(last?.status, 'ok');
    assert.equal(pipelineStateFromRecord(last!).lastRun?.ok, true);
  });

  test('the lake path setting wins over the job argument; a SUCCEEDED run without a manifest there -> lakeMissing', async () => {
    await createJob('de-c1w2-etl-job', 's3://elsewhere');
    await putManifest(manifest(), 'other/gold/_manifest.json');
    const { runner: glue, clock } = runner({ lakePath: 's3://lab-lake/warehouse' });
    const events: PipelineEvent[] = [];
    const err = await expectLabError(drive(clock, glue.run({ onEvent: (e) => events.push(e) })), 'lakeMissing');
    assert.match(err.message, /s3:\/\/lab-lake\/warehouse\/gold\/_manifest\.json/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.lakePath');
    const state = events.reduce(applyPipelineEvent, emptyPipelineState());
    assert.deepEqual(state.steps.map((s) => s.state), ['ok', 'ok', 'pending', 'failed', 'pending']);
    assert.equal(state.lastRun?.ok, false);
  });

  test('a job that does not exist -> config error naming it and the setting; no run started', async () => {
    const { runner: glue } = runner({ jobName: 'no-such-job', lakePath: LAKE });
    const events: PipelineEvent[] = [];
    const err = await expectLabError(glue.run({ onEvent: (e) => events.push(e) }), 'config');
    assert.match(err.message, /no Glue job 'no-such-job' in us-east-1/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.glueJobName');
    assert.deepEqual(events, []);
    assert.equal(await glue.lastRun().catch((e: Error) => e.message), "GetJobRuns: no Glue job 'no-such-job' in us-east-1. Deploy it (terraform apply) or set the job name.");
  });

  test('no credentials -> awsCredentials', async () => {
    restoreEnv();
    restoreEnv = useAwsEnvironment('none');
    const { runner: glue } = runner({ lakePath: LAKE });
    await expectLabError(glue.run(), 'awsCredentials');
  });
});
