#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/notebook.png: the Lab notebook (Open Lab Notebook, then Run All) in code-server, opened by
 * Debian's Chromium (playwright-core), scrolled to a chart output. Needs a built extension (dist/) and a lake (run
 * the pipeline first). Creates lab.labnb in the repo when it is not there and removes it again; leaves no process.
 *   SCREENSHOT_OUT    output file (default docs/screenshots/notebook.png)
 *   SCREENSHOT_THEME  colour theme (default "Default Dark Modern")
 *   SCREENSHOT_SCROLL pixels to scroll the notebook down before the shot (default 2650: the top-10 countries)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort, killGroup, launchChromium, OFFLINE_EDITOR_SETTINGS, startCodeServer, waitForHealth, workbenchUrl, writeUserSettings,
} from '../scripts/lib/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.env.SCREENSHOT_OUT || path.join(root, 'docs', 'screenshots', 'notebook.png'));
const theme = process.env.SCREENSHOT_THEME || 'Default Dark Modern';
const scroll = Number(process.env.SCREENSHOT_SCROLL || 2650);
const notebookFile = path.join(root, 'lab.labnb');

/** The frame holding the notebook's outputs, once `count` charts are drawn in it (outputs out of view are not drawn yet). */
async function outputsFrame(page, count, deadline) {
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const charts = await frame.evaluate(() => document.querySelectorAll('.lab-nb-chart canvas').length).catch(() => 0);
      if (charts >= count) return frame;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`fewer than ${count} charts were drawn in time`);
}

async function palette(page, command) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { timeout: 10_000 });
  await page.keyboard.type(command);
  await page.waitForTimeout(800);
  await page.keyboard.press('Enter');
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-shot-'));
  const created = !fs.existsSync(notebookFile);
  let child;
  let browser;
  try {
    const dirs = {
      userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions'), config: path.join(tmp, 'config.yaml'),
      xdg: path.join(tmp, 'xdg'), tmp: path.join(tmp, 'tmp'),
    };
    writeUserSettings(dirs.userData, {
      ...OFFLINE_EDITOR_SETTINGS,
      'workbench.colorTheme': theme,
      'workbench.tips.enabled': false,
      'window.commandCenter': false,
    });
    const port = await freePort();
    child = startCodeServer({ root, port, dirs, logFile: path.join(tmp, 'code-server.log') });
    await waitForHealth(port, Date.now() + 60_000, child);

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, deviceScaleFactor: 1 });
    await page.goto(workbenchUrl(port, root, [['extensionDevelopmentPath', root]]));
    await page.waitForSelector('.monaco-workbench .activitybar', { timeout: 60_000 });
    await page.waitForTimeout(3000);

    // The palette can miss a command while the workbench is still settling: ask again until the notebook shows.
    for (let attempt = 1; ; attempt++) {
      await palette(page, 'Lifecycle Lab: Open Lab Notebook');
      const shown = await page.waitForFunction(() => Array.from(document.querySelectorAll('.notebook-editor')).some((e) => e.offsetParent !== null),
        undefined, { timeout: 20_000 }).then(() => true, () => false);
      if (shown) break;
      if (attempt === 3) throw new Error('the Lab notebook did not open');
      await page.keyboard.press('Escape');
    }
    await page.waitForTimeout(2000);
    await page.keyboard.press('Control+KeyB'); // the side bar off: the notebook gets the room
    await palette(page, 'Notebook: Run All');
    await outputsFrame(page, 1, Date.now() + 120_000).catch(async (err) => {
      await page.screenshot({ path: path.join(os.tmpdir(), 'lifecycle-lab-notebook-failed.png') });
      throw new Error(`${err.message}; the workbench as it was: ${path.join(os.tmpdir(), 'lifecycle-lab-notebook-failed.png')}`);
    });
    await page.waitForTimeout(1500);
    const box = await page.locator('.notebook-editor .monaco-list').filter({ visible: true }).first().boundingBox();
    if (box) {
      // Over the cells' left margin: wheel events over an output land in its webview, which does not scroll the list.
      await page.mouse.move(box.x + 12, box.y + box.height / 2);
      // Monaco's list takes each wheel event as about one notch: scroll in small steps.
      for (let done = 0; done < scroll; done += 100) {
        await page.mouse.wheel(0, 100);
        await page.waitForTimeout(30);
      }
      await page.waitForTimeout(4000);
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`screenshot: ${path.relative(root, out)}`);
  } finally {
    await browser?.close().catch(() => undefined);
    if (child) await killGroup(child);
    if (created) fs.rmSync(notebookFile, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`screenshot failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
