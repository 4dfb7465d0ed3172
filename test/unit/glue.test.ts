import * as assert from 'node:assert/strict';
import {
  BatchStopJobRunCommand, GetJobCommand, GetJobRunCommand, GetJobRunsCommand, GlueClient, StartJobRunCommand, type JobRun,
} from '@aws-sdk/client-glue';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { AwsClients } from '../../src/core/aws/awsClients';
import { toGlueJobRun } from '../../src/core/aws/glueJobRun';
import { GlueJobs } from '../../src/core/aws/glueJobs';
import { GluePipelineRunner, jobRunToRecord } from '../../src/core/aws/glueRunner';
import { JOB_RUN_STATES, TERMINAL_JOB_RUN_STATES, isTerminalState, parseJobRunState, type JobRunState } from '../../src/core/aws/glueStates';
import { nextPollDelay, watchJobRun } from '../../src/core/aws/glueWatch';
import { manifestKey } from '../../src/core/aws/s3Manifest';
import { resolveLabConfig, type AwsSettings, type GlueSettings } from '../../src/core/config';
import { LabError, isCancelled } from '../../src/core/errors';
import type { PipelineEvent } from '../../src/core/run/events';
import { applyPipelineEvent, emptyPipelineState, pipelineStateFromRecord } from '../../src/core/run/viewState';
import { FakeClock } from '../fakeClock';
import { expectLabError } from '../helpers';

const AWS: AwsSettings = { region: 'us-east-1', profile: '', endpoint: 'http://127.0.0.1:1', rdsInstanceId: 'db' };
const GLUE: GlueSettings = { jobName: 'etl', lakePath: 's3://lake-bucket' };
const RUN_ID = 'jr_0123';

function run(state: JobRunState, extra: Partial<JobRun> = {}): { JobRun: JobRun } {
  return { JobRun: { Id: RUN_ID, JobName: 'etl', JobRunState: state, StartedOn: new Date('2026-01-01T00:00:00Z'), WorkerType: 'G.1X', NumberOfWorkers: 2, ...extra } };
}

function sdkError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

/** Advances the fake clock in small steps until the promise settles (every AWS call here is mocked, so no real I/O). */
async function drive<T>(clock: FakeClock, work: Promise<T>, stepMs = 250, maxMs = 30 * 60_000): Promise<T> {
  let settled = false;
  const done = work.finally(() => { settled = true; });
  done.catch(() => undefined);
  for (let t = 0; !settled && t < maxMs; t += stepMs) await clock.advance(stepMs);
  return done;
}

suite('Glue job runs (aws-sdk-client-mock)', () => {
  // Mocked only while this suite runs: the moto suites in the same process use the real client.
  let glue: AwsClientStub<GlueClient>;

  suiteSetup(() => { glue = mockClient(GlueClient); });
  setup(() => glue.reset());
  suiteTeardown(() => glue.restore());

  test('the job run states are a closed set with the terminal ones named', () => {
    assert.deepEqual([...TERMINAL_JOB_RUN_STATES].sort(), ['ERROR', 'EXPIRED', 'FAILED', 'STOPPED', 'SUCCEEDED', 'TIMEOUT']);
    for (const s of JOB_RUN_STATES) assert.equal(isTerminalState(s), (TERMINAL_JOB_RUN_STATES as readonly string[]).includes(s));
    assert.equal(parseJobRunState('RUNNING'), 'RUNNING');
    assert.throws(() => parseJobRunState('PAUSED'), /unknown job run state 'PAUSED'/);
    assert.equal(toGlueJobRun(run('SUCCEEDED', { ExecutionTime: 100 }).JobRun).dpuSeconds, 200, 'G.1X × 2 workers × 100 s');
    assert.equal(toGlueJobRun(run('SUCCEEDED', { ExecutionTime: 100, DPUSeconds: 37 }).JobRun).dpuSeconds, 37, "Glue's own figure wins");
    assert.deepEqual(manifestKey('s3://b/some/prefix'), { bucket: 'b', key: 'some/prefix/gold/_manifest.json', url: 's3://b/some/prefix/gold/_manifest.json' });
    assert.equal(manifestKey('s3://b').key, 'gold/_manifest.json');
  });

  test('backoff: 3 s growing ×1.5 to 15 s while the state stays, back to 3 s on a change', async () => {
    const clock = new FakeClock();
    const states: JobRunState[] = ['STARTING', 'STARTING', 'STARTING', 'STARTING', 'STARTING', 'STARTING', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED'];
    const times: number[] = [];
    let i = 0;
    glue.on(GetJobRunCommand).callsFake(() => {
      times.push(clock.now());
      return run(states[Math.min(i++, states.length - 1)]);
    });
    const clients = new AwsClients(AWS);
    try {
      const final = await drive(clock, watchJobRun(new GlueJobs(clients), 'etl', RUN_ID, { clock }));
      assert.equal(final.state, 'SUCCEEDED');
    } finally {
      await clients.destroy();
    }
    const gaps = times.slice(1).map((t, k) => t - times[k]);
    assert.deepEqual(gaps, [3000, 4500, 6750, 10125, 15000, 15000, 3000, 4500, 6750]);
    assert.equal(clock.pending, 0, 'no timer left behind');
    assert.equal(nextPollDelay(15000, false), 15000);
    assert.equal(nextPollDelay(15000, true), 3000);
  });

  test('against an emulator on this machine (a loopback endpoint) a run is polled every 1 s, growing to 2 s', async () => {
    /** The gaps between GetJobRun calls of one run on `endpoint` that stays RUNNING a while. */
    const pollGaps = async (endpoint: string) => {
      const clock = new FakeClock();
      const times: number[] = [];
      const states: JobRunState[] = ['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'FAILED'];
      glue.on(StartJobRunCommand).resolves({ JobRunId: RUN_ID });
      glue.on(GetJobRunCommand).callsFake(() => {
        times.push(clock.now());
        return run(states[Math.min(times.length - 1, states.length - 1)], { ErrorMessage: 'ended' });
      });
      await expectLabError(drive(clock, new GluePipelineRunner({ aws: { ...AWS, endpoint }, glue: GLUE, clock }).run()), 'internal');
      return times.slice(1).map((t, k) => t - times[k]);
    };
    assert.deepEqual(await pollGaps('http://127.0.0.1:4566'), [1000, 1500, 2000, 2000, 2000]);
    assert.deepEqual(await pollGaps('https://glue.us-east-1.amazonaws.com'), [3000, 4500, 6750, 10125, 15000]);
  });

  test('cancel: abort -> BatchStopJobRun -> polled until STOPPED, reported as cancelled', async () => {
    const clock = new FakeClock();
    glue.on(StartJobRunCommand).resolves({ JobRunId: RUN_ID });
    let stopped = false;
    let afterStop = 0;
    glue.on(GetJobRunCommand).callsFake(() => (stopped ? run(afterStop++ === 0 ? 'STOPPING' : 'STOPPED', { ExecutionTime: 30 }) : run('RUNNING')));
    glue.on(BatchStopJobRunCommand).callsFake(() => { stopped = true; return { SuccessfulSubmissions: [{ JobName: 'etl', JobRunId: RUN_ID }], Errors: [] }; });
    const events: PipelineEvent[] = [];
    const controller = new AbortController();
    const runner = new GluePipelineRunner({ aws: AWS, glue: GLUE, clock });
    const work = runner.run({ signal: controller.signal, onEvent: (e) => events.push(e) });
    await clock.advance(10_000);
    assert.equal(glue.commandCalls(BatchStopJobRunCommand).length, 0);
    controller.abort();
    const err = await drive(clock, work).then(() => assert.fail('a stopped run must not succeed'), (e: unknown) => e);
    assert.ok(isCancelled(err), String(err));
    const stops = glue.commandCalls(BatchStopJobRunCommand);
    assert.equal(stops.length, 1);
    assert.deepEqual(stops[0].args[0].input, { JobName: 'etl', JobRunIds: [RUN_ID] });
    const last = events.at(-1);
    assert.ok(last?.kind === 'runFinished' && !last.ok && /stopped/.test(last.message), JSON.stringify(last));
    const state = events.reduce(applyPipelineEvent, emptyPipelineState());
    assert.equal(state.running, false);
    assert.deepEqual(state.steps, [], 'Glue reports its states, not local steps');
    assert.deepEqual(state.engine?.states.map((s) => [s.engine, s.state, s.outcome]),
      [['Glue', 'RUNNING', undefined], ['Glue', 'STOPPING', undefined], ['Glue', 'STOPPED', 'cancelled']]);
  });

  test('a FAILED run: the error message in the terminal line and in a LabError with a next step', async () => {
    const clock = new FakeClock();
    glue.on(StartJobRunCommand).resolves({ JobRunId: RUN_ID });
    glue.on(GetJobRunCommand).resolvesOnce(run('STARTING')).resolvesOnce(run('RUNNING'))
      .resolves(run('FAILED', { ExecutionTime: 61, ErrorMessage: 'The source classicmodels could not be read: Communications link failure' }));
    const events: PipelineEvent[] = [];
    const err = await expectLabError(drive(clock, new GluePipelineRunner({ aws: AWS, glue: GLUE, clock }).run({ onEvent: (e) => events.push(e) })), 'internal');
    assert.match(err.message, /FAILED .*Communications link failure/);
    assert.match(err.message, /122 DPU-seconds/);
    assert.ok(err.nextStep);
    assert.equal(events.filter((e) => e.kind === 'stepStarted' || e.kind === 'stepFinished').length, 0, 'no local steps');
    const states = events.flatMap((e) => (e.kind === 'engineState' ? [e.change] : []));
    assert.deepEqual(states.map((s) => [s.state, s.outcome]), [['STARTING', undefined], ['RUNNING', undefined], ['FAILED', 'failed']]);
    assert.match(states[2].detail ?? '', /Communications link failure/);
    assert.ok(states.every((s, i) => i === 0 || s.elapsedMs > states[i - 1].elapsedMs), 'each state at the time it was seen');
    const last = events.at(-1);
    assert.ok(last?.kind === 'runFinished' && !last.ok && /Communications link failure/.test(last.message));
  });

  test('TIMEOUT -> timeout; a failed reconciliation in the job -> reconcileFailed', async () => {
    glue.on(StartJobRunCommand).resolves({ JobRunId: RUN_ID });
    glue.on(GetJobRunCommand).resolves(run('TIMEOUT', { ErrorMessage: 'Job run timed out' }));
    let clock = new FakeClock();
    await expectLabError(drive(clock, new GluePipelineRunner({ aws: AWS, glue: GLUE, clock }).run()), 'timeout');
    glue.on(GetJobRunCommand).resolves(run('FAILED', { ErrorMessage: 'JobError: Reconciliation failed: fact_rows_match_source (expected 2996, got 3688)' }));
    clock = new FakeClock();
    const err = await expectLabError(drive(clock, new GluePipelineRunner({ aws: AWS, glue: GLUE, clock }).run()), 'reconcileFailed');
    assert.match(err.message, /expected 2996, got 3688/);
  });

  test('throttling, access denied, expired credentials and a missing job each name the cause and the next step', async () => {
    const runner = new GluePipelineRunner({ aws: AWS, glue: GLUE, clock: new FakeClock() });
    glue.on(StartJobRunCommand).rejects(sdkError('ThrottlingException', 'Rate exceeded'));
    let err = await expectLabError(runner.run(), 'awsThrottled');
    assert.match(err.message, /StartJobRun: AWS is throttling these requests \(Rate exceeded\)/, 'the one mapper every AWS call shares');
    assert.equal(err.nextStep?.command, 'lifecycleLab.showLog');

    glue.on(StartJobRunCommand).rejects(sdkError('AccessDeniedException', 'User is not authorized to perform: glue:StartJobRun'));
    err = await expectLabError(runner.run(), 'awsCredentials');
    assert.match(err.message, /access denied.*glue:StartJobRun/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.profile');

    glue.on(StartJobRunCommand).rejects(sdkError('ExpiredTokenException', 'The security token included in the request is expired'));
    err = await expectLabError(runner.run(), 'awsCredentials');
    assert.match(err.message, /no valid AWS credentials.*expired/);

    glue.on(StartJobRunCommand).rejects(sdkError('EntityNotFoundException', 'Job etl not found.'));
    err = await expectLabError(runner.run(), 'config');
    assert.match(err.message, /no Glue job 'etl' in us-east-1/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.glueJobName');

    glue.on(StartJobRunCommand).rejects(sdkError('ConcurrentRunsExceededException', 'Job with name etl already running'));
    await expectLabError(runner.run(), 'lakeBusy');

    // Without a lake path setting the job's --lake_path is read first (GetJob): a missing job fails there.
    glue.on(GetJobCommand).rejects(sdkError('EntityNotFoundException', 'Job etl not found.'));
    err = await expectLabError(new GluePipelineRunner({ aws: AWS, glue: { ...GLUE, lakePath: '' } }).run(), 'config');
    assert.match(err.message, /^GetJob: no Glue job 'etl'/);
  });

  test('history pages through GetJobRuns with the SDK paginator; lastRun is the newest finished run as a RunRecord', async () => {
    glue.on(GetJobRunsCommand, { JobName: 'etl', MaxResults: 50 })
      .resolves({ JobRuns: [run('RUNNING', { Id: 'jr_3', StartedOn: new Date('2026-01-03T00:00:00Z') }).JobRun], NextToken: 'page2' });
    glue.on(GetJobRunsCommand, { JobName: 'etl', MaxResults: 50, NextToken: 'page2' }).resolves({ JobRuns: [
      run('FAILED', { Id: 'jr_2', StartedOn: new Date('2026-01-02T00:00:00Z'), CompletedOn: new Date('2026-01-02T00:02:00Z'), ExecutionTime: 110, ErrorMessage: 'boom' }).JobRun,
      run('SUCCEEDED', { Id: 'jr_1', StartedOn: new Date('2026-01-01T00:00:00Z'), CompletedOn: new Date('2026-01-01T00:02:00Z'), ExecutionTime: 100 }).JobRun,
    ] });
    const runner = new GluePipelineRunner({ aws: AWS, glue: GLUE });
    const history = await runner.history();
    assert.deepEqual(history.map((r) => [r.id, r.state, r.dpuSeconds, r.errorMessage]),
      [['jr_3', 'RUNNING', undefined, undefined], ['jr_2', 'FAILED', 220, 'boom'], ['jr_1', 'SUCCEEDED', 200, undefined]]);
    assert.equal(glue.commandCalls(GetJobRunsCommand).length, 2);
    const last = await runner.lastRun();
    assert.equal(last?.runId, 'jr_2');
    assert.equal(last?.status, 'failed');
    assert.equal(last?.durationMs, 110_000);
    assert.match(last?.message ?? '', /FAILED: boom/);
    const view = pipelineStateFromRecord(last!);
    assert.equal(view.lastRun?.ok, false);
    assert.deepEqual(view.steps, []);
    assert.deepEqual(view.engine?.states.map((s) => [s.state, s.outcome]), [['FAILED', 'failed']]);
    assert.deepEqual(last?.engine, { name: 'Glue', state: 'FAILED' });
    assert.equal(last?.pid, undefined, 'no local process ran it');

    assert.equal(jobRunToRecord(history[2]).status, 'ok');
    assert.equal(jobRunToRecord(toGlueJobRun(run('STOPPED').JobRun)).status, 'cancelled');

    glue.on(GetJobRunsCommand).rejects(sdkError('AccessDeniedException', 'not authorized to perform: glue:GetJobRuns'));
    glue.on(GetJobRunsCommand, { JobName: 'etl', MaxResults: 50 }).rejects(sdkError('AccessDeniedException', 'not authorized to perform: glue:GetJobRuns'));
    const err = await expectLabError(runner.history(), 'awsCredentials');
    assert.match(err.message, /^GetJobRuns: access denied/);
  });

  test('a stop Glue refuses (access denied on BatchStopJobRun) fails naming the call; the run may still be going', async () => {
    const clock = new FakeClock();
    glue.on(StartJobRunCommand).resolves({ JobRunId: RUN_ID });
    glue.on(GetJobRunCommand).resolves(run('RUNNING'));
    glue.on(BatchStopJobRunCommand).rejects(sdkError('AccessDeniedException', 'not authorized to perform: glue:BatchStopJobRun'));
    const events: PipelineEvent[] = [];
    const controller = new AbortController();
    const work = new GluePipelineRunner({ aws: AWS, glue: GLUE, clock }).run({ signal: controller.signal, onEvent: (e) => events.push(e) });
    await clock.advance(5000);
    controller.abort();
    const err = await expectLabError(drive(clock, work), 'awsCredentials');
    assert.match(err.message, /^BatchStopJobRun: access denied/);
    const last = events.at(-1);
    assert.ok(last?.kind === 'runFinished' && !last.ok && /may still be going/.test(last.message), JSON.stringify(last));
  });

  test('settings: the job name and the S3 lake path, checked and trimmed', () => {
    const config = resolveLabConfig({ 'aws.lakePath': 's3://lab-lake/warehouse/' }, '/');
    assert.deepEqual(config.glue, { jobName: 'de-c1w2-etl-job', lakePath: 's3://lab-lake/warehouse' });
    assert.throws(() => resolveLabConfig({ 'aws.lakePath': 'lab-lake/warehouse' }, '/'),
      (e: unknown) => e instanceof LabError && e.nextStep?.setting === 'lifecycleLab.aws.lakePath' && /s3:\/\/bucket/.test(e.message));
  });

  test('an error while watching says the run may still be going', async () => {
    const clock = new FakeClock();
    glue.on(StartJobRunCommand).resolves({ JobRunId: RUN_ID });
    glue.on(GetJobRunCommand).resolvesOnce(run('RUNNING')).rejects(sdkError('ThrottlingException', 'Rate exceeded'));
    const events: PipelineEvent[] = [];
    const err = await expectLabError(drive(clock, new GluePipelineRunner({ aws: AWS, glue: GLUE, clock }).run({ onEvent: (e) => events.push(e) })), 'awsThrottled');
    assert.ok(err instanceof LabError);
    const last = events.at(-1);
    assert.ok(last?.kind === 'runFinished' && /may still be going/.test(last.message), JSON.stringify(last));
  });
});
