import type { CliArgs, CliContext } from './context';
import { createBackend } from '../core/backend';
import { checkLab, formatCheckReport } from '../core/check/checks';
import { backendProbes } from '../core/check/probes';
import { findModelDir } from '../core/lake/model';

/**
 * `lifecycle-lab check`: Check Lab from the command line, the same checklist as the editor's (source and its 8 tables,
 * the pipeline's reconciliation, the lake's 4 tables, the dashboard's questions; in AWS mode Terraform's outputs,
 * the Glue job's last run and the Athena workgroup). Exit 0 when nothing failed, 1 otherwise.
 */
export async function run(_args: CliArgs, ctx: CliContext): Promise<number> {
  const backend = createBackend(ctx.config, {
    readPassword: async () => process.env.LIFECYCLE_LAB_MYSQL_PASSWORD,
    modelDir: findModelDir(),
    log: ctx.log,
  });
  try {
    const report = await checkLab(backendProbes(ctx.config, backend));
    if (ctx.json) ctx.out(JSON.stringify(report));
    else for (const line of formatCheckReport(report)) ctx.out(line);
    return report.ok ? 0 : 1;
  } finally {
    await backend.dispose();
  }
}
