#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/glue-run.png: a Glue run in the Pipeline view, in AWS mode against a moto server this script
 * starts (the job, the Glue catalog and the lake in S3 as the test fixture publishes them; moto's state manager paces
 * the run STARTING -> RUNNING -> SUCCEEDED). code-server opened by Debian's Chromium (playwright-core), this extension
 * loaded in development mode. Runs the pipeline twice so the Runs group has history. Needs `npm run build` and
 * `npx tsc -p .` (it uses the compiled test fixtures). Fake credentials go to code-server in its environment only.
 * Leaves no process behind.
 *   SCREENSHOT_OUT   output file (default docs/screenshots/glue-run.png)
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 */
import { spawn } from 'node:child_process';
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
const out = path.resolve(process.env.SCREENSHOT_OUT || path.join(root, 'docs', 'screenshots', 'glue-run.png'));
const theme = process.env.SCREENSHOT_THEME || 'Default Dark Modern';
const JOB = 'de-c1w2-etl-job';
const DATABASE = 'de_c1w2_lake';
const BUCKET = 'de-c1w2-lake';
// moto's own test keys: they open nothing anywhere else.
const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };

function compiled(file) {
  const full = path.join(root, 'out', file);
  if (!fs.existsSync(full)) throw new Error(`${path.relative(root, full)} is missing: run npx tsc -p . first`);
  return require(full);
}

async function startMoto(port) {
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}`);
    if (await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false)) return { child, endpoint };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('moto did not come up');
}

async function motoApi(endpoint, route, body) {
  const res = await fetch(`${endpoint}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${route}: HTTP ${res.status}`);
}

async function palette(page, command) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { timeout: 10_000 });
  await page.keyboard.type(command);
  await page.waitForTimeout(800);
  await page.keyboard.press('Enter');
}

/** Waits until some row of the workbench's trees reads `text` (at least `count` of them). */
async function rows(page, text, count, deadline) {
  while (Date.now() < deadline) {
    const found = await page.evaluate((t) => Array.from(document.querySelectorAll('.monaco-list-row')).filter((r) => (r.textContent ?? '').includes(t)).length, text);
    if (found >= count) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no ${count} rows reading "${text}" in time`);
}

async function main() {
  Object.assign(process.env, FAKE_CREDENTIALS);
  const { publishTestLake } = compiled('test/aws/awsLakeFixture.js');
  const { startGlueTimestampProxy } = compiled('test/aws/motoGlueProxy.js');
  const { buildTestLake } = compiled('test/unit/dashboardLakeFixture.js');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-shot-'));
  let moto;
  let proxy;
  let lakeDir;
  let child;
  let browser;
  try {
    moto = await startMoto(await freePort());
    proxy = await startGlueTimestampProxy(moto.endpoint);
    lakeDir = await buildTestLake();
    const aws = { region: 'us-east-1', profile: '', endpoint: moto.endpoint, rdsInstanceId: 'de-c1w2-rds' };
    await publishTestLake(aws, lakeDir, { bucket: BUCKET, prefix: 'lake', database: DATABASE, runId: '20261130T090000Z-a1b2c3' });
    const glue = await import('@aws-sdk/client-glue');
    const client = new glue.GlueClient({ region: 'us-east-1', endpoint: moto.endpoint });
    await client.send(new glue.CreateJobCommand({
      Name: JOB, Role: 'arn:aws:iam::123456789012:role/de-c1w2-glue', GlueVersion: '4.0', WorkerType: 'G.1X', NumberOfWorkers: 2,
      Command: { Name: 'glueetl', ScriptLocation: 's3://de-c1w2-scripts/glue/glue_job.py' },
      DefaultArguments: { '--lake_path': `s3://${BUCKET}/lake`, '--continuous-log-logGroup': '/aws-glue/jobs/de-c1w2' },
    }));
    client.destroy();
    await motoApi(moto.endpoint, '/moto-api/state-manager/set-transition', { model_name: 'glue::job_run', transition: { progression: 'manual', times: 2 } });

    const dirs = {
      userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions'), config: path.join(tmp, 'config.yaml'),
      xdg: path.join(tmp, 'xdg'), tmp: path.join(tmp, 'tmp'),
    };
    writeUserSettings(dirs.userData, {
      ...OFFLINE_EDITOR_SETTINGS,
      'workbench.colorTheme': theme,
      'workbench.tips.enabled': false,
      'window.commandCenter': false,
      'lifecycleLab.mode': 'aws',
      'lifecycleLab.aws.endpoint': proxy.endpoint,
      'lifecycleLab.aws.catalogDatabase': DATABASE,
      'lifecycleLab.aws.athenaWorkgroup': 'primary',
      'lifecycleLab.aws.preflightBeforeRun': false,
    });
    const port = await freePort();
    child = startCodeServer({ root, port, dirs, logFile: path.join(tmp, 'code-server.log'), env: FAKE_CREDENTIALS });
    await waitForHealth(port, Date.now() + 60_000, child);

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(workbenchUrl(port, root, [['extensionDevelopmentPath', root]]));
    await page.waitForSelector('.monaco-workbench .activitybar', { timeout: 60_000 });
    await page.waitForTimeout(3000);
    await palette(page, 'Lifecycle Lab: Focus on Pipeline View');
    for (let run = 1; run <= 2; run++) {
      await palette(page, 'Lifecycle Lab: Run Pipeline');
      await rows(page, 'Last run succeeded', 1, Date.now() + 120_000);
      await palette(page, 'Lifecycle Lab: Refresh Pipeline');
      await rows(page, 'SUCCEEDED ·', run, Date.now() + 30_000);
    }
    // Room for the Runs entries: a wider side bar, the Source view folded, no toast over the terminal.
    await palette(page, 'Notifications: Clear All Notifications');
    await page.click('.pane-header[aria-label^="Source"]').catch(() => undefined);
    const edge = await page.evaluate(() => document.querySelector('.part.sidebar')?.getBoundingClientRect().right ?? 0);
    if (edge) {
      await page.mouse.move(edge, 420);
      await page.mouse.down();
      await page.mouse.move(edge + 240, 420, { steps: 12 });
      await page.mouse.up();
    }
    await page.mouse.move(1100, 250);
    await page.waitForTimeout(1500);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`screenshot: ${path.relative(root, out)}`);
  } catch (err) {
    if (browser) {
      const failed = path.join(os.tmpdir(), 'lifecycle-lab-glue-run-failed.png');
      for (const p of browser.contexts().flatMap((c) => c.pages())) await p.screenshot({ path: failed }).catch(() => undefined);
      throw new Error(`${err instanceof Error ? err.message : err}; the workbench as it was: ${failed}`);
    }
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    if (child) await killGroup(child);
    await proxy?.close();
    if (moto) await killGroup(moto.child);
    if (lakeDir) fs.rmSync(lakeDir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`screenshot failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
