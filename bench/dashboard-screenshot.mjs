#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/dashboard.png: the dashboard rendered in code-server, opened by Debian's Chromium
 * (playwright-core), with this extension loaded in development mode and the repo as the workspace. Needs a built
 * extension (dist/) and a lake (run the pipeline first). Leaves no process behind.
 *   SCREENSHOT_OUT   output file (default docs/screenshots/dashboard.png)
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort, killGroup, launchChromium, OFFLINE_EDITOR_SETTINGS, startCodeServer, waitForHealth, workbenchUrl, writeUserSettings,
} from '../scripts/lib/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.env.SCREENSHOT_OUT || path.join(root, 'docs', 'screenshots', 'dashboard.png'));
const theme = process.env.SCREENSHOT_THEME || 'Default Dark Modern';

async function dashboardFrame(page, deadline) {
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const ready = await frame.evaluate(() => {
        const cards = document.querySelectorAll('section.card');
        if (!cards.length || !document.querySelector('.kpi')) return false;
        return Array.from(cards).every((c) => c.getAttribute('data-state') && c.getAttribute('data-state') !== 'loading');
      }).catch(() => false);
      if (ready) return frame;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('the dashboard did not finish rendering in time');
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-shot-'));
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
    const page = await browser.newPage({ viewport: { width: 1440, height: 1760 }, deviceScaleFactor: 1 });
    await page.goto(workbenchUrl(port, root, [['extensionDevelopmentPath', root]]));
    await page.waitForSelector('.monaco-workbench .activitybar', { timeout: 60_000 });
    await page.waitForTimeout(3000);

    // Open the dashboard the way a user does: the command palette.
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { timeout: 10_000 });
    await page.keyboard.type('Lifecycle Lab: Open Dashboard');
    await page.waitForTimeout(800);
    await page.keyboard.press('Enter');
    const frame = await dashboardFrame(page, Date.now() + 90_000).catch(async (err) => {
      await page.screenshot({ path: path.join(os.tmpdir(), 'lifecycle-lab-dashboard-failed.png') });
      throw new Error(`${err.message}; the workbench as it was: ${path.join(os.tmpdir(), 'lifecycle-lab-dashboard-failed.png')}`);
    });
    // Hide the side bar so the dashboard gets the room; let the charts settle after the resize.
    await page.keyboard.press('Control+KeyB');
    await page.waitForTimeout(1500);
    const states = await frame.evaluate(() => Array.from(document.querySelectorAll('section.card')).map((c) => `${c.getAttribute('data-dataset')}=${c.getAttribute('data-state')}`));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`screenshot: ${path.relative(root, out)} (${states.join(', ')})`);
  } finally {
    await browser?.close().catch(() => undefined);
    if (child) await killGroup(child);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`screenshot failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
