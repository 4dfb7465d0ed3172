#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/terraform-plan.png: the Terraform terminal after Terraform Plan of the lab's module, with the
 * plan's resources in the Pipeline view, in AWS mode against a moto server (test/iac/moto_glue_server.py, which also
 * makes the VPC, subnet and security group the module expects). The module is copied to a temporary folder (its
 * .terraform/ and plan stay out of the repository); the AWS provider comes from the machine's provider mirror.
 * The password is typed into Set Database Password like a user would. code-server opened by Debian's Chromium
 * (playwright-core), this extension loaded in development mode. Needs `npm run build` and `npx tsc -p .` (it uses the
 * compiled test/iac tools). Fake credentials go to code-server in its environment only. Leaves no process behind.
 *   SCREENSHOT_OUT   output file (default docs/screenshots/terraform-plan.png)
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort, killGroup, launchChromium, OFFLINE_EDITOR_SETTINGS, startCodeServer, waitForHealth, workbenchUrl, writeUserSettings,
} from '../scripts/lib/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = path.resolve(process.env.SCREENSHOT_OUT || path.join(root, 'docs', 'screenshots', 'terraform-plan.png'));
const theme = process.env.SCREENSHOT_THEME || 'Default Dark Modern';
// moto's own test keys: they open nothing anywhere else.
const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };

function compiled(file) {
  const full = path.join(root, 'out', file);
  if (!fs.existsSync(full)) throw new Error(`${path.relative(root, full)} is missing: run npx tsc -p . first`);
  return require(full);
}

/** The test-only moto launcher; resolves with its JSON line (endpoint and the network ids). */
function startMoto() {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path.join(root, 'test', 'iac', 'moto_glue_server.py')], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    let text = '';
    const timer = setTimeout(() => reject(new Error('moto did not start in 60 s')), 60_000);
    child.stdout.on('data', (c) => {
      text += c;
      const line = text.split('\n').find((l) => l.startsWith('{'));
      if (line && text.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, ...JSON.parse(line) });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`moto exited with ${code}`)); });
  });
}

/** Runs a command from the palette, once the palette's focused entry is that command (a slow machine lags). */
async function palette(page, command) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { timeout: 10_000 });
  await page.keyboard.type(command);
  const label = command.split(': ').pop();
  await page.waitForFunction((l) => (document.querySelector('.quick-input-list .monaco-list-row.focused')?.textContent ?? '').includes(l), label, { timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
}

/** Folds a view of the side bar when it is open. */
async function fold(page, view) {
  const header = page.locator(`.pane-header[aria-label^="${view}"][aria-expanded="true"]`);
  if (await header.count()) await header.first().click();
}

/** Waits for a notification whose text matches `pattern`; returns that text. */
async function notification(page, pattern, deadline) {
  while (Date.now() < deadline) {
    const texts = await page.evaluate(() => Array.from(document.querySelectorAll('.notification-list-item-message')).map((n) => n.textContent ?? ''));
    const hit = texts.find((t) => pattern.test(t));
    if (hit) return hit;
    const failed = texts.find((t) => /Terraform .* failed/.test(t));
    if (failed) throw new Error(failed);
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no notification matching ${pattern} in time`);
}

async function main() {
  const { terraformEnv } = compiled('test/iac/tools.js');
  const tfEnv = terraformEnv();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-shot-'));
  const moduleDir = path.join(tmp, 'terraform');
  fs.mkdirSync(moduleDir);
  for (const f of fs.readdirSync(path.join(root, 'terraform')).filter((n) => n.endsWith('.tf'))) fs.copyFileSync(path.join(root, 'terraform', f), path.join(moduleDir, f));
  let moto;
  let child;
  let browser;
  try {
    moto = await startMoto();
    const dirs = {
      userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions'), config: path.join(tmp, 'config.yaml'),
      xdg: path.join(tmp, 'xdg'), tmp: path.join(tmp, 'tmp'),
    };
    writeUserSettings(dirs.userData, {
      ...OFFLINE_EDITOR_SETTINGS,
      'workbench.colorTheme': theme,
      'workbench.tips.enabled': false,
      'window.commandCenter': false,
      'terminal.integrated.fontSize': 13,
      'lifecycleLab.mode': 'aws',
      'lifecycleLab.aws.endpoint': moto.endpoint,
      'lifecycleLab.terraform.moduleDir': moduleDir,
      'lifecycleLab.terraform.variables': {
        host: 'de-c1w2-rds.cluster.us-east-1.rds.amazonaws.com', vpc_id: moto.vpc_id, subnet_id: moto.subnet_id, db_sg_id: moto.sg_id,
        data_lake_bucket: 'de-c1w2-lake', scripts_bucket: 'de-c1w2-scripts', glue_dir: path.join(root, 'glue'),
      },
    });
    const port = await freePort();
    child = startCodeServer({
      root, port, dirs, logFile: path.join(tmp, 'code-server.log'),
      env: { ...FAKE_CREDENTIALS, TF_CLI_CONFIG_FILE: tfEnv.TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE: '1' },
    });
    await waitForHealth(port, Date.now() + 60_000, child);

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(workbenchUrl(port, root, [['extensionDevelopmentPath', root]]));
    await page.waitForSelector('.monaco-workbench .activitybar', { timeout: 60_000 });
    await page.waitForTimeout(3000);
    await palette(page, 'Lifecycle Lab: Focus on Pipeline View');
    await palette(page, 'Lifecycle Lab: Set Database Password');
    await page.waitForSelector('.quick-input-widget input[type="password"]', { timeout: 10_000 });
    await page.keyboard.type(`lab-${randomBytes(6).toString('hex')}`);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    await palette(page, 'Lifecycle Lab: Terraform Init');
    await notification(page, /Terraform Init succeeded/, Date.now() + 180_000);
    await palette(page, 'Notifications: Clear All Notifications');
    await palette(page, 'Lifecycle Lab: Terraform Plan');
    const line = await notification(page, /Terraform Plan: \d+ to add/, Date.now() + 300_000);
    // The plan's end and the Pipeline view's resources in one picture: a taller panel, Source and Lake folded.
    await palette(page, 'Lifecycle Lab: Focus on Pipeline View');
    await fold(page, 'Source');
    await fold(page, 'Lake');
    await palette(page, 'View: Toggle Maximized Panel');
    await notification(page, /Terraform Plan: \d+ to add/, Date.now() + 5_000);
    await page.mouse.move(1100, 120);
    await page.waitForTimeout(1500);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`screenshot: ${path.relative(root, out)} (${line})`);
  } catch (err) {
    if (browser) {
      const failed = path.join(os.tmpdir(), 'lifecycle-lab-terraform-plan-failed.png');
      for (const p of browser.contexts().flatMap((c) => c.pages())) await p.screenshot({ path: failed }).catch(() => undefined);
      throw new Error(`${err instanceof Error ? err.message : err}; the workbench as it was: ${failed}`);
    }
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    if (child) await killGroup(child);
    if (moto) {
      moto.child.stdin.end(); // the launcher stops when its stdin closes
      await killGroup(moto.child);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`screenshot failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
