import * as assert from 'node:assert/strict';
import { BatchStopJobRunCommand, GetJobRunsCommand, GlueClient } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { glueRunLinks } from '../../src/core/aws/glueLinks';
import { GluePipelineRunner } from '../../src/core/aws/glueRunner';
import type { GlueSettings } from '../../src/core/config';
import type { PipelineEvent } from '../../src/core/run/events';
import { applyPipelineEvent, emptyPipelineState, pipelineStateFromRecord } from '../../src/core/run/viewState';
import { FakeClock } from '../fakeClock';
import { expectLabError } from '../helpers';
import { createGlueJob, glueRunManifest, glueRunsStepByStep, LAKE, putGlueManifest } from './glueJobFixture';
import { startGlueTimestampProxy } from './motoGlueProxy';
import { startMotoServer, useAwsEnvironment, type MotoServer } from './motoServer';

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

suite('Glue job runs against moto', function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let proxy: { endpoint: string; close(): Promise<void> };
  let restoreEnv: () => void;

  suiteSetup(async () => {
    moto = await startMotoServer();
    proxy = await startGlueTimestampProxy(moto.endpoint);
  });

  suiteTeardown(async () => {
    await proxy?.close();
    await moto?.stop();
  });

  setup(async () => {
    restoreEnv = useAwsEnvironment('fake');
    await moto.reset();
    await glueRunsStepByStep(moto, 2);
  });

  teardown(() => restoreEnv());

  function runner(glue: Partial<GlueSettings> = {}, clock = new FakeClock(Date.now())): { runner: GluePipelineRunner; clock: FakeClock } {
    return { runner: new GluePipelineRunner({ aws: moto.settings({ endpoint: proxy.endpoint }), glue: { jobName: 'de-c1w2-etl-job', lakePath: '', ...glue }, clock }), clock };
  }

  test('a SUCCEEDED run: STARTING -> RUNNING -> SUCCEEDED in Glue\'s terms, tables and checks from the S3 manifest marked as such', async () => {
    await createGlueJob(moto, 'de-c1w2-etl-job');
    const written = glueRunManifest();
    await putGlueManifest(moto, written);
    const { runner: glue, clock } = runner();
    const events: PipelineEvent[] = [];
    const states: string[] = [];
    const result = await drive(clock, glue.run({
      onEvent: (e) => events.push(e),
      onProgress: (p) => { const s = /^Glue (\w+)/.exec(p.message)?.[1]; if (s && states.at(-1) !== s) states.push(s); },
    }));
    assert.deepEqual(states, ['STARTING', 'RUNNING', 'SUCCEEDED']);
    assert.deepEqual(result.manifest, written, 'the job\'s manifest, read from the lake path in the job\'s default arguments');
    assert.deepEqual(result.steps, [], 'no local steps replayed');
    assert.deepEqual(result.states?.map((s) => [s.engine, s.state, s.outcome]), [['Glue', 'STARTING', undefined], ['Glue', 'RUNNING', undefined], ['Glue', 'SUCCEEDED', 'ok']]);
    assert.equal(result.states?.[2].detail, '2 min 3 s execution, 246 DPU-seconds');
    assert.ok(result.states!.every((s, i) => i === 0 || s.elapsedMs > result.states![i - 1].elapsedMs), 'each state at the time it was seen');
    assert.equal(events.filter((e) => e.kind === 'stepStarted' || e.kind === 'stepFinished' || e.kind === 'table').length, 0);
    const checks = events.flatMap((e) => (e.kind === 'check' ? [e] : []));
    assert.deepEqual(checks.map((e) => e.check), written.checks);
    assert.ok(checks.every((e) => e.fromManifest), 'the checks are marked as read from the run\'s manifest');
    const published = events.flatMap((e) => (e.kind === 'published' ? [[e.table, e.rows, e.bytes]] : []));
    assert.deepEqual(published, Object.entries(written.tables).map(([t, s]) => [t, s.rows, s.bytes]));
    const first = events[0];
    assert.ok(first.kind === 'runStarted' && /^jr_/.test(first.runId) && first.lake === LAKE && first.engine === 'Glue', JSON.stringify(first));

    const state = events.reduce(applyPipelineEvent, emptyPipelineState());
    assert.equal(state.running, false);
    assert.deepEqual(state.steps, []);
    assert.deepEqual(state.engine?.states.map((s) => s.state), ['STARTING', 'RUNNING', 'SUCCEEDED']);
    assert.equal(state.lastRun?.ok, true);
    assert.match(state.lastRun?.message ?? '', /succeeded: 2996 fact rows, total 9604190\.61, 2 checks passed; 2 min 3 s execution, 246 DPU-seconds/);

    // History (GetJobRuns) and lastRun from the same run.
    const history = await glue.history();
    assert.deepEqual(history.map((r) => [r.id, r.state, r.dpuSeconds]), [[first.runId, 'SUCCEEDED', 246]]);
    const [entry] = await glue.runHistory();
    assert.deepEqual({ ...entry, startedAt: undefined }, { id: first.runId, state: 'SUCCEEDED', outcome: 'ok', durationMs: 123_000, dpuSeconds: 246, startedAt: undefined },
      'the Runs group\'s entry: Glue\'s execution time and DPU-seconds');
    assert.ok(entry.startedAt && Number.isFinite(Date.parse(entry.startedAt)));
    const last = await glue.lastRun();
    assert.equal(last?.runId, first.runId);
    assert.equal(last?.status, 'ok');
    assert.equal(pipelineStateFromRecord(last!).lastRun?.ok, true);
  });

  test('a SUCCEEDED run whose data tests warned says which, and the view lists them under the run', async () => {
    await createGlueJob(moto, 'de-c1w2-etl-job');
    const warned = { name: 'accepted_values_fact_orders_status', ok: true, warning: true, expected: '0', actual: '4',
      message: '4 failing rows in fact_orders.status (severity warn): (orderNumber=10100, status=Lost in transit), ...' };
    await putGlueManifest(moto, { ...glueRunManifest(), checks: [...glueRunManifest().checks, warned] });
    const { runner: glue, clock } = runner();
    const events: PipelineEvent[] = [];
    await drive(clock, glue.run({ onEvent: (e) => events.push(e) }));
    const state = events.reduce(applyPipelineEvent, emptyPipelineState());
    assert.equal(state.lastRun?.ok, true);
    assert.match(state.lastRun?.message ?? '', /total 9604190\.61, 3 checks passed, 1 warned: accepted_values_fact_orders_status; /);
    assert.deepEqual(state.problems, [warned]);
  });

  test('the lake path setting wins over the job argument; a SUCCEEDED run without a manifest there -> lakeMissing', async () => {
    await createGlueJob(moto, 'de-c1w2-etl-job', 's3://elsewhere');
    await putGlueManifest(moto, glueRunManifest(), 'other/gold/_manifest.json');
    const { runner: glue, clock } = runner({ lakePath: 's3://lab-lake/warehouse' });
    const events: PipelineEvent[] = [];
    const err = await expectLabError(drive(clock, glue.run({ onEvent: (e) => events.push(e) })), 'lakeMissing');
    assert.match(err.message, /s3:\/\/lab-lake\/warehouse\/gold\/_manifest\.json/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.lakePath');
    const state = events.reduce(applyPipelineEvent, emptyPipelineState());
    assert.deepEqual(state.engine?.states.map((s) => [s.state, s.outcome]).at(-1), ['SUCCEEDED', 'ok'], 'Glue\'s run succeeded; reading its manifest failed');
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

  test('run pages: the output and error log streams, the job\'s continuous log group, the Glue Studio run page', async () => {
    await createGlueJob(moto, 'de-c1w2-etl-job', LAKE, { '--continuous-log-logGroup': '/aws-glue/jobs/de-c1w2' });
    const { runner: glue } = runner({ lakePath: LAKE });
    const links = await glue.runLinks('jr_0123abc');
    const stream = (group: string) => `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/${group}/log-events/jr_0123abc`;
    assert.deepEqual(links, [
      { kind: 'logs', label: 'Output log (/aws-glue/jobs/output)', url: stream('$252Faws-glue$252Fjobs$252Foutput') },
      { kind: 'logs', label: 'Error log (/aws-glue/jobs/error)', url: stream('$252Faws-glue$252Fjobs$252Ferror') },
      { kind: 'logs', label: 'Continuous log (/aws-glue/jobs/de-c1w2)', url: stream('$252Faws-glue$252Fjobs$252Fde-c1w2') },
      { kind: 'console', label: 'Glue job run', url: 'https://us-east-1.console.aws.amazon.com/gluestudio/home?region=us-east-1#/job/de-c1w2-etl-job/run/jr_0123abc' },
    ]);
    assert.equal(glueRunLinks('eu-west-1', 'a job', 'jr_1').at(-1)?.url, 'https://eu-west-1.console.aws.amazon.com/gluestudio/home?region=eu-west-1#/job/a%20job/run/jr_1');
    assert.equal(glueRunLinks('eu-west-1', 'j', 'jr_1').length, 3, 'no continuous log group, no third stream');
  });

  test('Stop Run (SDK mocked: moto has no BatchStopJobRun): the runs still going, or the ones asked; refusals are said', async () => {
    const glue = mockClient(GlueClient);
    try {
      glue.on(GetJobRunsCommand).resolves({ JobRuns: [
        { Id: 'jr_running', JobName: 'de-c1w2-etl-job', JobRunState: 'RUNNING' },
        { Id: 'jr_stopping', JobName: 'de-c1w2-etl-job', JobRunState: 'STOPPING' },
        { Id: 'jr_done', JobName: 'de-c1w2-etl-job', JobRunState: 'SUCCEEDED' },
      ] });
      glue.on(BatchStopJobRunCommand).resolves({ SuccessfulSubmissions: [], Errors: [] });
      const { runner: glueRunner } = runner({ lakePath: LAKE });
      assert.deepEqual(await glueRunner.stopRuns(), ['jr_running'], 'only runs that are still going and not already stopping');
      assert.deepEqual(glue.commandCalls(BatchStopJobRunCommand).map((c) => c.args[0].input), [{ JobName: 'de-c1w2-etl-job', JobRunIds: ['jr_running'] }]);

      glue.on(BatchStopJobRunCommand).resolves({ Errors: [{ JobRunId: 'jr_done', ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: 'Job Run jr_done is not running' } }] });
      assert.deepEqual(await glueRunner.stopRuns(['jr_running', 'jr_done']), ['jr_running']);
      const err = await expectLabError(glueRunner.stopRuns(['jr_done']), 'config');
      assert.match(err.message, /Glue did not stop jr_done: Job Run jr_done is not running/);
    } finally {
      glue.restore();
    }
  });

  test('no credentials -> awsCredentials', async () => {
    restoreEnv();
    restoreEnv = useAwsEnvironment('none');
    const { runner: glue } = runner({ lakePath: LAKE });
    await expectLabError(glue.run(), 'awsCredentials');
  });
});
