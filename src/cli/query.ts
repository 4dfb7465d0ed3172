import { booleanOption, lakeDirOption, type CliArgs, type CliContext } from './context';
import { DuckDbLakeEngine } from '../core/query/duckdb';
import { formatTable } from '../core/lake/report';

/**
 * `lifecycle-lab query "<SQL>"`: DuckDB over the local lake, through the same engine the dashboard uses (reads the
 * lake and nothing else); `--full` asks for a full DuckDB session over the same views.
 */
export async function run(args: CliArgs, ctx: CliContext): Promise<number> {
  const sql = args.positionals.join(' ').trim();
  const engine = new DuckDbLakeEngine(lakeDirOption(args, ctx), { access: booleanOption(args, 'full') ? 'full' : 'lake' });
  try {
    const result = await engine.query(sql);
    if (ctx.json) {
      ctx.out(JSON.stringify({ ok: true, columns: result.columns, rows: result.rows, elapsedMs: Math.round(result.stats.elapsedMs) }));
      return 0;
    }
    ctx.out(formatTable(result.columns.map((c) => c.name), result.rows));
    process.stderr.write(`${result.rows.length} row${result.rows.length === 1 ? '' : 's'} in ${Math.round(result.stats.elapsedMs)} ms\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
