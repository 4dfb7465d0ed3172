/**
 * Compare Lakes at scale: a lake written by the pipeline from the running local lab, its fact_orders repeated
 * `--times N` (default 1000: about 3M rows, the size of a scale-1000 lake's) under new order numbers, against a copy
 * with one fact row changed, one deleted and one added. Prints the time, the rows walked per second and the process's
 * peak RSS, for bench/compare-lakes.md. Run: npx tsc -p . && node out/bench/compareLakes.js [--times N] [--lab DIR] [--keep]
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { compareNamedLakes } from '../src/core/compare';
import { resolveLabConfig } from '../src/core/config';
import { readLabTarget } from '../src/core/lab/state';
import { findModelDir } from '../src/core/lake/model';
import { runPipeline } from '../src/core/lake/pipeline';
import { silentLogger } from '../src/core/log';
import { listLakeTables } from '../src/core/query/lakeTables';
import { sqlLiteral } from '../src/core/query/sqlText';
import { editFactOrders, recordRewrittenFile } from '../test/lakeEdit';

async function repeatFacts(lakeDir: string, times: number): Promise<number> {
  const file = (await listLakeTables(lakeDir)).find((t) => t.name === 'fact_orders')!.files[0];
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  try {
    // New order numbers above the source's, so every copy is its own set of keys.
    await duck.run(`copy (select * replace (orderNumber + copy * 1000000 as orderNumber)
      from read_parquet(${sqlLiteral(file)}), range(${times}) as copies(copy)) to ${sqlLiteral(`${file}.big`)} (format parquet)`);
    const rows = Number((await duck.runAndReadAll(`select count(*) from read_parquet(${sqlLiteral(`${file}.big`)})`)).getRows()[0][0]);
    await fs.rename(`${file}.big`, file);
    await recordRewrittenFile(lakeDir, 'fact_orders', file, rows);
    return rows;
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { times: { type: 'string' }, lab: { type: 'string' }, keep: { type: 'boolean' } } });
  const times = Number(values.times ?? 1000);
  const labDir = path.resolve(values.lab ?? path.join(__dirname, '..', '..', '.lab'));
  const target = await readLabTarget(labDir);
  if (!target) throw new Error(`No local lab runs in ${labDir}: start one (lifecycle-lab lab up) or pass --lab DIR`);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-compare-'));
  try {
    const lakeA = path.join(tmp, 'a');
    const lakeB = path.join(tmp, 'b');
    await runPipeline({ target, lakeDir: lakeA, modelDir: findModelDir(), log: silentLogger });
    const rows = await repeatFacts(lakeA, times);
    await fs.cp(lakeA, lakeB, { recursive: true });
    await editFactOrders(lakeB);
    const bytes = (await fs.stat((await listLakeTables(lakeA)).find((t) => t.name === 'fact_orders')!.files[0])).size;
    const config = resolveLabConfig({}, tmp);
    const rssBefore = process.memoryUsage().rss;
    // The JS heap is sampled apart from the RSS: the merge's memory is the heap's; DuckDB's (its sort, the engine's
    // in-memory copy of a small lake) is outside it.
    let heapPeak = 0;
    const sampler = setInterval(() => { heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed); }, 50);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const result = await compareNamedLakes({ kind: 'folder', dir: lakeA }, { kind: 'folder', dir: lakeB }, config,
      { readPassword: () => Promise.resolve(undefined), modelDir: findModelDir(), log: silentLogger });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const fact = result.tables.find((t) => t.table === 'fact_orders')!;
    const walked = (fact.rows?.leftRows ?? 0) + (fact.rows?.rightRows ?? 0);
    console.log(JSON.stringify({
      factRows: rows, factParquetBytes: bytes, seconds: Number(seconds.toFixed(1)), rowsWalkedPerSecond: Math.round(walked / seconds),
      differences: [fact.rows?.onlyLeftCount, fact.rows?.onlyRightCount, fact.rows?.differingCount],
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)), loadAverage: os.loadavg()[0],
      rssBeforeMiB: Math.round(rssBefore / 2 ** 20), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      heapPeakMiB: Math.round(heapPeak / 2 ** 20), cpus: os.cpus().length, node: process.version,
    }));
  } finally {
    if (values.keep) console.error(`lakes kept in ${tmp}`);
    else await fs.rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
