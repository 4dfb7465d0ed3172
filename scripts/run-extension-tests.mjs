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
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort, killGroup, launchChromium, OFFLINE_EDITOR_SETTINGS, runTestsInWorkbench, startCodeServer, tail, waitForHealth, workbenchUrl,
  writeUserSettings,
} from './lib/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const timeoutS = Number(process.env.EXT_TEST_TIMEOUT_S || 1200);
const logDir = path.resolve(process.env.EXT_TEST_LOG || path.join(root, '.lab', 'ext-test-logs'));
const testsIndex = path.join(root, 'out', 'test', 'extension', 'index.js');
const codeServerEntry = path.join(root, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const logLevel = process.env.EXT_TEST_LOG_LEVEL || 'trace';
const started = Date.now();

async function main() {
  if (!fs.existsSync(testsIndex)) throw new Error(`${path.relative(root, testsIndex)} is missing: run \`npx tsc -p .\` first`);
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npx webpack --mode production` first');
  if (!fs.existsSync(codeServerEntry)) throw new Error('code-server is not installed: run `bash scripts/setup.sh`');
  if (!fs.existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run \`bash scripts/setup.sh\` (installs chromium)`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-ext-test-'));
  live.tmp = tmp;
  // Logs are written in the run's own folder (parallel runs don't mix) and copied to logDir at the end.
  const serverLog = path.join(tmp, 'code-server.log');
  const consoleLog = path.join(tmp, 'browser-console.log');
  fs.writeFileSync(serverLog, '');
  fs.writeFileSync(consoleLog, '');
  const resultsFile = path.join(tmp, 'results.json');
  let child;
  let browser;
  let exitCode = 1;
  const lines = [];
  let passed = 0;
  let failed = 0;
  try {
    const dirs = {
      userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions'), config: path.join(tmp, 'config.yaml'),
      xdg: path.join(tmp, 'xdg'), tmp: path.join(tmp, 'tmp'),
    };
    writeUserSettings(dirs.userData, OFFLINE_EDITOR_SETTINGS);
    const port = await freePort();
    // The tests see the run's folder (user data, logs, the browser console) and the level, to search them for secrets.
    child = startCodeServer({ root, port, dirs, logFile: serverLog, logLevel, env: { EXT_TEST_RESULTS: resultsFile, EXT_TEST_RUN_DIR: tmp, EXT_TEST_LOG_LEVEL: logLevel, LIFECYCLE_LAB_TEST_HOOKS: '1' } });
    live.child = child;

    const deadline = started + timeoutS * 1000;
    await waitForHealth(port, Math.min(deadline, Date.now() + 60_000), child);

    browser = await launchChromium();
    const url = workbenchUrl(port, root, [['extensionDevelopmentPath', root], ['extensionTestsPath', testsIndex]]);
    const code = await runTestsInWorkbench(browser, {
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
    lines.push(`--- code-server log (tail) ---\n${tail(serverLog)}\n--- browser console (tail) ---\n${tail(consoleLog, 20)}`);
    failed = Math.max(failed, 1);
    exitCode = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (child) await killGroup(child);
    fs.mkdirSync(logDir, { recursive: true });
    for (const log of [serverLog, consoleLog]) fs.copyFileSync(log, path.join(logDir, path.basename(log)));
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
  for (const l of lines) console.log(l);
  console.log(`extension host run: ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${path.relative(root, logDir)}/`);
  console.log(`${passed} passed, ${failed} failed`);
  return exitCode;
}

/** What an interrupt must clean up: set while a run is live. */
const live = { child: undefined, tmp: undefined };

function onInterrupt() {
  // Ctrl-C mid-run: no time for the graceful path, so kill the group and remove the temp dir, then exit.
  if (live.child) { try { process.kill(-live.child.pid, 'SIGKILL'); } catch { /* gone */ } }
  if (live.tmp) fs.rmSync(live.tmp, { recursive: true, force: true });
  console.log('0 passed, 1 failed');
  process.exit(130);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  main().then((code) => { process.exitCode = code; }, (err) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  });
}
