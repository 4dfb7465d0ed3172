/**
 * Source view expand times: what expanding the `classicmodels` database node (tables with row estimates and
 * sizes) and a table node (columns with PK/FK markers) costs once the connection is open. These are the exact
 * core calls the tree makes (SourceExplorer.listTables / listColumns); the tree adds no I/O of its own.
 *   npx tsc -p . && node out/bench/source-expand.js [--runs 50]
 * Needs the local lab running (`lifecycle-lab lab up`), or a source set through LIFECYCLE_LAB_MYSQL_* variables
 * (password in LIFECYCLE_LAB_MYSQL_PASSWORD), resolved exactly as `lifecycle-lab source tables` does.
 * Goal: median and p95 < 100 ms for each.
 */
import { labDirForCli, settingsFromEnv } from '../src/cli/env';
import { createBackend } from '../src/core/backend';
import { resolveLabConfig } from '../src/core/config';
import { findModelDir } from '../src/core/lake/model';
import { silentLogger } from '../src/core/log';
import { SourceExplorer } from '../src/core/source/explorer';
import { targetLabel } from '../src/core/source/target';
import { countOption, scriptArgs, withUsage } from './lib/args';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${name.padEnd(34)} median ${percentile(sorted, 50).toFixed(2).padStart(7)} ms   p95 ${percentile(sorted, 95).toFixed(2).padStart(7)} ms   max ${sorted.at(-1)!.toFixed(2).padStart(7)} ms   (n=${samples.length})`;
}

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

async function main(): Promise<void> {
  const usage = 'node out/bench/source-expand.js [--runs N]';
  const args = scriptArgs(usage, { runs: { type: 'string' } });
  const runs = withUsage(usage, args, () => countOption(args, 'runs', 50));
  // The source as the CLI's backend resolves it; the explorers below are new ones, so each first expand is measured cold.
  const config = resolveLabConfig(settingsFromEnv(), process.cwd(), { labDir: labDirForCli() });
  const backend = createBackend(config, { readPassword: () => Promise.resolve(process.env.LIFECYCLE_LAB_MYSQL_PASSWORD), modelDir: findModelDir(), log: silentLogger });
  let target;
  try {
    target = await backend.source.target();
  } finally {
    await backend.dispose();
  }
  if (!target) throw new Error('No source: start the lab (lifecycle-lab lab up) or set LIFECYCLE_LAB_MYSQL_HOST');
  const database = target.database;

  // First connection: a new explorer (pool) and the first expand, which loads mysql2 and connects.
  const firstConnection: number[] = [];
  for (let i = 0; i < 5; i++) {
    const fresh = new SourceExplorer(target);
    const [ms] = await time(() => fresh.listTables(database));
    firstConnection.push(ms);
    await fresh.close();
  }

  const explorer = new SourceExplorer(target);
  try {
    const tables = await explorer.listTables(database);
    for (let i = 0; i < 5; i++) await explorer.listColumns(database, tables[i % tables.length].name); // warm-up
    const databaseExpand: number[] = [];
    const tableExpand: number[] = [];
    const connectionExpand: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so each kind sees the same machine state.
      const [dbMs, listed] = await time(() => explorer.listTables(database));
      if (listed.length !== tables.length) throw new Error('table list changed during the run');
      databaseExpand.push(dbMs);
      const table = tables[i % tables.length].name;
      tableExpand.push((await time(() => explorer.listColumns(database, table)))[0]);
      connectionExpand.push((await time(() => Promise.all([explorer.serverInfo(), explorer.listDatabases()])))[0]);
    }
    console.log(`source ${targetLabel(target)}, database ${database}: ${tables.length} tables (${tables.map((t) => t.name).join(', ')})`);
    console.log(summary('first connection + expand database', firstConnection));
    console.log(summary('expand connection (databases)', connectionExpand));
    console.log(summary(`expand database (${tables.length} tables + counts)`, databaseExpand));
    console.log(summary('expand table (columns, PK/FK)', tableExpand));
  } finally {
    await explorer.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
