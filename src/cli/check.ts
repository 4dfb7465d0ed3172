import { withBackend } from './backend';
import type { CliArgs, CliContext } from './context';
import { checkLab, formatCheckReport } from '../core/check/checks';

/**
 * `lifecycle-lab check`: Check Lab from the command line, the same checklist as the editor's (source and its 8 tables,
 * the pipeline's reconciliation, the lake's 4 tables, the dashboard's questions; in AWS mode Terraform's outputs,
 * the Glue job's last run and the Athena workgroup). Exit 0 when nothing failed, 1 otherwise.
 */
export async function run(_args: CliArgs, ctx: CliContext): Promise<number> {
  return withBackend(ctx, { localOnlyFlags: [] }, async (backend) => {
    const report = await checkLab(backend.checks());
    if (ctx.json) ctx.out(JSON.stringify(report));
    else for (const line of formatCheckReport(report)) ctx.out(line);
    return report.ok ? 0 : 1;
  });
}
