#!/usr/bin/env node
/**
 * Serves the built extension in code-server, opens it in Debian's Chromium (scripts/lib/codeServer.mjs, as the
 * extension-host tests do) with the bench entry out/bench/editor/host.js as extensionTestsPath, and prints the JSON
 * that entry wrote as the last line of stdout. One new editor per call: the figures are a cold host's.
 *   node bench/editor-run.mjs [--warm-reps 3] [--timeout-s 180] [--folder DIR] [--extension DIR]
 * --folder: the workspace the editor opens (default this repository; a folder whose settings name its own lab keeps the
 * bench off the repository's .lab). The host runs with the dashboard's test hooks on (LIFECYCLE_LAB_TEST_HOOKS=1): the
 * page reports each card's render and its timing marks. --extension: another build of the extension and its bench entry
 * (e.g. the previous commit in a worktree, for a before/after pair), default this repository.
 * Build first: `npm run build && npx tsc -p .` (the host runs dist/, the entry runs from out/).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort, killGroup, launchChromium, OFFLINE_EDITOR_SETTINGS, startCodeServer, waitForHealth, workbenchUrl, writeUserSettings,
} from '../scripts/lib/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};

async function main() {
  const extension = path.resolve(arg('extension', root));
  const entry = path.join(extension, 'out', 'bench', 'editor', 'host.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npx tsc -p .\` first`);
  if (!fs.existsSync(path.join(extension, 'dist', 'extension.js'))) throw new Error(`${extension}/dist/extension.js is missing: run \`npm run build\` first`);
  const timeoutMs = Number(arg('timeout-s', '180')) * 1000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-bench-editor-'));
  const serverLog = path.join(tmp, 'code-server.log');
  const resultsFile = path.join(tmp, 'editor.json');
  let child;
  let browser;
  const started = Date.now();
  try {
    const dirs = {
      userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions'), config: path.join(tmp, 'config.yaml'),
      xdg: path.join(tmp, 'xdg'), tmp: path.join(tmp, 'tmp'),
    };
    writeUserSettings(dirs.userData, OFFLINE_EDITOR_SETTINGS);
    const port = await freePort();
    child = startCodeServer({
      root, port, dirs, logFile: serverLog,
      env: { BENCH_EDITOR_RESULTS: resultsFile, BENCH_EDITOR_WARM_REPS: arg('warm-reps', '3'), LIFECYCLE_LAB_TEST_HOOKS: '1' },
    });
    await waitForHealth(port, Date.now() + 60_000, child);
    browser = await launchChromium();
    const page = await browser.newPage();
    let finish;
    const finished = new Promise((resolve) => { finish = resolve; });
    await page.exposeFunction('codeAutomationExit', (code) => { finish(Number(code)); });
    const folder = path.resolve(arg('folder', root));
    await page.goto(workbenchUrl(port, folder, [['extensionDevelopmentPath', extension], ['extensionTestsPath', entry]]), { waitUntil: 'domcontentloaded' });
    let timer;
    const watchdog = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, 'timeout'); });
    const code = await Promise.race([finished, watchdog]);
    clearTimeout(timer);
    if (code === 'timeout') throw new Error(`the editor bench did not finish within ${timeoutMs / 1000} s`);
    if (!fs.existsSync(resultsFile)) throw new Error(`the bench entry wrote no results (host exit ${code})`);
    const result = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    result.editorStartToDoneMs = Date.now() - started;
    console.log(JSON.stringify(result));
  } catch (err) {
    const log = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, 'utf8').trimEnd().split('\n').slice(-15).join('\n') : '';
    console.log(JSON.stringify({ ok: false, error: `${err instanceof Error ? err.message : err}${log ? `\ncode-server log (tail):\n${log}` : ''}` }));
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (child) await killGroup(child);
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

await main();
