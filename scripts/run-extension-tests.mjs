#!/usr/bin/env node
/**
 * Runs the extension-host suite (out/test/extension/index.js) inside code-server, opened by Debian's Chromium
 * through playwright-core, with no VS Code download (see docs: extension-host tests). Installs nothing.
 * Prints one line per test, then `N passed, N failed` last; exits 0 only when everything passed.
 *   EXT_TEST_TIMEOUT_S  watchdog in seconds (default 1200: the whole suite, Terraform on moto included, takes a few minutes)
 *   EXT_TEST_GREP       run only tests whose full title matches
 *   EXT_TEST_LOG        where the browser console and code-server output go (default .lab/ext-test-logs, git-ignored)
 *   EXT_TEST_LOG_LEVEL  the editor's log level (default trace: tests check that no secret reaches a log at any level)
 * Build first: `npx webpack --mode production && npx tsc -p .` (the host runs dist/, the tests run from out/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeServerMissing, OFFLINE_EDITOR_SETTINGS, runTestsInWorkbench, tail, workbenchUrl } from './lib/codeServer.mjs';
import { exitOnInterrupt, WorkbenchRun } from './lib/workbenchRun.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const timeoutS = Number(process.env.EXT_TEST_TIMEOUT_S || 1200);
const logDir = path.resolve(process.env.EXT_TEST_LOG || path.join(root, '.lab', 'ext-test-logs'));
const testsIndex = path.join(root, 'out', 'test', 'extension', 'index.js');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const logLevel = process.env.EXT_TEST_LOG_LEVEL || 'trace';
const started = Date.now();

async function main() {
  if (!fs.existsSync(testsIndex)) throw new Error(`${path.relative(root, testsIndex)} is missing: run \`npx tsc -p .\` first`);
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npx webpack --mode production` first');
  const missing = codeServerMissing(root);
  if (missing) throw new Error(missing);
  if (!fs.existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run \`bash scripts/setup.sh\` (installs chromium)`);

  const run = new WorkbenchRun('lifecycle-lab-ext-test-');
  const { consoleLog, resultsFile } = run;
  let exitCode = 1;
  const lines = [];
  let passed = 0;
  let failed = 0;
  try {
    const deadline = started + timeoutS * 1000;
    // The tests see the run's folder (user data, logs, the browser console) and the level, to search them for secrets.
    const port = await run.start({
      root, settings: OFFLINE_EDITOR_SETTINGS, logLevel, deadline,
      env: { EXT_TEST_RESULTS: resultsFile, EXT_TEST_RUN_DIR: run.tmp, EXT_TEST_LOG_LEVEL: logLevel, LIFECYCLE_LAB_TEST_HOOKS: '1' },
    });

    const url = workbenchUrl(port, root, [['extensionDevelopmentPath', root], ['extensionTestsPath', testsIndex]]);
    const code = await runTestsInWorkbench(run.browser, {
      url, consoleLog, deadline,
      onConsole: (text) => {
        // Tests mark lines meant for the report (activation time) with this prefix.
        const marker = text.indexOf('[ext-test] ');
        if (marker >= 0) process.stdout.write(`  ${text.slice(marker)}\n`);
      },
    });
    if (code === 'timeout') {
      throw new Error(`the extension-host suite did not finish within ${timeoutS} s (EXT_TEST_TIMEOUT_S)`);
    }

    let results = { passed: 0, failed: 0, results: [] };
    if (fs.existsSync(resultsFile)) results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    for (const r of results.results) {
      lines.push(`${r.state === 'passed' ? 'PASS' : 'FAIL'} extension: ${r.title}${r.durationMs !== undefined ? ` (${r.durationMs} ms)` : ''}`);
      if (r.error) lines.push(r.error.split('\n').map((l) => `    ${l}`).join('\n'));
    }
    passed = results.results.filter((r) => r.state === 'passed').length;
    failed = results.results.filter((r) => r.state === 'failed').length;
    if (code !== 0 && failed === 0) {
      lines.push(`FAIL extension: the test host exited with code ${code} and recorded no failure (tests module missing or broken?); see ${path.relative(root, path.join(logDir, 'browser-console.log'))}`);
      lines.push(tail(consoleLog, 30).split('\n').map((l) => `    ${l}`).join('\n'));
      failed = 1;
    }
    if (passed + failed === 0) {
      lines.push('FAIL extension: no tests ran' + (process.env.EXT_TEST_GREP ? ` (EXT_TEST_GREP=${process.env.EXT_TEST_GREP})` : ''));
      failed = 1;
    }
    exitCode = code === 0 && failed === 0 && passed > 0 ? 0 : 1;
  } catch (err) {
    lines.push(`FAIL extension: ${err instanceof Error ? err.message : err}`);
    lines.push(run.logTails());
    failed = Math.max(failed, 1);
    exitCode = 1;
  } finally {
    await run.finish(logDir);
  }
  for (const l of lines) console.log(l);
  console.log(`extension host run: ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${path.relative(root, logDir)}/`);
  console.log(`${passed} passed, ${failed} failed`);
  return exitCode;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  exitOnInterrupt();
  main().then((code) => { process.exitCode = code; }, (err) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  });
}
