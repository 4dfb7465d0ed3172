/**
 * Generator benchmark: load rate of the lab's classicmodels generator, measured side by side in one run.
 *   npx tsc -p . && node out/bench/generate.js [--scales 100,1000] [--no-compare]
 * Needs the local lab running (`lifecycle-lab lab up`). Scale N goes into classicmodels_xN (what bench/pipeline
 * uses; classicmodels is never touched). At the first scale it also loads, into a scratch database, with one
 * connection and with the keys kept during the load, to compare with the defaults. Each line has the wall time, the
 * CPU time of this process (generation) and of the local server (loading; read from /proc when it runs here), and the
 * load average, because the machine is shared.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateClassicmodels, type GenerateOptions, type GenerateResult } from '../src/core/lab/generator';
import { connectTarget } from '../src/core/lab/db';
import { labPaths, readLabTarget } from '../src/core/lab/state';
import { quoteIdent } from '../src/core/source/sql';
import { booleanOption, exitWithUsage, scriptArgs, stringOption } from './lib/args';

const repoRoot = path.resolve(__dirname, '../..');
const labDir = path.join(repoRoot, '.lab');

const USAGE = 'node out/bench/generate.js [--scales 100,1000] [--no-compare]';
const args = scriptArgs(USAGE, { scales: { type: 'string' }, 'no-compare': { type: 'boolean' } });

/** CPU seconds the lab's mariadbd has used, or undefined when it does not run on this machine. */
function serverCpuSeconds(): number | undefined {
  try {
    const pid = Number(fs.readFileSync(labPaths(labDir).pidFile, 'utf8').trim());
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in Linux's 100 Hz clock ticks
  } catch {
    return undefined;
  }
}

async function measure(label: string, run: () => Promise<GenerateResult>): Promise<void> {
  const load = os.loadavg()[0];
  const server0 = serverCpuSeconds();
  const cpu0 = process.cpuUsage();
  const r = await run();
  const cpu = process.cpuUsage(cpu0);
  const server1 = serverCpuSeconds();
  const serverCpu = server0 !== undefined && server1 !== undefined ? `${(server1 - server0).toFixed(1)} s` : 'n/a';
  console.log(`${label.padEnd(44)} ${r.rows.toLocaleString('en-US').padStart(10)} rows  ${r.seconds.toFixed(1).padStart(6)} s  ` +
    `${Math.round(r.rowsPerSecond).toLocaleString('en-US').padStart(8)} rows/s  generator CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, ` +
    `server CPU ${serverCpu}, load ${load.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)}`);
}

async function main(): Promise<void> {
  const target = await readLabTarget(labDir);
  if (!target) throw new Error('The local lab is not running: run `lifecycle-lab lab up` first.');
  const scalesText = stringOption(args, 'scales') ?? '100,1000';
  if (!/^\d+(,\d+)*$/.test(scalesText)) exitWithUsage(USAGE, `--scales takes whole numbers separated by commas, not "${scalesText}".`);
  const scales = scalesText.split(',').map(Number);
  console.log(`generator load rate (LOAD DATA LOCAL INFILE via mysql2, staging database + swap), MariaDB ${target.host}:${target.port}, ${os.cpus().length} cores`);
  for (const [i, scale] of scales.entries()) {
    if (i === 0 && !booleanOption(args, 'no-compare')) {
      const scratch = `bench_gen_x${scale}_compare`;
      const variants: [string, Partial<GenerateOptions>][] = [
        ['1 connection, keys kept during the load', { connections: 1, deferIndexes: false }],
        ['1 connection, keys built after the load', { connections: 1, deferIndexes: true }],
        ['2 connections, keys kept during the load', { connections: 2, deferIndexes: false }],
      ];
      for (const [label, options] of variants) {
        await measure(`x${scale}, ${label}`, () => generateClassicmodels(target, { scale, database: scratch, seed: 1, ...options }));
      }
      const conn = await connectTarget({ ...target, database: '' });
      await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)}`);
      await conn.end();
    }
    await measure(`x${scale} -> classicmodels_x${scale} (defaults)`, () => generateClassicmodels(target, {
      scale, database: `classicmodels_x${scale}`, seed: 1,
      onProgress: (u) => process.stderr.write(`  ${u.message}\n`),
    }));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
