import { systemClock, type Clock } from '../clock';
import type { AwsSettings, GlueSettings } from '../config';
import { CancelledError, LabError } from '../errors';
import type { Logger } from '../log';
import type { PipelineRunEntry, PipelineRunLink, PipelineRunner } from '../backend/types';
import type { LongWork } from '../progress';
import { checksSummary } from '../run/checks';
import type { EngineStateChange, PipelineEvent } from '../run/events';
import type { LakeManifest } from '../run/manifest';
import type { PipelineResult } from '../run/result';
import type { RunRecord } from '../run/runRecord';
import { formatDuration } from '../format';
import { AwsClients } from './awsClients';
import { awsErrorToLabError, isLoopbackUrl } from './clients';
import { glueRunLinks } from './glueLinks';
import { describeCost, type GlueJobRun } from './glueJobRun';
import { glueErrorToLabError, GlueJobs } from './glueJobs';
import { isTerminalState, jobRunOutcome } from './glueStates';
import { GLUE_POLL, LOOPBACK_GLUE_POLL, watchJobRun } from './glueWatch';
import { manifestKey, OPEN_LAKE_SETTING, readS3Manifest } from './s3Manifest';

export interface GlueRunnerSettings {
  aws: AwsSettings;
  glue: GlueSettings;
  /** The backend's AWS clients; absent, the runner makes its own and dispose() destroys them. */
  clients?: AwsClients;
  clock?: Clock;
  log?: Logger;
}

export interface GlueRunOptions extends LongWork {
  onEvent?: (event: PipelineEvent) => void;
  /** Passed to the run as --record_dashboard (glue/job_dashboard.py); the job's default is 'auto'. */
  recordDashboard?: 'auto' | 'always' | 'never';
}

/** The engine's name in run events and records. */
const GLUE = 'Glue';

/**
 * The AWS pipeline: StartJobRun for the configured job, watch it with backoff, then read the `_manifest.json` the job
 * published to S3. It reports in Glue's own terms: each state Glue gives the run (STARTING, RUNNING, …) as it is
 * polled, with the time it was seen, then the tables and checks the run recorded in its manifest, marked as such.
 */
export class GluePipelineRunner implements PipelineRunner {
  private readonly clock: Clock;
  private readonly clients: AwsClients;
  private readonly ownsClients: boolean;
  private readonly jobs: GlueJobs;

  constructor(private readonly settings: GlueRunnerSettings) {
    this.clock = settings.clock ?? systemClock;
    this.ownsClients = !settings.clients;
    this.clients = settings.clients ?? new AwsClients(settings.aws);
    this.jobs = new GlueJobs(this.clients);
  }

  /** Destroys the clients the runner made itself (a backend's are the backend's to destroy). */
  async dispose(): Promise<void> {
    if (this.ownsClients) await this.clients.destroy();
  }

  get jobName(): string {
    return this.settings.glue.jobName;
  }

  describe(): Promise<string> {
    return Promise.resolve(`Glue job ${this.jobName}${this.settings.glue.lakePath ? ` → ${this.settings.glue.lakePath}` : ''}`);
  }

  async run(options: GlueRunOptions = {}): Promise<PipelineResult> {
    const aws = this.settings.aws;
    const jobName = this.jobName;
    const emit = options.onEvent ?? (() => {});
    const progress = options.onProgress ?? (() => {});
    if (options.signal?.aborted) throw new CancelledError('Glue job run');
    const jobs = this.jobs;
    const lakePath = this.settings.glue.lakePath || (await jobs.jobArguments(jobName)).lakePath;
    const runId = await jobs.start(jobName, options.recordDashboard ? { '--record_dashboard': options.recordDashboard } : undefined);
    const started = this.clock.now();
    this.settings.log?.info(`Glue job ${jobName}: started run ${runId}`);
    emit({ kind: 'runStarted', runId, source: `Glue job ${jobName}`, lake: lakePath ?? 'the job\'s --lake_path', engine: GLUE });
    const states: EngineStateChange[] = [];
    const seen = (run: GlueJobRun) => {
      const now = this.clock.now();
      const outcome = jobRunOutcome(run.state);
      const detail = outcome === undefined ? undefined : outcome === 'failed' ? run.errorMessage ?? 'Glue gave no error message' : describeCost(run) || undefined;
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
        poll: aws.endpoint && isLoopbackUrl(aws.endpoint) ? LOOPBACK_GLUE_POLL : GLUE_POLL,
        signal: options.signal,
        onStop: (refused) => {
          this.settings.log?.info(`Glue job run ${runId}: stop requested${refused.length ? ` (Glue: ${refused.map((r) => r.error).join('; ')})` : ''}`);
          progress({ message: `Stopping Glue job run ${runId}` });
        },
        onPoll: (run, changed) => {
          progress({ message: `Glue ${run.state} · ${formatDuration(this.clock.now() - started, 0)} elapsed` });
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
    const cost = describeCost(final);
    const elapsed = formatDuration(this.clock.now() - started, 0);
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
      manifest = await readS3Manifest(this.clients, lakePath);
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
  }

  /** Stops the job's runs that are still going (BatchStopJobRun); the ids it asked to stop. */
  async stopRunning(): Promise<string[]> {
    const active: string[] = [];
    for await (const run of this.jobs.history(this.jobName)) if (!isTerminalState(run.state) && run.state !== 'STOPPING') active.push(run.id);
    if (active.length) await this.jobs.stop(this.jobName, active);
    return active;
  }

  /** Up to `limit` runs of the job, newest first: state, start, duration, DPU-seconds, error. */
  async history(limit = 50): Promise<GlueJobRun[]> {
    const runs: GlueJobRun[] = [];
    for await (const run of this.jobs.history(this.jobName)) {
      runs.push(run);
      if (runs.length >= limit) break;
    }
    return runs.sort((a, b) => (b.startedOn?.getTime() ?? 0) - (a.startedOn?.getTime() ?? 0));
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
    const refused = await this.jobs.stop(this.jobName, runIds);
    if (refused.length === runIds.length) {
      throw new LabError('config', `Glue did not stop ${runIds.join(', ')}: ${refused.map((r) => r.error).join('; ')}.`, {
        nextStep: { label: 'Refresh Pipeline', command: 'lifecycleLab.pipeline.refresh' },
      });
    }
    return runIds.filter((id) => !refused.some((r) => r.runId === id));
  }

  /** The run's log streams (output, error, and the job's continuous log group when it has one) and its console page. */
  async runLinks(runId: string): Promise<PipelineRunLink[]> {
    const { logGroup } = await this.jobs.jobArguments(this.jobName);
    return glueRunLinks(this.settings.aws.region, this.jobName, runId, logGroup);
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

/** A finished Glue run as a run record: Glue's state and times, no steps (Glue reports none). */
export function jobRunToRecord(run: GlueJobRun): RunRecord {
  const startedAt = run.startedOn ?? run.lastModifiedOn ?? new Date(0);
  const finishedAt = run.completedOn ?? run.lastModifiedOn ?? startedAt;
  const durationMs = run.executionSeconds !== undefined ? run.executionSeconds * 1000 : finishedAt.getTime() - startedAt.getTime();
  const status = jobRunOutcome(run.state) ?? 'failed';
  const cost = describeCost(run);
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
