import { lakeDirArg, usage, type CliContext } from '../cli';
import { DuckDbLakeEngine } from '../core/query/duckdb';
import { formatTable } from '../core/lake/report';

const USAGE = `usage: lifecycle-lab query "<SQL>" [--lake DIR] [--full] [--json]   (lake tables by name, e.g. fact_orders)
  one statement per query; reads the lake only (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) unless --full opens a full DuckDB session
  (any statement, any file: COPY ... TO, read_csv('/elsewhere'), ATTACH)`;

/**
 * `lifecycle-lab query "<SQL>"`: DuckDB over the local lake, through the same engine the dashboard uses (reads the
 * lake and nothing else); `--full` asks for a full DuckDB session over the same views.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const full = args.includes('--full');
  const rest = args.filter((a, i) => a !== '--lake' && args[i - 1] !== '--lake' && a !== '--full');
  const sql = rest.join(' ').trim();
  if (!sql) {
    return usage(ctx, USAGE);
  }
  const engine = new DuckDbLakeEngine(lakeDirArg(args, ctx), { access: full ? 'full' : 'lake' });
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
