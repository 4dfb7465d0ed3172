import type { PipelineRunLink } from '../backend/types';

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
