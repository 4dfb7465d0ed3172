#!/usr/bin/env node
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
import { freePort, killGroup } from '../scripts/lib/codeServer.mjs';
import { compiled, FAKE_CREDENTIALS, palette, poll, rowsReading, takeScreenshot, widenSideBar } from './lib/screenshot.mjs';

const JOB = 'de-c1w2-etl-job';
const DATABASE = 'de_c1w2_lake';
const BUCKET = 'de-c1w2-lake';

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

/** Waits until some row of the workbench's trees reads `text` (at least `count` of them). */
function rows(page, text, count, timeoutMs) {
  return poll(async () => (await rowsReading(page, text)) >= count, timeoutMs, `no ${count} rows reading "${text}" in time`);
}

await takeScreenshot('glue-run', async (shot) => {
  Object.assign(process.env, FAKE_CREDENTIALS);
  const { publishTestLake } = compiled('test/aws/awsLakeFixture.js');
  const { startGlueTimestampProxy } = compiled('test/aws/motoGlueProxy.js');
  const { buildTestLake } = compiled('test/unit/dashboardLakeFixture.js');
  const moto = await startMoto(await freePort());
  shot.cleanups.push(() => killGroup(moto.child));
  const proxy = await startGlueTimestampProxy(moto.endpoint);
  shot.cleanups.push(() => proxy.close());
  const lakeDir = await buildTestLake();
  shot.cleanups.push(() => fs.rmSync(lakeDir, { recursive: true, force: true }));
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

  const page = await shot.open({
    viewport: { width: 1440, height: 900 },
    env: FAKE_CREDENTIALS,
    settings: {
      'lifecycleLab.mode': 'aws',
      'lifecycleLab.aws.endpoint': proxy.endpoint,
      'lifecycleLab.aws.catalogDatabase': DATABASE,
      'lifecycleLab.aws.athenaWorkgroup': 'primary',
      'lifecycleLab.aws.preflightBeforeRun': false,
    },
  });
  await palette(page, 'Lifecycle Lab: Focus on Pipeline View');
  for (let run = 1; run <= 2; run++) {
    await palette(page, 'Lifecycle Lab: Run Pipeline');
    await rows(page, 'Last run succeeded', 1, 120_000);
    await palette(page, 'Lifecycle Lab: Refresh Pipeline');
    await rows(page, 'SUCCEEDED ·', run, 30_000);
  }
  // Room for the Runs entries: a wider side bar, the Source view folded, no toast over the terminal.
  await palette(page, 'Notifications: Clear All Notifications');
  await widenSideBar(page, 240);
  await page.mouse.move(1100, 250);
  await page.waitForTimeout(1500);
  await shot.save();
});
