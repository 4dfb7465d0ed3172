import { stringOption, type CliArgs, type CliContext } from './context';
import { LabError } from '../core/errors';
import { SourceExplorer } from '../core/source/explorer';
import { formatApproxRows, formatBytes } from '../core/source/format';
import { resolveSourceTarget, targetLabel } from '../core/source/target';

/**
 * `lifecycle-lab source tables`: the tables the Source view shows, from the same core code.
 * The target is resolved like the editor does it; the password of a configured host comes from
 * LIFECYCLE_LAB_MYSQL_PASSWORD (never from the command line).
 */
export async function tables(args: CliArgs, ctx: CliContext): Promise<number> {
  const target = await resolveSourceTarget(ctx.config, async () => process.env.LIFECYCLE_LAB_MYSQL_PASSWORD);
  if (!target) {
    throw new LabError('labNotRunning', ctx.config.mode === 'local'
      ? 'The local lab is not running and no MySQL host is configured (LIFECYCLE_LAB_MYSQL_HOST).'
      : 'No MySQL host is configured for AWS mode (LIFECYCLE_LAB_MYSQL_HOST).',
    { nextStep: ctx.config.mode === 'local' ? { label: 'lifecycle-lab lab up', command: 'lifecycleLab.startLocalLab' } : { label: 'Discover RDS Instance', command: 'lifecycleLab.source.discoverRds' } });
  }
  const database = stringOption(args, 'database') ?? target.database;
  const explorer = new SourceExplorer(target, { showSystemSchemas: ctx.config.showSystemSchemas, log: ctx.log });
  try {
    const listed = await explorer.listTables(database);
    if (ctx.json) {
      ctx.out(JSON.stringify({ ok: true, source: targetLabel(target), database, tables: listed }));
    } else {
      ctx.out(`${database} on ${targetLabel(target)}`);
      const width = Math.max(...listed.map((t) => t.name.length), 5);
      for (const t of listed) {
        const rows = t.approxRows === undefined ? '' : formatApproxRows(t.approxRows);
        const size = t.sizeBytes === undefined ? '' : formatBytes(t.sizeBytes);
        ctx.out(`  ${t.name.padEnd(width)}  ${t.kind.padEnd(5)}  ${rows.padStart(12)}  ${size.padStart(8)}`);
      }
    }
    return 0;
  } finally {
    await explorer.close();
  }
}

