/**
 * The command line in AWS mode, against moto: every command runs on the backend `createBackend` gives for the
 * configured mode, so `pipeline run` starts the Glue job (not the local engine), and options that only the local
 * backend takes are refused naming the mode instead of being ignored.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsClientConfig } from '../../src/core/aws/clients';
import { runCli } from '../integration/fixture';
import type { LakeManifest } from '../../src/core/run/manifest';
import { createGlueJob, glueRunManifest, glueRunsStepByStep, JOB, LAKE, putGlueManifest } from './glueJobFixture';
import { startGlueTimestampProxy } from './motoGlueProxy';
import { startMotoServer, useAwsEnvironment, type MotoServer } from './motoServer';

suite('CLI in AWS mode (moto): commands run on the AWS backend', function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let proxy: { endpoint: string; close(): Promise<void> };
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let restoreEnv: () => void;

  suiteSetup(async () => {
    moto = await startMotoServer();
    proxy = await startGlueTimestampProxy(moto.endpoint);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-cli-aws-'));
    env = {
      LIFECYCLE_LAB_MODE: 'aws',
      LIFECYCLE_LAB_AWS_ENDPOINT: proxy.endpoint,
      LIFECYCLE_LAB_AWS_REGION: 'us-east-1',
      LIFECYCLE_LAB_AWS_GLUEJOBNAME: JOB,
      LIFECYCLE_LAB_AWS_LAKEPATH: LAKE,
      LIFECYCLE_LAB_AWS_PREFLIGHTBEFORERUN: 'false',
      // A lab folder and lake of this test's own: a local run would write here, and must not.
      LIFECYCLE_LAB_LOCAL_LABDIR: path.join(tmp, 'lab'),
      LIFECYCLE_LAB_LOCAL_LAKEDIR: path.join(tmp, 'lake'),
    };
  });

  suiteTeardown(async () => {
    await proxy?.close();
    await moto?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  // The test's SDK clients and the CLI it spawns (which inherits this environment) use moto's placeholder keys.
  setup(async () => {
    restoreEnv = useAwsEnvironment('fake');
    await moto.reset();
    await glueRunsStepByStep(moto, 1);
  });

  teardown(() => restoreEnv());

  async function createJobAndManifest(written: LakeManifest): Promise<void> {
    await createGlueJob(moto);
    await putGlueManifest(moto, written);
  }

  async function glueRunIds(): Promise<string[]> {
    const glue = await import('@aws-sdk/client-glue');
    const client = new glue.GlueClient(awsClientConfig(moto.settings({ endpoint: proxy.endpoint })));
    try {
      const runs = await client.send(new glue.GetJobRunsCommand({ JobName: JOB }));
      return (runs.JobRuns ?? []).map((r) => r.Id!);
    } finally {
      client.destroy();
    }
  }

  test('pipeline run starts the Glue job and reports its manifest; nothing is written locally', async () => {
    const written = glueRunManifest('20260101T000000Z-cli001');
    await createJobAndManifest(written);
    const r = await runCli(['pipeline', 'run', '--json'], env);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(r.stdout) as { ok: boolean; lake: string; manifest: LakeManifest; steps: unknown[]; states?: Array<{ engine: string; state: string; outcome?: string }> };
    assert.equal(out.ok, true);
    assert.deepEqual(out.steps, [], 'no local steps for a Glue run');
    assert.deepEqual(out.states?.at(-1), { ...out.states?.at(-1), engine: 'Glue', state: 'SUCCEEDED', outcome: 'ok' }, 'Glue\'s states, ending SUCCEEDED');
    assert.equal(out.manifest.runId, written.runId, 'the manifest the Glue job published, read from S3');
    assert.match(out.lake, /^s3:\/\/lab-lake\/warehouse/);
    assert.equal((await glueRunIds()).length, 1, 'one Glue job run started');
    await assert.rejects(fs.stat(path.join(tmp, 'lake')), 'no local lake written');

    const text = await runCli(['pipeline', 'run'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^lake s3:\/\/lab-lake\/warehouse\S*: 2996 fact rows, total 9604190\.61, reconciliation passed$/m);
    assert.equal((await glueRunIds()).length, 2);
  });

  test('local-only options are refused naming the mode and the way out; no Glue run is started', async () => {
    await createJobAndManifest(glueRunManifest('20260101T000000Z-cli001'));
    for (const [argv, flags] of [
      [['pipeline', 'run', '--lake', path.join(tmp, 'x'), '--json'], '--lake'],
      [['pipeline', 'run', '--database', 'other', '--json'], '--database'],
      [['query', 'select 1', '--full', '--json'], '--full'],
      [['lake', 'verify', '--lake', path.join(tmp, 'x'), '--json'], '--lake'],
    ] as const) {
      const r = await runCli([...argv], env);
      assert.equal(r.code, 1, `${argv.join(' ')}: ${r.stdout}\n${r.stderr}`);
      const out = JSON.parse(r.stdout) as { ok: false; error: { code: string; message: string; nextStep?: { text: string } } };
      assert.equal(out.error.code, 'config');
      assert.match(out.error.message, new RegExp(`^${flags} is for the local lake, but this command runs on the AWS backend that LIFECYCLE_LAB_MODE selects`));
      assert.match(out.error.nextStep?.text ?? '', /LIFECYCLE_LAB_MODE=local/);
    }
    assert.deepEqual(await glueRunIds(), []);
  });
});
