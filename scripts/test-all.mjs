#!/usr/bin/env node
/**
 * `npm test` (after `pretest` ran scripts/setup.sh --test): every check, each test counted on its own.
 *   lint, webview type-check, build (webpack), type-check and compile (tsc to out/); lab up; unit beside aws (moto);
 *   integration; emulated (the AWS chain on Spark and Trino); other test/ folders (iac); extension host; install (the
 *   linux-x64 vsix in a bare code-server, on a user's folder that must stay clean).
 * A failing step shows its output; a step still running after TEST_STEP_TIMEOUT_S (default 1500) is stopped and fails.
 * The last line is `N passed, N failed`; the exit code is 1 on any failure.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStep, stepLimitSeconds, watchdogText } from './lib/step.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const started = Date.now();
let passed = 0;
let failed = 0;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const indent = (text) => text.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');

const limitS = stepLimitSeconds();

/** Runs a step under the watchdog; `live` streams its output, otherwise it is captured and returned. */
const run = (cmd, args, { live = false, env = process.env } = {}) => runStep(cmd, args, { cwd: root, env, live, limitS });

function record(ok, title, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${title}`);
  if (!ok && detail) console.log(indent(detail));
}

/** One command = one check; its output is shown only when it fails. */
async function check(title, cmd, args) {
  const t0 = Date.now();
  const { code, output, timedOut } = await run(cmd, args);
  const why = timedOut ? watchdogText(limitS) : `exit code ${code}`;
  record(code === 0 && !timedOut, `${title} (${seconds(Date.now() - t0)})`, code === 0 && !timedOut ? '' : `${why}\n${output || '(no output)'}`);
  return code === 0 && !timedOut;
}

/** Compiled test files whose TypeScript source still exists (out/ may hold files of deleted tests). */
function compiledTests(area) {
  const srcDir = path.join(root, 'test', area);
  const found = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.ts')) found.push(full);
    }
  };
  walk(srcDir);
  return found.sort().map((ts) => path.join(root, 'out', path.relative(root, ts)).replace(/\.ts$/, '.js'));
}

const errorText = (err) => err?.stack || err?.message || JSON.stringify(err);

/** Runs mocha with the json reporter into a file and counts every test (and failing hook) on its own. */
async function mochaSuite(area, extraArgs) {
  const files = compiledTests(area);
  if (files.length === 0) {
    console.log(`---- ${area}: no test files under test/${area}`);
    return;
  }
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) record(false, `${area}: compiled test files missing`, missing.map((f) => path.relative(root, f)).join('\n'));
  const present = files.filter((f) => fs.existsSync(f));
  if (!present.length) return;
  console.log(`---- ${area} tests (${present.length} files)`);
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-mocha-')), 'report.json');
  const t0 = Date.now();
  const { code, output, timedOut } = await run(bin('mocha'), ['--ui', 'tdd', '--reporter', 'json', '--reporter-option', `output=${report}`,
    ...extraArgs, ...present], { live: false });
  let results;
  try {
    results = JSON.parse(fs.readFileSync(report, 'utf8'));
  } catch {
    record(false, `${area}: mocha produced no report (${timedOut ? watchdogText(limitS) : `exit code ${code}`})`, output || '(no output)');
    return;
  } finally {
    fs.rmSync(path.dirname(report), { recursive: true, force: true });
  }
  const pending = new Set(results.pending.map((t) => t.fullTitle));
  const failures = new Map(results.failures.map((t) => [t.fullTitle, t]));
  const listed = new Set();
  // `tests` is in run order; failing hooks appear only in `failures`.
  for (const t of results.tests) {
    listed.add(t.fullTitle);
    if (pending.has(t.fullTitle)) console.log(`SKIP ${area}: ${t.fullTitle} (pending; not counted)`);
    else if (failures.has(t.fullTitle)) record(false, `${area}: ${t.fullTitle}`, errorText(failures.get(t.fullTitle).err));
    else record(true, `${area}: ${t.fullTitle} (${t.duration ?? 0} ms)`);
  }
  for (const [title, t] of failures) if (!listed.has(title)) record(false, `${area}: ${title}`, errorText(t.err));
  // Every test may have passed and mocha still not end: the report is written at the end of the run, before exit.
  if (timedOut) record(false, `${area}: mocha ${watchdogText(limitS)}`, output.trimEnd().split('\n').slice(-40).join('\n'));
  else if (code !== 0 && results.failures.length === 0) record(false, `${area}: mocha exited with code ${code}`, output);
  // Test output (console.log in tests) is kept out of the listing unless something failed.
  if (results.failures.length && output.trim()) console.log(`  ${area} output (last 80 lines):\n${indent(output.trimEnd().split('\n').slice(-80).join('\n'))}`);
  console.log(`---- ${area}: ${seconds(Date.now() - t0)}`);
}

async function extensionHost() {
  console.log('---- extension host tests (code-server + chromium)');
  const { code, output, timedOut } = await run(process.execPath, [path.join(root, 'scripts', 'run-extension-tests.mjs')], { live: true });
  if (timedOut) record(false, `extension host runner ${watchdogText(limitS)}`);
  const last = output.trimEnd().split('\n').pop() ?? '';
  const m = /^(\d+) passed, (\d+) failed$/.exec(last);
  if (!m) {
    record(false, `extension host runner ended without a summary (exit code ${code})`);
    return;
  }
  passed += Number(m[1]);
  failed += Number(m[2]);
  if (code !== 0 && Number(m[2]) === 0) record(false, `extension host runner exited with code ${code}`);
}

async function main() {
  const node = process.execPath;
  const cli = path.join(root, 'bin', 'lifecycle-lab.js');
  // One after another: run side by side on this 2-vCPU machine, eslint and webpack each took 2-3x as long (measured),
  // a net loss. tsc to out/ is also the type check of src, test and bench (it fails on a type error).
  await check('lint (eslint)', bin('eslint'), ['--no-error-on-unmatched-pattern', 'src', 'test', 'scripts', 'bench', 'media']);
  await check('type-check (media webviews)', bin('tsc'), ['-p', 'media/tsconfig.json']);
  await check('build (webpack production)', bin('webpack'), ['--mode', 'production']);
  await check('type-check and compile (src, test, bench: tsc to out/)', bin('tsc'), ['-p', '.']);
  // Integration tests reach the lab through test/integration/fixture.ts; bringing it up here first makes a
  // broken lab show up as this one clear failure before the tests that need it.
  const labWasRunning = await labRunning(cli);
  const labUp = await check('lab up (node bin/lifecycle-lab.js lab up)', node, [cli, 'lab', 'up']);
  // Unit and AWS (moto) tests need no lab and share nothing, so they run side by side.
  const laneFree = ['aws'];
  await Promise.all([mochaSuite('unit', ['--timeout', '10000']), ...laneFree.map((area) => mochaSuite(area, ['--timeout', '120000']))]);
  if (!labUp) console.log('NOTE integration tests run against a lab that did not come up; expect them to fail');
  await mochaSuite('integration', ['--timeout', '120000']);
  // The AWS path end to end on the emulator's real engines (Terraform → Glue on Spark → Athena on Trino, against local
  // mode's answers), with a lab, an emulator and a Trino of its own: a step of its own, so its cost shows in its line.
  await mochaSuite('emulated', ['--timeout', '900000']);
  // Any other folder under test/ with tests (iac: terraform, checkov, pyspark) runs too, so no test file is left out silently.
  const others = fs.readdirSync(path.join(root, 'test'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !['unit', 'integration', 'emulated', 'extension', 'install', 'fixtures', ...laneFree].includes(d.name)).map((d) => d.name).sort();
  for (const area of others) await mochaSuite(area, ['--timeout', '120000']);
  await extensionHost();
  // The linux-x64 vsix as a new user installs it, on a folder of their own that must stay clean (dist/ was built above).
  console.log('---- install test (the vsix in a bare code-server, a clean folder)');
  const install = await run(node, [path.join(root, 'scripts', 'run-install-test.mjs'), '--no-build'], { live: true });
  const installSummary = /^(\d+) passed, (\d+) failed$/.exec(install.output.trimEnd().split('\n').pop() ?? '');
  if (installSummary) {
    passed += Number(installSummary[1]);
    failed += Number(installSummary[2]);
  }
  if (install.timedOut) record(false, `install test runner ${watchdogText(limitS)}`);
  else if (!installSummary || (install.code !== 0 && Number(installSummary[2]) === 0)) record(false, `install test runner exited with code ${install.code} and counted no failure`);
  // A lab this run started is stopped again; one that ran before (a developer's `npm start`) keeps running.
  if (!labWasRunning) {
    const down = await run(node, [cli, 'lab', 'down']);
    if (down.code !== 0) console.log(`WARNING lab down failed (exit code ${down.code}):\n${indent(down.output)}`);
  }
}

/** Whether the local lab runs now, from `lifecycle-lab lab status --json`. */
async function labRunning(cli) {
  const { output } = await run(process.execPath, [cli, 'lab', 'status', '--json']);
  try {
    const line = output.split('\n').reverse().find((l) => l.startsWith('{')) ?? '';
    return JSON.parse(line).running === true;
  } catch {
    return false;
  }
}

await main().catch((err) => record(false, 'test-all crashed', err?.stack ?? String(err)));
console.log(`total ${seconds(Date.now() - started)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
