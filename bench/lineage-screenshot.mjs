#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/lineage.png: Show Lineage on fact_orders.locationKey in code-server, opened by Debian's
 * Chromium (playwright-core), with this extension in development mode and the repo (or SCREENSHOT_FOLDER) as the
 * workspace. Needs a built extension (dist/). Leaves no process behind.
 *   SCREENSHOT_OUT   output file (default docs/screenshots/lineage.png)
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 */
import { palette, poll, takeScreenshot } from './lib/screenshot.mjs';

await takeScreenshot('lineage', async (shot) => {
  const page = await shot.open({ viewport: { width: 1440, height: 900 } });
  // The palette's Show Lineage, then the column picked from its list, as a user does.
  await palette(page, 'Lifecycle Lab: Show Lineage');
  await page.waitForSelector('.quick-input-widget input', { timeout: 30_000 });
  await page.keyboard.type('fact_orders.locationKey');
  await page.waitForTimeout(500);
  await page.keyboard.press('Enter');
  const frame = await poll(async () => {
    for (const f of page.frames()) {
      const drawn = await f.evaluate(() => document.querySelectorAll('svg.edges path').length > 0 && document.getElementById('title')?.textContent).catch(() => false);
      if (drawn) return f;
    }
    return undefined;
  }, 90_000, 'the lineage page did not draw in time');
  await page.keyboard.press('Control+KeyB');
  await page.waitForTimeout(1500);
  const title = await frame.evaluate(() => document.getElementById('title')?.textContent ?? '');
  await shot.save(title);
});
