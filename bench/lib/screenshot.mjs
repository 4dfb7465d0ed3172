/* global document */
/**
 * What the screenshot scripts (bench/*-screenshot.mjs) share: a throwaway code-server with this extension in
 * development mode, Debian's Chromium on its workbench, the command palette, the picture and the teardown. Each
 * script keeps its own setup (moto, Terraform, a notebook file), the commands it runs and what it waits for.
 *   SCREENSHOT_OUT   output file (default docs/screenshots/<name>.png)
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 *   SCREENSHOT_FOLDER the workspace folder (default this repository): a neutral one (e.g. ~/lifecycle-lab-demo with
 *                    the lab under its .lab/) keeps this machine's paths out of the picture
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  codeServerMissing, freePort, killGroup, launchChromium, OFFLINE_EDITOR_SETTINGS, startCodeServer, waitForHealth, workbenchUrl, writeUserSettings,
} from '../../scripts/lib/codeServer.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

// moto's own test keys: they open nothing anywhere else.
export const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };

// The scripts against moto borrow the test fixtures; a missing out/ should say how to get it, not fail in require.
export function compiled(file) {
  const full = path.join(root, 'out', file);
  if (!fs.existsSync(full)) throw new Error(`${path.relative(root, full)} is missing: run npx tsc -p . first`);
  return require(full);
}

// The workbench and its webviews settle at their own pace: every wait is a poll against a deadline.
export async function poll(probe, timeoutMs, failure) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(failure);
}

// Commands go in the way a user gives them. The palette lists only the commands known when it opens, and a slow
// machine opens it before the extension's are in: Enter waits for the focused entry, else the palette is asked anew.
export async function palette(page, command) {
  const label = command.split(': ').pop();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { timeout: 10_000 });
    await page.keyboard.type(command);
    const offered = await page.waitForFunction((l) => (document.querySelector('.quick-input-list .monaco-list-row.focused')?.textContent ?? '').includes(l),
      label, { timeout: 10_000 }).then(() => true, () => false);
    if (offered) break;
    await page.keyboard.press('Escape');
    if (attempt === 3) throw new Error(`the command palette did not offer "${command}"`);
  }
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
}

/** How many rows of the workbench's trees read `text`. */
export function rowsReading(page, text) {
  return page.evaluate((t) => Array.from(document.querySelectorAll('.monaco-list-row')).filter((r) => (r.textContent ?? '').includes(t)).length, text);
}

/** Room for the Pipeline view's rows: the Source view folded and the side bar `by` pixels wider (its edge dragged). */
export async function widenSideBar(page, by) {
  await page.click('.pane-header[aria-label^="Source"]').catch(() => undefined);
  const edge = await page.evaluate(() => document.querySelector('.part.sidebar')?.getBoundingClientRect().right ?? 0);
  if (!edge) return;
  await page.mouse.move(edge, 420);
  await page.mouse.down();
  await page.mouse.move(edge + by, 420, { steps: 12 });
  await page.mouse.up();
}

// A picture that is the same run after run: one theme, no tips or command centre over the workbench.
function userSettings(extra) {
  return {
    ...OFFLINE_EDITOR_SETTINGS,
    'workbench.colorTheme': process.env.SCREENSHOT_THEME || 'Default Dark Modern',
    'workbench.tips.enabled': false,
    'window.commandCenter': false,
    ...extra,
  };
}

// Without a built extension the workbench opens fine and the shot only times out later: say so up front.
function checkBuilt() {
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const missing = codeServerMissing(root);
  if (missing) throw new Error(missing);
}

// Teardown runs newest first, so the browser goes before code-server and both before what they were pointed at.
async function cleanUp(cleanups) {
  for (const undo of cleanups.reverse()) {
    try {
      await undo();
    } catch (err) {
      console.error(`cleanup: ${err instanceof Error ? err.message : err}`);
    }
  }
}

// code-server and Chromium live only as long as the session: nothing of theirs may outlive the script.
async function openWorkbench(session, { settings = {}, env = {}, viewport, folder = workspaceFolder(), cwd }) {
  const dirs = {
    userData: path.join(session.tmp, 'user-data'), extensions: path.join(session.tmp, 'extensions'),
    config: path.join(session.tmp, 'config.yaml'), xdg: path.join(session.tmp, 'xdg'), tmp: path.join(session.tmp, 'tmp'),
  };
  writeUserSettings(dirs.userData, userSettings(settings));
  const port = await freePort();
  const child = startCodeServer({ root, port, dirs, logFile: path.join(session.tmp, 'code-server.log'), env, ...(cwd ? { cwd } : {}) });
  session.cleanups.push(() => killGroup(child));
  await waitForHealth(port, Date.now() + 60_000, child);

  const browser = await launchChromium();
  session.cleanups.push(() => browser.close().catch(() => undefined));
  session.page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  await session.page.goto(workbenchUrl(port, folder, [['extensionDevelopmentPath', root]]));
  await session.page.waitForSelector('.monaco-workbench .activitybar', { timeout: 60_000 });
  await session.page.waitForTimeout(3000);
  return session.page;
}

/** The folder the workbench opens: SCREENSHOT_FOLDER, else this repository. */
export function workspaceFolder() {
  return path.resolve(process.env.SCREENSHOT_FOLDER || root);
}

// The picture goes where SCREENSHOT_OUT says (a script's further pictures, `<name>.png` beside it); the printed line
// is what the run proved. The window's title bar is left out: in development mode it reads
// "[Extension Development Host]", which a user never sees.
async function save(session, note, name) {
  const out = name ? path.join(path.dirname(session.out), `${name}.png`) : session.out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const viewport = session.page.viewportSize();
  const titleBar = await session.page.locator('.part.titlebar').boundingBox().catch(() => null);
  const top = titleBar ? Math.ceil(titleBar.y + titleBar.height) : 0;
  await session.page.screenshot({ path: out, ...(viewport && top ? { clip: { x: 0, y: top, width: viewport.width, height: viewport.height - top } } : {}) });
  console.log(`screenshot: ${path.relative(root, out)}${note ? ` (${note})` : ''}`);
}

// A failed run is diagnosed from how the workbench looked at that moment.
async function failureShot(session, name, err) {
  const message = err instanceof Error ? err.message : String(err);
  if (!session.page) return new Error(message);
  const failed = path.join(os.tmpdir(), `lifecycle-lab-${name}-failed.png`);
  await session.page.screenshot({ path: failed }).catch(() => undefined);
  return new Error(`${message}; the workbench as it was: ${failed}`);
}

/**
 * Runs one screenshot script's `take(session)` and always tears down what it started. The session has `tmp` (a
 * throwaway folder), `out`, `cleanups` (functions run at the end, newest first), `open(options)` (code-server and
 * Chromium on the workbench; options: settings, env, viewport, folder (default workspaceFolder()), cwd (code-server's
 * working folder); resolves with the page) and `save(note, name)` (name: a further picture's, beside `out`).
 */
export async function takeScreenshot(name, take) {
  const session = {
    tmp: fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-shot-')),
    out: path.resolve(process.env.SCREENSHOT_OUT || path.join(root, 'docs', 'screenshots', `${name}.png`)),
    cleanups: [],
    page: undefined,
  };
  session.open = (options) => openWorkbench(session, options);
  session.save = (note, name) => save(session, note, name);
  try {
    checkBuilt();
    await take(session);
  } catch (err) {
    console.error(`screenshot failed: ${(await failureShot(session, name, err)).message}`);
    process.exitCode = 1;
  } finally {
    await cleanUp(session.cleanups);
    fs.rmSync(session.tmp, { recursive: true, force: true });
  }
}
