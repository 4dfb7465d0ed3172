import { formatDuration } from '../format';
import { parseJobRunState, type JobRunState } from './glueStates';

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

/** What the run consumed, e.g. "2 min 3 s execution, 246 DPU-seconds" ('' when Glue gave neither). */
export function describeCost(run: GlueJobRun): string {
  const parts: string[] = [];
  if (run.executionSeconds !== undefined) parts.push(`${formatDuration(run.executionSeconds * 1000, 0)} execution`);
  if (run.dpuSeconds !== undefined) parts.push(`${Math.round(run.dpuSeconds)} DPU-seconds`);
  return parts.join(', ');
}
