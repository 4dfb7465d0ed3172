import type { LabBackend } from '../backend/types';
import { DashboardData } from '../dashboard/service';
import type { DatasetRequest } from '../dashboard/model';
import { TOP_N_DEFAULT } from '../dashboard/parameters';
import { CLASSICMODELS_TABLES, DUMP_COUNTS, type TableCounts } from '../lab/db';
import { readLabState } from '../lab/state';
import { sqlIdent } from '../query/sqlText';
import type { CheckProbes, SourceCounts } from './checks';

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
 * The probes every backend shares: the source through its explorer (exact counts), the lake and the dashboard
 * through the one query engine, the manifest and last run through the lake catalog and pipeline runner. A backend's
 * checks() returns these, plus what it adds (the AWS backend: its Terraform outputs, Glue job and workgroup).
 * `labDir`: where a local lab records how it was seeded, when the source may be that lab.
 */
export function backendProbes(backend: LabBackend, options: { labDir?: string } = {}): CheckProbes {
  return {
    label: backend.label,
    sourceMissing: backend.source.missing().nextStep ?? { label: 'Open Settings', command: 'lifecycleLab.openSettings' },
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
      const seededFrom = target.origin === 'local-lab' && options.labDir ? (await readLabState(options.labDir).catch(() => undefined))?.seededFrom : undefined;
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
}
