import { backendOptions, withBackend } from './backend';
import { stringOption, type CliArgs, type CliContext } from './context';
import { formatApproxRows, formatBytes } from '../core/source/format';
import { targetLabel } from '../core/source/target';

/**
 * `lifecycle-lab source tables`: the tables the Source view shows, from the configured mode's backend (the
 * target resolved as the editor resolves it); the password of a configured host comes from
 * LIFECYCLE_LAB_MYSQL_PASSWORD (never from the command line).
 */
export async function tables(args: CliArgs, ctx: CliContext): Promise<number> {
  return withBackend(ctx, backendOptions(args, []), async (backend) => {
    const [target, explorer] = [await backend.source.target(), await backend.source.explorer()];
    if (!target || !explorer) throw backend.source.missing();
    const database = stringOption(args, 'database') ?? target.database;
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
  });
}
