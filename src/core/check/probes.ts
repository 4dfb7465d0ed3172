import type { LabBackend } from '../backend/types';
import type { LabConfig } from '../config';
import { DashboardData } from '../dashboard/service';
import type { DatasetRequest } from '../dashboard/model';
import { TOP_N_DEFAULT } from '../dashboard/queries';
import { CLASSICMODELS_TABLES, DUMP_COUNTS, type TableCounts } from '../lab/db';
import { readLabState } from '../lab/state';
import { sqlIdent } from '../query/sqlText';
import type { CheckProbes, GlueRunSummary, SourceCounts } from './checks';

/**
 * The counts a source should hold: the lab dump's, or for a local lab seeded by the generator at scale N (state
 * "generated xN") only orderdetails = N × 2,996 (the generator's guarantee) with every other table non-empty.
 */
export function expectedSourceCounts(seededFrom: string | undefined): Partial<TableCounts> {
  const generated = /^generated x(\d+)$/.exec(seededFrom ?? '');
  if (!generated) return DUMP_COUNTS;
  return { orderdetails: Number(generated[1]) * DUMP_COUNTS.orderdetails };
}

/** The dashboard's questions Check Lab asks; the Top-N one over every date, country and product line. */
async function dashboardAnswers(data: DashboardData): Promise<Array<{ question: string; rows: number }>> {
  const fixed: DatasetRequest[] = [{ id: 'kpis' }, { id: 'salesByCountry' }, { id: 'salesByProductLine' }, { id: 'monthlySales' }, { id: 'filterOptions' }];
  const answers: Array<{ question: string; rows: number }> = [];
  let dates = { first: '', last: '' };
  for (const request of fixed) {
    const result = await data.dataset(request);
    if (result.filterOptions) dates = { first: result.filterOptions.firstOrderDate, last: result.filterOptions.lastOrderDate };
    answers.push({ question: result.title, rows: result.rows.length });
  }
  const top = await data.dataset({ id: 'topProducts', filter: { startDate: dates.first, endDate: dates.last, country: '', productLine: '', n: TOP_N_DEFAULT } });
  answers.push({ question: top.title, rows: top.rows.length });
  return answers;
}

/**
 * Probes over the mode's backend: the source through its explorer (exact counts), the lake and the dashboard
 * through the one query engine, the manifest and last run through the lake catalog and pipeline runner; in AWS mode
 * also the settings Terraform's outputs go into, the Glue job's runs and the Athena workgroup (SDKs loaded on use).
 */
export function backendProbes(config: LabConfig, backend: LabBackend): CheckProbes {
  const probes: CheckProbes = {
    mode: config.mode,
    async sourceCounts(): Promise<SourceCounts> {
      const target = await backend.source.target();
      if (!target) throw backend.source.missing();
      const explorer = await backend.source.explorer();
      if (!explorer) throw backend.source.missing();
      const present = new Set((await explorer.listTables(target.database)).map((t) => t.name));
      const counts: Partial<TableCounts> = {};
      for (const table of CLASSICMODELS_TABLES) {
        if (present.has(table)) counts[table] = await explorer.exactCount(target.database, table);
      }
      const seededFrom = target.origin === 'local-lab' ? (await readLabState(config.local.labDir).catch(() => undefined))?.seededFrom : undefined;
      const where = `${target.database} on ${target.origin === 'local-lab' ? 'the local lab' : `${target.host}:${target.port}`}`;
      return { where, counts, expected: expectedSourceCounts(seededFrom) };
    },
    manifest: () => backend.lake.manifest(),
    lastRun: () => backend.pipeline.lastRun(),
    async lakeRows(table: string): Promise<number> {
      const result = await backend.query.query(`select count(*) as n from ${sqlIdent(table)}`);
      return Number(result.rows[0]?.[0] ?? 0);
    },
    dashboardAnswers: () => dashboardAnswers(new DashboardData(backend.query, () => backend.lake.manifest())),
  };
  if (config.mode === 'aws') {
    probes.aws = {
      outputs: () => [
        { output: 'job_name', setting: 'lifecycleLab.aws.glueJobName', value: config.glue.jobName },
        { output: 'catalog_database', setting: 'lifecycleLab.aws.catalogDatabase', value: config.athena.database },
        { output: 'athena_workgroup', setting: 'lifecycleLab.aws.athenaWorkgroup', value: config.athena.workgroup },
      ],
      async lastGlueRun(): Promise<GlueRunSummary | undefined> {
        const [{ withAwsClients }, { GlueJobs }] = await Promise.all([import('../aws/awsClients'), import('../aws/glueJobs')]);
        return withAwsClients(config.aws, async (clients) => {
          const jobs = new GlueJobs(clients);
          let latest: Awaited<ReturnType<typeof jobs.get>> | undefined;
          // Glue lists the newest runs first; the first page is enough (the latest by start time among them).
          let seen = 0;
          for await (const run of jobs.history(config.glue.jobName, { pageSize: 25 })) {
            if (!latest || (run.startedOn?.getTime() ?? 0) > (latest.startedOn?.getTime() ?? 0)) latest = run;
            if (++seen >= 25) break;
          }
          return latest && { id: latest.id, state: latest.state, startedOn: latest.startedOn?.toISOString(), error: latest.errorMessage };
        });
      },
      async workgroupState(): Promise<string> {
        const [{ withAwsClients }, { awsErrorToLabError }] = await Promise.all([import('../aws/awsClients'), import('../aws/clients')]);
        return withAwsClients(config.aws, async (clients) => {
          const { sdk, client } = await clients.athena();
          try {
            const out = await client.send(new sdk.GetWorkGroupCommand({ WorkGroup: config.athena.workgroup }));
            return out.WorkGroup?.State ?? 'UNKNOWN';
          } catch (err) {
            throw awsErrorToLabError(err, `GetWorkGroup ${config.athena.workgroup}`, config.aws);
          }
        });
      },
    };
  }
  return probes;
}
