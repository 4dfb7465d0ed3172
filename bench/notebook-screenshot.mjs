#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/notebook.png: the Lab notebook (Open Lab Notebook, then Run All) in code-server, opened by
 * Debian's Chromium (playwright-core), scrolled to a chart output. Needs a built extension (dist/) and a lake (run
 * the pipeline first). Creates lab.labnb in the workspace folder (the repo, or SCREENSHOT_FOLDER) when it is not there
 * and removes it again; leaves no process.
 *   SCREENSHOT_OUT    output file (default docs/screenshots/notebook.png)
 *   SCREENSHOT_THEME  colour theme (default "Default Dark Modern")
 *   SCREENSHOT_SCROLL pixels to scroll the notebook down before the shot (default 2650: the top-10 countries)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { palette, poll, takeScreenshot, workspaceFolder } from './lib/screenshot.mjs';

const scroll = Number(process.env.SCREENSHOT_SCROLL || 2650);
const notebookFile = path.join(workspaceFolder(), 'lab.labnb');

/** The frame holding the notebook's outputs, once `count` charts are drawn in it (outputs out of view are not drawn yet). */
function outputsFrame(page, count) {
  return poll(async () => {
    for (const frame of page.frames()) {
      const charts = await frame.evaluate(() => document.querySelectorAll('.lab-nb-chart canvas').length).catch(() => 0);
      if (charts >= count) return frame;
    }
    return undefined;
  }, 120_000, `fewer than ${count} charts were drawn in time`);
}

await takeScreenshot('notebook', async (shot) => {
  if (!fs.existsSync(notebookFile)) shot.cleanups.push(() => fs.rmSync(notebookFile, { force: true }));
  // No breadcrumbs: they spell out where the notebook file lives on this machine.
  const page = await shot.open({ viewport: { width: 1440, height: 1100 }, settings: { 'breadcrumbs.enabled': false } });
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
  await outputsFrame(page, 1);
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
  await shot.save();
});
