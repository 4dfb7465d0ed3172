#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/dashboard.png: the dashboard rendered in code-server, opened by Debian's Chromium
 * (playwright-core), with this extension loaded in development mode and the repo (or SCREENSHOT_FOLDER) as the
 * workspace. Needs a built extension (dist/) and a lake (run the pipeline first). Leaves no process behind. The README's
 * picture: SCREENSHOT_FOLDER=~/lifecycle-lab-demo holding `.lab/lake` and `"lifecycleLab.local.labDir": ".lab"`.
 *   SCREENSHOT_OUT   output file (default docs/screenshots/dashboard.png)
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 */
import { palette, poll, takeScreenshot } from './lib/screenshot.mjs';

/** The webview frame holding the dashboard, once every card has left its loading state. */
function dashboardFrame(page) {
  return poll(async () => {
    for (const frame of page.frames()) {
      const ready = await frame.evaluate(() => {
        const cards = document.querySelectorAll('section.card');
        if (!cards.length || !document.querySelector('.kpi')) return false;
        return Array.from(cards).every((c) => c.getAttribute('data-state') && c.getAttribute('data-state') !== 'loading');
      }).catch(() => false);
      if (ready) return frame;
    }
    return undefined;
  }, 90_000, 'the dashboard did not finish rendering in time');
}

await takeScreenshot('dashboard', async (shot) => {
  const page = await shot.open({ viewport: { width: 1440, height: 1760 } });
  // Open the dashboard the way a user does: the command palette.
  await palette(page, 'Lifecycle Lab: Open Dashboard');
  const frame = await dashboardFrame(page);
  // Hide the side bar so the dashboard gets the room; let the charts settle after the resize.
  await page.keyboard.press('Control+KeyB');
  await page.waitForTimeout(1500);
  const states = await frame.evaluate(() => Array.from(document.querySelectorAll('section.card')).map((c) => `${c.getAttribute('data-dataset')}=${c.getAttribute('data-state')}`));
  await shot.save(states.join(', '));
});
