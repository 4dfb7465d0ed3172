/**
 * Generator benchmark: load rate of the lab's classicmodels generator, measured side by side in one run.
 *   npx tsc -p . && node out/bench/generate.js [--scales 100,1000] [--no-compare]
 * Needs the local lab running (`lifecycle-lab lab up`). Scale N goes into classicmodels_xN (what bench/pipeline
 * uses; classicmodels is never touched). At the first scale it also loads once with the keys built after the load
 * (deferIndexes: true) into a scratch database, to compare with the default (keys maintained during the load).
 */
import * as path from 'node:path';
import { generateClassicmodels, type GenerateResult } from '../src/core/lab/generator';
import { connectTarget } from '../src/core/lab/db';
import { quoteIdent } from '../src/core/source/sql';
import { readLabTarget } from '../src/core/lab/state';

const repoRoot = path.resolve(__dirname, '../..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function line(label: string, r: GenerateResult): string {
  return `${label.padEnd(38)} ${r.rows.toLocaleString('en-US').padStart(10)} rows  ${r.seconds.toFixed(1).padStart(6)} s  ${Math.round(r.rowsPerSecond).toLocaleString('en-US').padStart(8)} rows/s`;
}

async function main(): Promise<void> {
  const target = await readLabTarget(path.join(repoRoot, '.lab'));
  if (!target) throw new Error('The local lab is not running: run `lifecycle-lab lab up` first.');
  const scales = arg('scales', '100,1000').split(',').map(Number);
  console.log(`generator load rate (LOAD DATA LOCAL INFILE via mysql2, staging database + swap), MariaDB ${target.host}:${target.port}`);
  for (const [i, scale] of scales.entries()) {
    if (i === 0 && !process.argv.includes('--no-compare')) {
      const scratch = `bench_gen_x${scale}_keys_after_load`;
      const after = await generateClassicmodels(target, { scale, database: scratch, deferIndexes: true });
      console.log(line(`x${scale}, keys built after load`, after));
      const conn = await connectTarget({ ...target, database: '' });
      await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)}`);
      await conn.end();
    }
    const r = await generateClassicmodels(target, {
      scale, database: `classicmodels_x${scale}`, seed: 1,
      onProgress: (u) => process.stderr.write(`  ${u.message}\n`),
    });
    console.log(line(`x${scale} -> classicmodels_x${scale}`, r));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
