import { GlueJobs } from '../aws/glueJobs';
import type { AwsClients } from '../aws/awsClients';
import { awsErrorToLabError } from '../aws/clients';
import type { CheckProbes, GlueRunSummary } from '../check/checks';
import type { LabConfig } from '../config';

/** What Check Lab asks of AWS beyond the shared probes: the Terraform outputs in the settings, the Glue job's last run, the workgroup. */
export function awsProbes(config: LabConfig, clients: AwsClients): NonNullable<CheckProbes['aws']> {
  return {
    outputs: () => [
      { output: 'job_name', setting: 'lifecycleLab.aws.glueJobName', value: config.glue.jobName },
      { output: 'catalog_database', setting: 'lifecycleLab.aws.catalogDatabase', value: config.athena.database },
      { output: 'athena_workgroup', setting: 'lifecycleLab.aws.athenaWorkgroup', value: config.athena.workgroup },
    ],
    async lastGlueRun(): Promise<GlueRunSummary | undefined> {
      const jobs = new GlueJobs(clients);
      let latest: Awaited<ReturnType<typeof jobs.get>> | undefined;
      // Glue lists the newest runs first; the first page is enough (the latest by start time among them).
      let seen = 0;
      for await (const run of jobs.history(config.glue.jobName, { pageSize: 25 })) {
        if (!latest || (run.startedOn?.getTime() ?? 0) > (latest.startedOn?.getTime() ?? 0)) latest = run;
        if (++seen >= 25) break;
      }
      return latest && { id: latest.id, state: latest.state, startedOn: latest.startedOn?.toISOString(), error: latest.errorMessage };
    },
    async workgroupState(): Promise<string> {
      const { sdk, client } = await clients.athena();
      try {
        const out = await client.send(new sdk.GetWorkGroupCommand({ WorkGroup: config.athena.workgroup }));
        return out.WorkGroup?.State ?? 'UNKNOWN';
      } catch (err) {
        throw awsErrorToLabError(err, `GetWorkGroup ${config.athena.workgroup}`, config.aws);
      }
    },
  };
}
