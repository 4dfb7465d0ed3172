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
import * as path from 'node:path';
import { killGroup } from '../scripts/lib/codeServer.mjs';
import { compiled, FAKE_CREDENTIALS, palette, poll, root, takeScreenshot } from './lib/screenshot.mjs';

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

/** Folds a view of the side bar when it is open. */
async function fold(page, view) {
  const header = page.locator(`.pane-header[aria-label^="${view}"][aria-expanded="true"]`);
  if (await header.count()) await header.first().click();
}

/** Waits for a notification whose text matches `pattern`; returns that text. */
function notification(page, pattern, timeoutMs) {
  return poll(async () => {
    const texts = await page.evaluate(() => Array.from(document.querySelectorAll('.notification-list-item-message')).map((n) => n.textContent ?? ''));
    const failed = texts.find((t) => /Terraform .* failed/.test(t));
    const hit = texts.find((t) => pattern.test(t));
    if (!hit && failed) throw new Error(failed);
    return hit;
  }, timeoutMs, `no notification matching ${pattern} in time`);
}

await takeScreenshot('terraform-plan', async (shot) => {
  const { terraformEnv } = compiled('test/iac/tools.js');
  const tfEnv = terraformEnv();
  const moduleDir = path.join(shot.tmp, 'terraform');
  fs.mkdirSync(moduleDir);
  for (const f of fs.readdirSync(path.join(root, 'terraform')).filter((n) => n.endsWith('.tf'))) fs.copyFileSync(path.join(root, 'terraform', f), path.join(moduleDir, f));
  const moto = await startMoto();
  shot.cleanups.push(async () => {
    moto.child.stdin.end(); // the launcher stops when its stdin closes
    await killGroup(moto.child);
  });
  const page = await shot.open({
    viewport: { width: 1440, height: 900 },
    env: { ...FAKE_CREDENTIALS, TF_CLI_CONFIG_FILE: tfEnv.TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE: '1' },
    settings: {
      'terminal.integrated.fontSize': 13,
      'lifecycleLab.mode': 'aws',
      'lifecycleLab.aws.endpoint': moto.endpoint,
      'lifecycleLab.terraform.moduleDir': moduleDir,
      'lifecycleLab.terraform.variables': {
        host: 'de-c1w2-rds.cluster.us-east-1.rds.amazonaws.com', vpc_id: moto.vpc_id, subnet_id: moto.subnet_id, db_sg_id: moto.sg_id,
        data_lake_bucket: 'de-c1w2-lake', scripts_bucket: 'de-c1w2-scripts', glue_dir: path.join(root, 'glue'),
      },
    },
  });
  await palette(page, 'Lifecycle Lab: Focus on Pipeline View');
  await palette(page, 'Lifecycle Lab: Set Database Password');
  await page.waitForSelector('.quick-input-widget input[type="password"]', { timeout: 10_000 });
  await page.keyboard.type(`lab-${randomBytes(6).toString('hex')}`);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  await palette(page, 'Lifecycle Lab: Terraform Init');
  await notification(page, /Terraform Init succeeded/, 180_000);
  await palette(page, 'Notifications: Clear All Notifications');
  await palette(page, 'Lifecycle Lab: Terraform Plan');
  const line = await notification(page, /Terraform Plan: \d+ to add/, 300_000);
  // The plan's end and the Pipeline view's resources in one picture: a taller panel, Source and Lake folded.
  await palette(page, 'Lifecycle Lab: Focus on Pipeline View');
  await fold(page, 'Source');
  await fold(page, 'Lake');
  await palette(page, 'View: Toggle Maximized Panel');
  await notification(page, /Terraform Plan: \d+ to add/, 5_000);
  await page.mouse.move(1100, 120);
  await page.waitForTimeout(1500);
  await shot.save(line);
});
