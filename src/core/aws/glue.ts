import { sleep, systemClock, type Clock } from '../clock';
import type { AwsSettings, GlueSettings } from '../config';
import { CancelledError, LabError, type NextStep } from '../errors';
import type { Logger } from '../log';
import { checksSummary } from '../run/checks';
import type { LakeManifest } from '../run/manifest';
import type { EngineStateChange, PipelineEvent, RunOutcome } from '../run/events';
import type { PipelineResult } from '../run/result';
import type { RunRecord } from '../run/runRecord';
import type { PipelineRunEntry, PipelineRunLink, PipelineRunner } from '../backend/types';
import type { LongWork } from '../progress';
import { awsClientConfig, awsErrorToLabError } from './clients';

/**
 * Every state of a Glue job run (the SDK's `JobRunState`), as one closed set; anything else from the service is an
 * error, not a silent new state. https://docs.aws.amazon.com/glue/latest/dg/job-run-statuses.html
 */
export const JOB_RUN_STATES = ['STARTING', 'WAITING', 'RUNNING', 'STOPPING', 'STOPPED', 'SUCCEEDED', 'FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED'] as const;
export type JobRunState = (typeof JOB_RUN_STATES)[number];
/** States a run never leaves: the watcher stops at the first of these. */
export const TERMINAL_JOB_RUN_STATES = ['STOPPED', 'SUCCEEDED', 'FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED'] as const;
export type TerminalJobRunState = (typeof TERMINAL_JOB_RUN_STATES)[number];
/** Terminal states that are failures (the run's ErrorMessage says why). */
export const FAILED_JOB_RUN_STATES = ['FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED'] as const;

export function isTerminalState(state: JobRunState): state is TerminalJobRunState {
  return (TERMINAL_JOB_RUN_STATES as readonly string[]).includes(state);
}

export function isFailedState(state: JobRunState): boolean {
  return (FAILED_JOB_RUN_STATES as readonly string[]).includes(state);
}

export function parseJobRunState(value: string | undefined): JobRunState {
  if (value && (JOB_RUN_STATES as readonly string[]).includes(value)) return value as JobRunState;
  throw new LabError('internal', `Glue reported an unknown job run state '${value ?? ''}'.`);
}

/** What the lab shows of one Glue job run. */
export interface GlueJobRun {
  id: string;
  jobName: string;
  state: JobRunState;
  startedOn?: Date;
  completedOn?: Date;
  lastModifiedOn?: Date;
  /** Seconds the run consumed resources (Glue's ExecutionTime). */
  executionSeconds?: number;
  /** DPU-seconds: Glue's own figure when it gives one, else execution time × capacity. */
  dpuSeconds?: number;
  errorMessage?: string;
  attempt: number;
  arguments: Record<string, string>;
}

type GlueModule = typeof import('@aws-sdk/client-glue');
type SdkJobRun = NonNullable<import('@aws-sdk/client-glue').GetJobRunResponse['JobRun']>;

/** DPUs per worker by worker type (Standard/G.1X: 1). */
const WORKER_DPU: Record<string, number> = { 'G.025X': 0.25, Standard: 1, 'G.1X': 1, 'G.2X': 2, 'G.4X': 4, 'G.8X': 8, 'Z.2X': 2 };

export function toGlueJobRun(run: SdkJobRun): GlueJobRun {
  const capacity = run.MaxCapacity ?? (run.NumberOfWorkers !== undefined ? run.NumberOfWorkers * (WORKER_DPU[run.WorkerType ?? 'G.1X'] ?? 1) : undefined);
  const executionSeconds = run.ExecutionTime;
  return {
    id: run.Id ?? '',
    jobName: run.JobName ?? '',
    state: parseJobRunState(run.JobRunState),
    startedOn: run.StartedOn,
    completedOn: run.CompletedOn,
    lastModifiedOn: run.LastModifiedOn,
    executionSeconds,
    dpuSeconds: run.DPUSeconds ?? (executionSeconds !== undefined && capacity !== undefined ? executionSeconds * capacity : undefined),
    errorMessage: run.ErrorMessage || undefined,
    attempt: run.Attempt ?? 0,
    arguments: run.Arguments ?? {},
  };
}

const OPEN_JOB_SETTING: NextStep = { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.glueJobName' };
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

/**
 * Glue's own errors as LabErrors (the job not found, throttling after the SDK's retries, a run already going),
 * then the ones every AWS call shares (credentials, access, network). `what` names the call.
 */
export function glueErrorToLabError(err: unknown, what: string, aws: AwsSettings, jobName: string): LabError {
  if (err instanceof LabError) return err;
  const e = (err ?? {}) as { name?: string; message?: string };
  const name = e.name ?? '';
  if (name === 'EntityNotFoundException') {
    return new LabError('config', `${what}: no Glue job '${jobName}' in ${aws.region}${aws.profile ? ` (profile ${aws.profile})` : ''}. Deploy it (terraform apply) or set the job name.`, {
      nextStep: OPEN_JOB_SETTING, cause: err,
    });
  }
  if (THROTTLED.has(name)) {
    return new LabError('timeout', `${what}: AWS throttled the request (${name}) even after the SDK's retries. Wait a minute and try again.`, {
      nextStep: { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' }, cause: err,
    });
  }
  if (name === 'ConcurrentRunsExceededException') {
    return new LabError('lakeBusy', `${what}: the Glue job '${jobName}' is already running (${e.message ?? name}). Wait for that run to finish or stop it.`, {
      cause: err,
    });
  }
  return awsErrorToLabError(err, what, aws);
}

/**
 * Thin wrappers over the Glue calls the lab makes, each mapping its errors. The SDK is loaded on first use and its
 * standard retry strategy (throttling, 5xx, with backoff) applies to every call; `destroy()` closes the client.
 */
export class GlueJobs {
  private constructor(private readonly glue: GlueModule, private readonly client: InstanceType<GlueModule['GlueClient']>,
    private readonly aws: AwsSettings) {}

  static async open(aws: AwsSettings): Promise<GlueJobs> {
    const glue = await import('@aws-sdk/client-glue');
    return new GlueJobs(glue, new glue.GlueClient(awsClientConfig(aws)), aws);
  }

  /** The job's `--lake_path` default argument, when it has one (GetJob; a missing job fails naming it). */
  async jobLakePath(jobName: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new this.glue.GetJobCommand({ JobName: jobName }));
      return out.Job?.DefaultArguments?.['--lake_path'] || undefined;
    } catch (err) {
      throw glueErrorToLabError(err, 'GetJob', this.aws, jobName);
    }
  }

  /** The job's continuous-logging log group (`--continuous-log-logGroup`), when it sets one. */
  async jobLogGroup(jobName: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new this.glue.GetJobCommand({ JobName: jobName }));
      return out.Job?.DefaultArguments?.['--continuous-log-logGroup'] || undefined;
    } catch (err) {
      throw glueErrorToLabError(err, 'GetJob', this.aws, jobName);
    }
  }

  /** StartJobRun; the new run's id. */
  async start(jobName: string, args?: Record<string, string>): Promise<string> {
    try {
      const out = await this.client.send(new this.glue.StartJobRunCommand({ JobName: jobName, Arguments: args }));
      if (!out.JobRunId) throw new LabError('internal', `StartJobRun for '${jobName}' returned no run id.`);
      return out.JobRunId;
    } catch (err) {
      throw glueErrorToLabError(err, 'StartJobRun', this.aws, jobName);
    }
  }

  async get(jobName: string, runId: string): Promise<GlueJobRun> {
    try {
      const out = await this.client.send(new this.glue.GetJobRunCommand({ JobName: jobName, RunId: runId }));
      if (!out.JobRun) throw new LabError('internal', `GetJobRun returned nothing for run ${runId} of '${jobName}'.`);
      return toGlueJobRun(out.JobRun);
    } catch (err) {
      throw glueErrorToLabError(err, 'GetJobRun', this.aws, jobName);
    }
  }

  /** BatchStopJobRun for the runs; a run Glue refuses to stop (already finished...) is returned with the reason. */
  async stop(jobName: string, runIds: string[]): Promise<{ runId: string; error: string }[]> {
    try {
      const out = await this.client.send(new this.glue.BatchStopJobRunCommand({ JobName: jobName, JobRunIds: runIds }));
      return (out.Errors ?? []).map((e) => ({ runId: e.JobRunId ?? '', error: e.ErrorDetail?.ErrorMessage ?? e.ErrorDetail?.ErrorCode ?? 'refused' }));
    } catch (err) {
      throw glueErrorToLabError(err, 'BatchStopJobRun', this.aws, jobName);
    }
  }

  /** The job's runs, page by page through the SDK's paginator (`paginateGetJobRuns`), in the order Glue gives them. */
  async *history(jobName: string, options: { pageSize?: number } = {}): AsyncGenerator<GlueJobRun> {
    const pages = this.glue.paginateGetJobRuns({ client: this.client, pageSize: options.pageSize ?? 50 }, { JobName: jobName });
    try {
      for await (const page of pages) {
        for (const run of page.JobRuns ?? []) yield toGlueJobRun(run);
      }
    } catch (err) {
      throw glueErrorToLabError(err, 'GetJobRuns', this.aws, jobName);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** Polling intervals: the first wait, its growth per unchanged poll, the cap. */
export const POLL_FIRST_MS = 3000;
export const POLL_GROWTH = 1.5;
export const POLL_MAX_MS = 15_000;

/** The wait before the next GetJobRun: back to the first after a state change, else growing to the cap. */
export function nextPollDelay(previousMs: number | undefined, stateChanged: boolean): number {
  if (stateChanged || previousMs === undefined) return POLL_FIRST_MS;
  return Math.min(POLL_MAX_MS, Math.round(previousMs * POLL_GROWTH));
}

export interface WatchOptions {
  clock?: Clock;
  /** Aborting stops the run (BatchStopJobRun) and keeps watching until Glue reports it stopped. */
  signal?: AbortSignal;
  /** Every poll, with whether the state changed since the one before (the first poll counts as a change). */
  onPoll?: (run: GlueJobRun, changed: boolean) => void;
  /** Called once when a stop is requested, with Glue's refusals (empty when it accepted). */
  onStop?: (refused: { runId: string; error: string }[]) => void;
  /** How long to keep watching a stopping run after the abort (default 10 min). */
  stopTimeoutMs?: number;
}

/**
 * Watches a run until a terminal state and returns that last poll. Polls at once, then after 3 s, growing ×1.5 to
 * 15 s while the state stays, back to 3 s on each change; every wait is on the injected clock. On abort it asks Glue
 * to stop the run and returns the terminal state Glue then reports (normally STOPPED).
 */
export async function watchJobRun(jobs: Pick<GlueJobs, 'get' | 'stop'>, jobName: string, runId: string, options: WatchOptions = {}): Promise<GlueJobRun> {
  const clock = options.clock ?? systemClock;
  let previous: JobRunState | undefined;
  let delay: number | undefined;
  let stopDeadline: number | undefined;
  const stopRequested = async () => {
    stopDeadline = clock.now() + (options.stopTimeoutMs ?? 10 * 60_000);
    options.onStop?.(await jobs.stop(jobName, [runId]));
    delay = undefined;
  };
  for (;;) {
    if (options.signal?.aborted && stopDeadline === undefined) await stopRequested();
    const run = await jobs.get(jobName, runId);
    const changed = run.state !== previous;
    previous = run.state;
    options.onPoll?.(run, changed);
    if (isTerminalState(run.state)) return run;
    if (stopDeadline !== undefined && clock.now() >= stopDeadline) {
      throw new LabError('timeout', `Glue job run ${runId} was asked to stop but is still ${run.state}; it may still be running.`, {
        nextStep: { label: 'Stop Run', command: 'lifecycleLab.pipeline.cancel' },
      });
    }
    delay = nextPollDelay(delay, changed);
    try {
      await sleep(clock, delay, stopDeadline === undefined ? options.signal : undefined);
    } catch (err) {
      if (!options.signal?.aborted) throw err;
    }
  }
}

/** s3://bucket/prefix -> bucket and key prefix (no slashes at its ends). */
export function splitS3Url(url: string): { bucket: string; prefix: string } {
  const rest = url.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, prefix: '' } : { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1).replace(/^\/+|\/+$/g, '') };
}

/** Where the Glue job writes its manifest: `<lake>/gold/_manifest.json` (glue/glue_job.py GlueAdapter.publish). */
export function manifestKey(lakePath: string): { bucket: string; key: string; url: string } {
  const { bucket, prefix } = splitS3Url(lakePath);
  const key = [prefix, 'gold', '_manifest.json'].filter(Boolean).join('/');
  return { bucket, key, url: `s3://${bucket}/${key}` };
}

const OPEN_LAKE_SETTING: NextStep = { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.lakePath' };

/** The lake's `gold/_manifest.json` from S3; undefined when there is none yet. */
export async function readS3Manifest(aws: AwsSettings, lakePath: string): Promise<LakeManifest | undefined> {
  const s3 = await import('@aws-sdk/client-s3');
  const client = new s3.S3Client(awsClientConfig(aws, { forcePathStyle: !!aws.endpoint }));
  const where = manifestKey(lakePath);
  let text: string;
  try {
    const out = await client.send(new s3.GetObjectCommand({ Bucket: where.bucket, Key: where.key }));
    text = (await out.Body?.transformToString('utf-8')) ?? '';
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    if (name === 'NoSuchBucket') {
      throw new LabError('config', `The lake bucket of ${lakePath} does not exist. Set the S3 lake path to the job's --lake_path.`, { nextStep: OPEN_LAKE_SETTING, cause: err });
    }
    throw awsErrorToLabError(err, `Reading ${where.url}`, aws);
  } finally {
    client.destroy();
  }
  let parsed: LakeManifest;
  try {
    parsed = JSON.parse(text) as LakeManifest;
  } catch (err) {
    throw new LabError('lakeDamaged', `${where.url} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (parsed.model !== 'star-v1' || typeof parsed.tables?.fact_orders !== 'object' || !Array.isArray(parsed.checks)) {
    throw new LabError('lakeDamaged', `${where.url} is not a manifest of the star-v1 model; was the lake written by another job?`);
  }
  return parsed;
}

export interface GlueRunnerSettings {
  aws: AwsSettings;
  glue: GlueSettings;
  clock?: Clock;
  log?: Logger;
}

export interface GlueRunOptions extends LongWork {
  onEvent?: (event: PipelineEvent) => void;
}

/** The engine's name in run events and records. */
const GLUE = 'Glue';

export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function costLine(run: GlueJobRun): string {
  const parts: string[] = [];
  if (run.executionSeconds !== undefined) parts.push(`${formatSeconds(run.executionSeconds)} execution`);
  if (run.dpuSeconds !== undefined) parts.push(`${Math.round(run.dpuSeconds)} DPU-seconds`);
  return parts.join(', ');
}

/** How a run in this state ended; undefined while it goes. */
export function jobRunOutcome(state: JobRunState): RunOutcome | undefined {
  if (!isTerminalState(state)) return undefined;
  return state === 'SUCCEEDED' ? 'ok' : state === 'STOPPED' ? 'cancelled' : 'failed';
}

/**
 * The AWS pipeline: StartJobRun for the configured job, watch it with backoff, then read the `_manifest.json` the job
 * published to S3. It reports in Glue's own terms: each state Glue gives the run (STARTING, RUNNING, …) as it is
 * polled, with the time it was seen, then the tables and checks the run recorded in its manifest, marked as such.
 */
export class GluePipelineRunner implements PipelineRunner {
  private readonly clock: Clock;

  constructor(private readonly settings: GlueRunnerSettings) {
    this.clock = settings.clock ?? systemClock;
  }

  get jobName(): string {
    return this.settings.glue.jobName;
  }

  async describe(): Promise<string> {
    return `Glue job ${this.jobName}${this.settings.glue.lakePath ? ` → ${this.settings.glue.lakePath}` : ''}`;
  }

  async run(options: GlueRunOptions = {}): Promise<PipelineResult> {
    const aws = this.settings.aws;
    const jobName = this.jobName;
    const emit = options.onEvent ?? (() => {});
    const progress = options.onProgress ?? (() => {});
    if (options.signal?.aborted) throw new CancelledError('Glue job run');
    const jobs = await GlueJobs.open(aws);
    try {
      const lakePath = this.settings.glue.lakePath || (await jobs.jobLakePath(jobName));
      const runId = await jobs.start(jobName);
      const started = this.clock.now();
      this.settings.log?.info(`Glue job ${jobName}: started run ${runId}`);
      emit({ kind: 'runStarted', runId, source: `Glue job ${jobName}`, lake: lakePath ?? 'the job\'s --lake_path', engine: GLUE });
      const states: EngineStateChange[] = [];
      const seen = (run: GlueJobRun) => {
        const now = this.clock.now();
        const outcome = jobRunOutcome(run.state);
        const detail = outcome === undefined ? undefined : outcome === 'failed' ? run.errorMessage ?? 'Glue gave no error message' : costLine(run) || undefined;
        const change: EngineStateChange = { engine: GLUE, state: run.state, at: new Date(now).toISOString(), elapsedMs: now - started,
          ...(outcome ? { outcome } : {}), ...(detail ? { detail } : {}) };
        states.push(change);
        emit({ kind: 'engineState', change });
      };
      const ended = (ok: boolean, message: string) => emit({ kind: 'runFinished', ok, durationMs: this.clock.now() - started, message });

      let final: GlueJobRun;
      try {
        final = await watchJobRun(jobs, jobName, runId, {
          clock: this.clock,
          signal: options.signal,
          onStop: (refused) => {
            this.settings.log?.info(`Glue job run ${runId}: stop requested${refused.length ? ` (Glue: ${refused.map((r) => r.error).join('; ')})` : ''}`);
            progress({ message: `Stopping Glue job run ${runId}` });
          },
          onPoll: (run, changed) => {
            progress({ message: `Glue ${run.state} · ${formatSeconds((this.clock.now() - started) / 1000)} elapsed` });
            if (!changed) return;
            this.settings.log?.info(`Glue job run ${runId}: ${run.state} at ${new Date(this.clock.now()).toISOString()}`);
            seen(run);
          },
        });
      } catch (err) {
        const e = glueErrorToLabError(err, 'Watching the Glue job run', aws, jobName);
        ended(false, `Glue job run ${runId}: ${e.message} The run may still be going; see its history.`);
        throw e;
      }
      const cost = costLine(final);
      const elapsed = formatSeconds((this.clock.now() - started) / 1000);
      if (final.state === 'STOPPED') {
        ended(false, `Glue job run ${runId} stopped after ${elapsed}; the previous lake was kept.`);
        throw new CancelledError(`Glue job run ${runId}`);
      }
      if (final.state !== 'SUCCEEDED') {
        const message = `Glue job run ${runId} ${final.state} after ${elapsed}${cost ? ` (${cost})` : ''}: ${final.errorMessage ?? 'Glue gave no error message'}`;
        ended(false, message);
        throw runFailed(final, message);
      }
      let manifest: LakeManifest | undefined;
      try {
        if (!lakePath) {
          throw new LabError('config', `Glue job run ${runId} succeeded, but the S3 lake path is unknown (no setting and no --lake_path on the job), so its manifest cannot be read.`, {
            nextStep: OPEN_LAKE_SETTING,
          });
        }
        manifest = await readS3Manifest(aws, lakePath);
        if (!manifest) {
          throw new LabError('lakeMissing', `Glue job run ${runId} succeeded, but there is no ${manifestKey(lakePath).url}. Is the lake path the job's --lake_path?`, {
            nextStep: OPEN_LAKE_SETTING,
          });
        }
        const runStart = final.startedOn?.getTime() ?? started;
        if (Date.parse(manifest.finishedAt) < runStart - 5 * 60_000) {
          throw new LabError('lakeMissing', `Glue job run ${runId} succeeded, but ${manifestKey(lakePath).url} is from an earlier run (finished ${manifest.finishedAt}). Is the lake path the job's --lake_path?`, {
            nextStep: OPEN_LAKE_SETTING,
          });
        }
      } catch (err) {
        const e = err instanceof LabError ? err : awsErrorToLabError(err, 'Reading the manifest', aws);
        ended(false, e.message);
        throw e;
      }
      // What the job recorded: the tables it published and the checks it ran inside the run.
      for (const [table, stats] of Object.entries(manifest.tables)) emit({ kind: 'published', table, rows: stats.rows, files: stats.files, bytes: stats.bytes });
      for (const check of manifest.checks) emit({ kind: 'check', check, fromManifest: true });
      const failedChecks = manifest.checks.filter((c) => !c.ok);
      if (failedChecks.length || !manifest.ok) {
        const message = `Glue job run ${runId} published a lake that does not reconcile: ${failedChecks.map((c) => c.message).join('; ') || 'manifest not ok'}.`;
        ended(false, message);
        throw new LabError('reconcileFailed', message, { nextStep: { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' } });
      }
      ended(true, `Glue job run ${runId} succeeded: ${manifest.tables.fact_orders?.rows ?? 0} fact rows, total ${manifest.source.orderAmountTotal}, `
        + `${checksSummary(manifest.checks)}${cost ? `; ${cost}` : ''}.`);
      progress({ message: 'Done', fraction: 1 });
      return { manifest, steps: [], states, durationMs: this.clock.now() - started };
    } finally {
      jobs.destroy();
    }
  }

  /** Stops the job's runs that are still going (BatchStopJobRun); the ids it asked to stop. */
  async stopRunning(): Promise<string[]> {
    const jobs = await GlueJobs.open(this.settings.aws);
    try {
      const active: string[] = [];
      for await (const run of jobs.history(this.jobName)) if (!isTerminalState(run.state) && run.state !== 'STOPPING') active.push(run.id);
      if (active.length) await jobs.stop(this.jobName, active);
      return active;
    } finally {
      jobs.destroy();
    }
  }

  /** Up to `limit` runs of the job, newest first: state, start, duration, DPU-seconds, error. */
  async history(limit = 50): Promise<GlueJobRun[]> {
    const jobs = await GlueJobs.open(this.settings.aws);
    try {
      const runs: GlueJobRun[] = [];
      for await (const run of jobs.history(this.jobName)) {
        runs.push(run);
        if (runs.length >= limit) break;
      }
      return runs.sort((a, b) => (b.startedOn?.getTime() ?? 0) - (a.startedOn?.getTime() ?? 0));
    } finally {
      jobs.destroy();
    }
  }

  /** The history as the Pipeline view lists it (PipelineRunner.runHistory). */
  async runHistory(limit = 20): Promise<PipelineRunEntry[]> {
    return (await this.history(limit)).map(toRunEntry);
  }

  /**
   * Stop Run: BatchStopJobRun for the given runs, or for every run of the job still going (one started from the
   * console or another window too). Glue's refusals of every asked run fail with its reasons.
   */
  async stopRuns(runIds?: string[]): Promise<string[]> {
    if (!runIds) return this.stopRunning();
    if (runIds.length === 0) return [];
    const jobs = await GlueJobs.open(this.settings.aws);
    try {
      const refused = await jobs.stop(this.jobName, runIds);
      if (refused.length === runIds.length) {
        throw new LabError('config', `Glue did not stop ${runIds.join(', ')}: ${refused.map((r) => r.error).join('; ')}.`, {
          nextStep: { label: 'Refresh Pipeline', command: 'lifecycleLab.pipeline.refresh' },
        });
      }
      return runIds.filter((id) => !refused.some((r) => r.runId === id));
    } finally {
      jobs.destroy();
    }
  }

  /** The run's log streams (output, error, and the job's continuous log group when it has one) and its console page. */
  async runLinks(runId: string): Promise<PipelineRunLink[]> {
    const jobs = await GlueJobs.open(this.settings.aws);
    let continuous: string | undefined;
    try {
      continuous = await jobs.jobLogGroup(this.jobName);
    } finally {
      jobs.destroy();
    }
    return glueRunLinks(this.settings.aws.region, this.jobName, runId, continuous);
  }

  /** The latest finished run as a run record (the newest GetJobRuns entry in a terminal state). */
  async lastRun(): Promise<RunRecord | undefined> {
    const finished = (await this.history()).find((r) => isTerminalState(r.state));
    return finished ? jobRunToRecord(finished) : undefined;
  }
}

function runFailed(run: GlueJobRun, message: string): LabError {
  const code = run.state === 'TIMEOUT' ? 'timeout' : /Reconciliation failed/.test(run.errorMessage ?? '') ? 'reconcileFailed' : 'internal';
  return new LabError(code, `${message}. The job's log is in CloudWatch (/aws-glue/jobs/error, stream ${run.id}); the previous lake was kept.`, {
    nextStep: run.state === 'TIMEOUT'
      ? { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' }
      : { label: 'Show Pipeline Terminal', command: 'lifecycleLab.pipeline.showTerminal' },
  });
}

/** A Glue run as a history entry of the Pipeline view. */
export function toRunEntry(run: GlueJobRun): PipelineRunEntry {
  const finished = isTerminalState(run.state);
  const end = run.completedOn ?? (finished ? run.lastModifiedOn : undefined);
  const durationMs = run.executionSeconds !== undefined && finished ? run.executionSeconds * 1000
    : run.startedOn && end ? end.getTime() - run.startedOn.getTime() : undefined;
  const outcome = jobRunOutcome(run.state);
  const entry: PipelineRunEntry = { id: run.id, state: run.state, ...(outcome ? { outcome } : {}) };
  if (run.startedOn) entry.startedAt = run.startedOn.toISOString();
  if (durationMs !== undefined) entry.durationMs = durationMs;
  if (run.dpuSeconds !== undefined) entry.dpuSeconds = run.dpuSeconds;
  if (run.errorMessage) entry.error = run.errorMessage;
  return entry;
}

/** CloudWatch's console addresses a log group or stream in its fragment with `/` etc. encoded twice, `%` as `$`. */
function cloudWatchFragment(value: string): string {
  return encodeURIComponent(encodeURIComponent(value)).replace(/%/g, '$');
}

/**
 * The console pages of one Glue job run: the driver's output and error streams (named by the run id in
 * /aws-glue/jobs/output and /aws-glue/jobs/error), the continuous-logging group when the job sets one, and the run's
 * page in Glue Studio.
 */
export function glueRunLinks(region: string, jobName: string, runId: string, continuousLogGroup?: string): PipelineRunLink[] {
  const console = `https://${region}.console.aws.amazon.com`;
  const stream = (group: string) =>
    `${console}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${cloudWatchFragment(group)}/log-events/${cloudWatchFragment(runId)}`;
  const links: PipelineRunLink[] = [
    { kind: 'logs', label: 'Output log (/aws-glue/jobs/output)', url: stream('/aws-glue/jobs/output') },
    { kind: 'logs', label: 'Error log (/aws-glue/jobs/error)', url: stream('/aws-glue/jobs/error') },
  ];
  if (continuousLogGroup) links.push({ kind: 'logs', label: `Continuous log (${continuousLogGroup})`, url: stream(continuousLogGroup) });
  links.push({ kind: 'console', label: 'Glue job run', url: `${console}/gluestudio/home?region=${region}#/job/${encodeURIComponent(jobName)}/run/${encodeURIComponent(runId)}` });
  return links;
}

/** A finished Glue run as a run record: Glue's state and times, no steps (Glue reports none). */
export function jobRunToRecord(run: GlueJobRun): RunRecord {
  const startedAt = run.startedOn ?? run.lastModifiedOn ?? new Date(0);
  const finishedAt = run.completedOn ?? run.lastModifiedOn ?? startedAt;
  const durationMs = run.executionSeconds !== undefined ? run.executionSeconds * 1000 : finishedAt.getTime() - startedAt.getTime();
  const status = jobRunOutcome(run.state) ?? 'failed';
  const cost = costLine(run);
  const message = status === 'ok' ? `Glue job run ${run.id} succeeded${cost ? `; ${cost}` : ''}.`
    : status === 'cancelled' ? `Glue job run ${run.id} stopped; the previous lake was kept.`
      : `Glue job run ${run.id} ${run.state}: ${run.errorMessage ?? 'no error message'}`;
  return {
    runId: run.id,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs,
    status,
    message,
    steps: [],
    engine: { name: GLUE, state: run.state },
    origin: 'glue',
  };
}
