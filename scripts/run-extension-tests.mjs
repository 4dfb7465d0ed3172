#!/usr/bin/env node
/**
 * Runs the extension-host suite (out/test/extension/index.js) inside code-server, opened by Debian's Chromium
 * through playwright-core, with no VS Code download (see docs: extension-host tests). Installs nothing.
 * Prints one line per test, then `N passed, N failed` last; exits 0 only when everything passed.
 *   EXT_TEST_TIMEOUT_S  watchdog in seconds (default 600)
 *   EXT_TEST_GREP       run only tests whose full title matches
 *   EXT_TEST_LOG        where the browser console and code-server output go (default .lab/ext-test-logs, git-ignored)
 * Build first: `npx webpack --mode production && npx tsc -p .` (the host runs dist/, the tests run from out/).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const timeoutS = Number(process.env.EXT_TEST_TIMEOUT_S || 600);
const logDir = path.resolve(process.env.EXT_TEST_LOG || path.join(root, '.lab', 'ext-test-logs'));
const testsIndex = path.join(root, 'out', 'test', 'extension', 'index.js');
const codeServerEntry = path.join(root, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const started = Date.now();

/** Env for code-server: without the variables that redirect or hijack it (see gotcha 6). */
export function cleanEnv(base, extra) {
  const env = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('VSCODE_') || k.startsWith('CODE_SERVER_') || ['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'ELECTRON_RUN_AS_NODE'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(port, deadlineMs, child) {
  while (Date.now() < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('code-server did not answer /healthz in time');
}

/** Kills the whole process group (wrapper, server, extension host, pty host, watcher), SIGKILL after 5 s. */
export async function killGroup(child) {
  if (!child) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group gone */ }
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const timer = new Promise((r) => setTimeout(r, 5000, 'timeout'));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  // Stragglers in the group (a pty shell) get SIGKILL too; ESRCH means none are left.
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* none left */ }
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

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
    const userData = path.join(tmp, 'user-data');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
      'lifecycleLab.mode': 'local',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'workbench.startupEditor': 'none',
      'terminal.integrated.defaultProfile.linux': 'bash',
    }, null, 2));
    for (const d of ['extensions', 'xdg-data', 'xdg-config', 'tmp']) fs.mkdirSync(path.join(tmp, d), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\ncert: false\n');

    const port = await freePort();
    const env = cleanEnv(process.env, {
      SHELL: '/bin/bash',
      XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
      XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
      TMPDIR: path.join(tmp, 'tmp'),
      EXT_TEST_RESULTS: resultsFile,
    });
    const out = fs.openSync(serverLog, 'a');
    child = spawn(process.execPath, [codeServerEntry,
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', path.join(tmp, 'config.yaml'),
      '--user-data-dir', userData, '--extensions-dir', path.join(tmp, 'extensions'),
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--ignore-last-opened'], { cwd: root, env, detached: true, stdio: ['ignore', out, out] });
    live.child = child;
    fs.closeSync(out);

    const deadline = started + timeoutS * 1000;
    await waitForHealth(port, Math.min(deadline, Date.now() + 60_000), child);

    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    page.on('console', (msg) => {
      const text = msg.text();
      fs.appendFileSync(consoleLog, `[${msg.type()}] ${text}\n`);
      // Tests mark lines meant for the report (activation time) with this prefix.
      const marker = text.indexOf('[ext-test] ');
      if (marker >= 0) process.stdout.write(`  ${text.slice(marker)}\n`);
    });
    page.on('pageerror', (err) => fs.appendFileSync(consoleLog, `[pageerror] ${err.stack ?? err}\n`));
    let finish;
    const finished = new Promise((resolve) => { finish = resolve; });
    await page.exposeFunction('codeAutomationExit', (code) => { finish(Number(code)); });

    const authority = `127.0.0.1:${port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${root}`],
      ['extensionTestsPath', `vscode-remote://${authority}${testsIndex}`],
    ];
    const url = `http://${authority}/?folder=${encodeURIComponent(root)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url, { waitUntil: 'domcontentloaded' });

    let timer;
    const watchdog = new Promise((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), 'timeout'); });
    const code = await Promise.race([finished, watchdog]);
    clearTimeout(timer);
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
