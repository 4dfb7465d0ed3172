#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/dashboard.png: the dashboard rendered in code-server, opened by Debian's Chromium
 * (playwright-core), with this extension loaded in development mode and the repo as the workspace. Needs a built
 * extension (dist/) and a lake (run the pipeline first). Leaves no process behind.
 *   SCREENSHOT_OUT   output file (default docs/screenshots/dashboard.png)
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { cleanEnv, freePort, killGroup, waitForHealth } from '../scripts/run-extension-tests.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.env.SCREENSHOT_OUT || path.join(root, 'docs', 'screenshots', 'dashboard.png'));
const theme = process.env.SCREENSHOT_THEME || 'Default Dark Modern';
const codeServerEntry = path.join(root, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

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
    const userData = path.join(tmp, 'user-data');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
      'lifecycleLab.mode': 'local',
      'workbench.colorTheme': theme,
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'window.commandCenter': false,
    }, null, 2));
    for (const d of ['extensions', 'xdg-data', 'xdg-config', 'tmp']) fs.mkdirSync(path.join(tmp, d), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\ncert: false\n');
    const port = await freePort();
    const env = cleanEnv(process.env, {
      SHELL: '/bin/bash', XDG_DATA_HOME: path.join(tmp, 'xdg-data'), XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'), TMPDIR: path.join(tmp, 'tmp'),
    });
    const log = fs.openSync(path.join(tmp, 'code-server.log'), 'a');
    child = spawn(process.execPath, [codeServerEntry,
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', path.join(tmp, 'config.yaml'),
      '--user-data-dir', userData, '--extensions-dir', path.join(tmp, 'extensions'),
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--ignore-last-opened'], { cwd: root, env, detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    await waitForHealth(port, Date.now() + 60_000, child);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1440, height: 1760 }, deviceScaleFactor: 1 });
    const authority = `127.0.0.1:${port}`;
    const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${root}`]];
    await page.goto(`http://${authority}/?folder=${encodeURIComponent(root)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
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
