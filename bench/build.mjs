#!/usr/bin/env node
/**
 * The production build with each minifier, side by side in one run: terser (webpack's default) and swc (what
 * webpack.config.js uses), alternating, each in a fresh copy of the committed tree (git archive HEAD) sharing this
 * clone's node_modules. Prints wall time and the size of every bundle without source maps, and the ratios.
 *
 *   node bench/build.mjs [--reps N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { reps: { type: 'string', default: '1' } } });
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps < 1) {
  console.error('usage: node bench/build.mjs [--reps N]');
  process.exit(2);
}

const SWC = 'new TerserPlugin({ minify: TerserPlugin.swcMinify })';
const variants = { terser: 'new TerserPlugin()', swc: SWC };

function copyTree(minimizer) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-build-bench-'));
  execFileSync('bash', ['-c', `git -C "${root}" archive HEAD | tar -x -C "${dir}"`]);
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const config = path.join(dir, 'webpack.config.js');
  const text = fs.readFileSync(config, 'utf8');
  if (!text.includes(SWC)) throw new Error(`webpack.config.js no longer holds "${SWC}": update bench/build.mjs`);
  fs.writeFileSync(config, text.replace(SWC, minimizer));
  return dir;
}

/** Bytes of every .js under dist/ (source maps left out): what the package carries and the webview loads. */
function bundleBytes(dir) {
  let total = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.js')) total += fs.statSync(full).size;
    }
  };
  walk(path.join(dir, 'dist'));
  const dashboard = fs.statSync(path.join(dir, 'dist', 'webview', 'dashboard.js')).size;
  return { total, dashboard };
}

const results = { terser: [], swc: [] };
for (let rep = 0; rep < reps; rep++) {
  for (const [name, minimizer] of Object.entries(variants)) {
    const dir = copyTree(minimizer);
    try {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(path.join(root, 'node_modules', '.bin', 'webpack'), ['--mode', 'production'], { cwd: dir, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${name}: webpack failed\n${r.stdout}\n${r.stderr}`);
      results[name].push({ ms, ...bundleBytes(dir) });
      console.log(`rep ${rep + 1} ${name}: ${(ms / 1000).toFixed(1)} s (load ${os.loadavg()[0].toFixed(1)})`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name) => {
  const r = results[name];
  return { ms: median(r.map((x) => x.ms)), total: median(r.map((x) => x.total)), dashboard: median(r.map((x) => x.dashboard)) };
};
const t = row('terser');
const s = row('swc');
console.log('\n| minifier | build (median) | every bundle, no maps | webview/dashboard.js |');
console.log('|---|---|---|---|');
for (const [name, r] of [['terser', t], ['swc', s]]) {
  console.log(`| ${name} | ${(r.ms / 1000).toFixed(1)} s | ${r.total.toLocaleString('en-US')} B | ${r.dashboard.toLocaleString('en-US')} B |`);
}
console.log(`| terser / swc | ${(t.ms / s.ms).toFixed(2)}x | ${(t.total / s.total).toFixed(3)}x | ${(t.dashboard / s.dashboard).toFixed(3)}x |`);
