/**
 * The extraction's ceiling: the MariaDB client sending the columns the extractor reads into /dev/null, the best the
 * server can do for the same rows. One home for bench/run.ts and bench/pipeline.ts.
 */
import type { MysqlTarget } from '../../src/core/config';
import { RANGE_KEYS } from '../../src/core/lake/extractClient';
import { SOURCE_TABLES } from '../../src/core/lake/sourceSchema';
import { runMeasured } from './procTree';

/** Runs one statement on the source, rows as arrays. */
export type QueryRows = (sql: string) => Promise<unknown[][]>;

const selectOf = (t: (typeof SOURCE_TABLES)[number], where = '') => `select ${t.columns.map((c) => `\`${c.name}\``).join(', ')} from \`${t.name}\`${where};`;

/** One stream: every table's SELECT on one client. */
export const oneStreamPlan = (): string[][] => [SOURCE_TABLES.map((t) => selectOf(t))];

/**
 * N streams: tables of 50,000 rows or more are cut into N ranges of the integer key the extractor splits them on
 * (RANGE_KEYS, min..max), the rest go whole; the pieces are dealt to N clients running at once.
 */
export async function streamPlan(query: QueryRows, database: string, streams: number): Promise<string[][]> {
  const pieces: string[] = [];
  for (const t of SOURCE_TABLES) {
    const key = RANGE_KEYS[t.name];
    const [count, lo, hi] = (await query(`select count(*), min(${key ?? 1}), max(${key ?? 1}) from \`${database}\`.\`${t.name}\``))[0].map(Number);
    if (!key || count < 50_000 || streams < 2) { pieces.push(selectOf(t)); continue; }
    const step = Math.ceil((hi - lo + 1) / streams);
    for (let i = 0; i < streams; i++) pieces.push(selectOf(t, ` where \`${key}\` between ${lo + i * step} and ${Math.min(hi, lo + (i + 1) * step - 1)}`));
  }
  const plan: string[][] = Array.from({ length: streams }, () => []);
  pieces.forEach((p, i) => plan[i % streams].push(p));
  return plan.filter((p) => p.length);
}

/** Wall time of a plan: one client per stream, all at once, output into /dev/null. */
export async function ceilingRun(target: MysqlTarget, database: string, plan: string[][]): Promise<number> {
  // The password goes through the environment, never the command line.
  const env = { ...process.env, MYSQL_PWD: target.password };
  const args = (sql: string) => ['--quick', '--batch', '--skip-column-names', '--default-character-set=utf8mb4',
    '-h', target.host, '-P', String(target.port), '-u', target.user, database, '-e', sql];
  const started = performance.now();
  const results = await Promise.all(plan.map((sqls) => runMeasured('mariadb', args(sqls.join(' ')), { env, sampleMs: 60_000 })));
  const failed = results.find((r) => r.code !== 0);
  if (failed) throw new Error(`the mariadb client failed: ${failed.stderr.trim()}`);
  return performance.now() - started;
}
