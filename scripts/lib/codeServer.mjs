/**
 * What every script that serves VS Code through code-server shares: the test runner, `npm start` and the
 * screenshot script. The recipe and its gotchas are in docs (extension-host tests with code-server + Chromium).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

/** User settings for an editor that runs offline and unattended. */
export const OFFLINE_EDITOR_SETTINGS = {
  'lifecycleLab.mode': 'local',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.startupEditor': 'none',
  // Shell integration (Terraform exit codes, terminal tests) needs bash, not sh.
  'terminal.integrated.defaultProfile.linux': 'bash',
};

export function writeUserSettings(userDataDir, settings) {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

/** Env for code-server: without the variables that redirect or hijack it (gotcha 6). */
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

/** The editor scripts/setup-editor.sh installs: code-server and the Node.js it was built for. */
function editorDir(root) {
  return path.join(root, 'vendor', 'editor');
}

/** code-server's entry script, run with codeServerNode(). */
export function codeServerEntry(root) {
  return path.join(editorDir(root), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The Node.js code-server's native modules were built for (code-server 4.103 and later need Node.js 22). */
export function codeServerNode(root) {
  return path.join(editorDir(root), 'node', 'bin', 'node');
}

/** Why code-server cannot be started, or undefined when it can. */
export function codeServerMissing(root) {
  const missing = [codeServerEntry(root), codeServerNode(root)].filter((file) => !fs.existsSync(file));
  return missing.length ? `code-server is not installed (${missing.map((f) => path.relative(root, f)).join(', ')}): run \`bash scripts/setup-editor.sh\`` : undefined;
}

/**
 * Spawns code-server in its own process group (so killGroup reaches the extension host and pty host too).
 * `dirs` holds userData, extensions, config (config.yaml path), xdg (folder for XDG_DATA_HOME/XDG_CONFIG_HOME)
 * and tmp (TMPDIR: sockets, kept short). `cwd`: the server's working folder (default the repository).
 */
export function startCodeServer({ root, port, dirs, logFile, env = {}, ignoreLastOpened = true, logLevel, cwd = root }) {
  fs.writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  for (const d of [dirs.extensions, path.join(dirs.xdg, 'data'), path.join(dirs.xdg, 'config'), dirs.tmp]) fs.mkdirSync(d, { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const args = [codeServerEntry(root),
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', dirs.config,
    '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'];
  if (ignoreLastOpened) args.push('--ignore-last-opened');
  // The server's, remote agent's and pty host's log level (trace, debug, info, warn, error).
  if (logLevel) args.push('--log', logLevel);
  const child = spawn(codeServerNode(root), args, {
    cwd,
    detached: true,
    stdio: ['ignore', out, out],
    env: cleanEnv(process.env, {
      SHELL: '/bin/bash',
      XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
      XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
      // The per-user index of lab folders (core/lab/location.ts) stays in the run's folder too.
      XDG_STATE_HOME: path.join(dirs.xdg, 'state'),
      TMPDIR: dirs.tmp,
      ...env,
    }),
  });
  fs.closeSync(out);
  return child;
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

/** Debian's Chromium, headless; the background-networking flags matter on a closed network. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** The workbench URL with `folder` open; `payload` entries ([key, absolute path]) become vscode-remote URIs. */
export function workbenchUrl(port, folder, payload = []) {
  const authority = `127.0.0.1:${port}`;
  const entries = payload.map(([key, file]) => [key, `vscode-remote://${authority}${file}`]);
  const query = `folder=${encodeURIComponent(folder)}${entries.length ? `&payload=${encodeURIComponent(JSON.stringify(entries))}` : ''}`;
  return `http://${authority}/?${query}`;
}

/** The last `lines` lines of a log file, for a failure's report. */
export function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Opens the workbench at `url` in a new page of `browser` and waits for the tests module to end: the workbench calls
 * `codeAutomationExit(code)` (0: run() resolved). Every console line goes to `consoleLog` and to `onConsole`.
 * Resolves with the code, or 'timeout' at `deadline` (epoch ms).
 */
export async function runTestsInWorkbench(browser, { url, consoleLog, deadline, onConsole = () => {} }) {
  const page = await browser.newPage();
  page.on('console', (msg) => {
    fs.appendFileSync(consoleLog, `[${msg.type()}] ${msg.text()}\n`);
    onConsole(msg.text());
  });
  page.on('pageerror', (err) => fs.appendFileSync(consoleLog, `[pageerror] ${err.stack ?? err}\n`));
  let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  await page.exposeFunction('codeAutomationExit', (code) => { finish(Number(code)); });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  let timer;
  const watchdog = new Promise((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), 'timeout'); });
  try {
    return await Promise.race([finished, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}
