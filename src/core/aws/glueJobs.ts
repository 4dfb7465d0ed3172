import type { AwsSettings } from '../config';
import { LabError, type NextStep } from '../errors';
import type { AwsClients } from './awsClients';
import { awsErrorToLabError } from './clients';
import { toGlueJobRun, type GlueJobRun } from './glueJobRun';

const OPEN_JOB_SETTING: NextStep = { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.aws.glueJobName' };

/**
 * Glue's own errors as LabErrors (the job not found, a run already going), then the ones every AWS call shares
 * (credentials, access, throttling, network). `what` names the call.
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
  if (name === 'ConcurrentRunsExceededException') {
    return new LabError('lakeBusy', `${what}: the Glue job '${jobName}' is already running (${e.message ?? name}). Wait for that run to finish or stop it.`, {
      cause: err,
    });
  }
  return awsErrorToLabError(err, what, aws);
}

/** The job's default arguments the lab reads. */
export interface GlueJobArguments {
  /** `--lake_path`: where the job publishes. */
  lakePath?: string;
  /** `--continuous-log-logGroup`: the job's continuous-logging log group. */
  logGroup?: string;
}

/**
 * Thin wrappers over the Glue calls the lab makes, each mapping its errors, on the backend's Glue client (its
 * standard retry strategy retries throttling and 5xx with backoff).
 */
export class GlueJobs {
  constructor(private readonly clients: AwsClients) {}

  private get aws(): AwsSettings {
    return this.clients.aws;
  }

  /** GetJob: the default arguments the lab reads (a missing job fails naming it). */
  async jobArguments(jobName: string): Promise<GlueJobArguments> {
    const { sdk, client } = await this.clients.glue();
    try {
      const args = (await client.send(new sdk.GetJobCommand({ JobName: jobName }))).Job?.DefaultArguments ?? {};
      return { lakePath: args['--lake_path'] || undefined, logGroup: args['--continuous-log-logGroup'] || undefined };
    } catch (err) {
      throw glueErrorToLabError(err, 'GetJob', this.aws, jobName);
    }
  }

  /** StartJobRun; the new run's id. */
  async start(jobName: string, args?: Record<string, string>): Promise<string> {
    const { sdk, client } = await this.clients.glue();
    try {
      const out = await client.send(new sdk.StartJobRunCommand({ JobName: jobName, Arguments: args }));
      if (!out.JobRunId) throw new LabError('internal', `StartJobRun for '${jobName}' returned no run id.`);
      return out.JobRunId;
    } catch (err) {
      throw glueErrorToLabError(err, 'StartJobRun', this.aws, jobName);
    }
  }

  async get(jobName: string, runId: string): Promise<GlueJobRun> {
    const { sdk, client } = await this.clients.glue();
    try {
      const out = await client.send(new sdk.GetJobRunCommand({ JobName: jobName, RunId: runId }));
      if (!out.JobRun) throw new LabError('internal', `GetJobRun returned nothing for run ${runId} of '${jobName}'.`);
      return toGlueJobRun(out.JobRun);
    } catch (err) {
      throw glueErrorToLabError(err, 'GetJobRun', this.aws, jobName);
    }
  }

  /** BatchStopJobRun for the runs; a run Glue refuses to stop (already finished...) is returned with the reason. */
  async stop(jobName: string, runIds: string[]): Promise<{ runId: string; error: string }[]> {
    const { sdk, client } = await this.clients.glue();
    try {
      const out = await client.send(new sdk.BatchStopJobRunCommand({ JobName: jobName, JobRunIds: runIds }));
      return (out.Errors ?? []).map((e) => ({ runId: e.JobRunId ?? '', error: e.ErrorDetail?.ErrorMessage ?? e.ErrorDetail?.ErrorCode ?? 'refused' }));
    } catch (err) {
      throw glueErrorToLabError(err, 'BatchStopJobRun', this.aws, jobName);
    }
  }

  /** The job's runs, page by page through the SDK's paginator (`paginateGetJobRuns`), in the order Glue gives them. */
  async *history(jobName: string, options: { pageSize?: number } = {}): AsyncGenerator<GlueJobRun> {
    const { sdk, client } = await this.clients.glue();
    const pages = sdk.paginateGetJobRuns({ client, pageSize: options.pageSize ?? 50 }, { JobName: jobName });
    try {
      for await (const page of pages) {
        for (const run of page.JobRuns ?? []) yield toGlueJobRun(run);
      }
    } catch (err) {
      throw glueErrorToLabError(err, 'GetJobRuns', this.aws, jobName);
    }
  }
}
