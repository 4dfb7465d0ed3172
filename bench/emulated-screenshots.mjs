#!/usr/bin/env node
/* global document */
/**
 * Takes docs/screenshots/glue-run-emulated.png and docs/screenshots/dashboard-emulated.png: the lab's AWS steps on the
 * emulated AWS (moto, Glue runs on Spark, Athena on Trino), in code-server opened by Debian's Chromium on a neutral
 * folder named lifecycle-lab-demo. The script starts its own lab and emulator (`lifecycle-lab lab up --aws` in a
 * throwaway lab folder), applies a copy of terraform/ with the Terraform CLI, then in the editor: Run Pipeline twice
 * (the second one photographed while it runs: the run terminal, the Runs group and the status bar), then Open
 * Dashboard (every card on Athena with its engine time, bytes scanned and cost; the panel with the run terminal closed
 * first, the script fails if it stays). The workbench's title bar, which says
 * "Extension Development Host", is cut off. Leaves no process behind.
 * Needs `npm run build`, `npx tsc -p .`, Terraform with the provider mirror and `bash scripts/setup-emulator.sh`.
 *   SCREENSHOT_OUT   the Glue run's picture (default docs/screenshots/glue-run-emulated.png); the dashboard's goes beside it
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compiled, palette, poll, root, rowsReading, takeScreenshot, widenSideBar } from './lib/screenshot.mjs';

// The emulated AWS takes any keys; these are moto's placeholders and open nothing elsewhere.
const EMULATOR_KEYS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };

function cli(args, labDir) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'lifecycle-lab.js'), ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, LIFECYCLE_LAB_LOCAL_LABDIR: labDir }, timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`lifecycle-lab ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function terraform(dir, args, env) {
  const r = spawnSync('terraform', [`-chdir=${dir}`, ...args, '-no-color'], { encoding: 'utf8', env, timeout: 900_000 });
  if (r.status !== 0) throw new Error(`terraform ${args[0]}: ${(r.stdout + r.stderr).split('\n').slice(-20).join('\n')}`);
}

/** The module's variables as the editor fills them on the emulator: the network from the RDS instance, the buckets. */
async function moduleEnv(endpoint, labDir) {
  const { networkOfInstance } = compiled('src/core/terraform/discovery.js');
  const { terraformEnv } = compiled('test/iac/tools.js');
  const rds = await import('@aws-sdk/client-rds');
  const client = new rds.RDSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const db = (await client.send(new rds.DescribeDBInstancesCommand({ DBInstanceIdentifier: 'de-c1w2-rds' }))).DBInstances[0];
  client.destroy();
  const net = networkOfInstance(db);
  const creds = JSON.parse(fs.readFileSync(path.join(labDir, 'credentials.json'), 'utf8'));
  return terraformEnv({
    ...EMULATOR_KEYS, AWS_ENDPOINT_URL: endpoint,
    TF_VAR_aws_endpoint: endpoint, TF_VAR_host: net.host, TF_VAR_port: String(net.port), TF_VAR_vpc_id: net.vpcId, TF_VAR_subnet_id: net.subnetId,
    TF_VAR_db_sg_id: net.securityGroupId, TF_VAR_username: creds.user, TF_VAR_password: creds.password,
    TF_VAR_data_lake_bucket: 'lab-demo-lake', TF_VAR_scripts_bucket: 'lab-demo-scripts', TF_VAR_force_destroy_buckets: 'true',
    TF_VAR_glue_dir: path.join(root, 'glue'),
  });
}

/** Whether the workbench's panel (terminal, output, problems) takes room on the page. */
function panelShown(page) {
  return page.evaluate(() => {
    const box = document.querySelector('.part.panel')?.getBoundingClientRect();
    return Boolean(box && box.width > 0 && box.height > 0);
  });
}

await takeScreenshot('glue-run-emulated', async (shot) => {
  const demo = path.join(shot.tmp, 'lifecycle-lab-demo');
  const labDir = path.join(shot.tmp, 'lab');
  const moduleDir = path.join(demo, 'terraform');
  fs.mkdirSync(moduleDir, { recursive: true });
  for (const f of fs.readdirSync(path.join(root, 'terraform')).filter((n) => n.endsWith('.tf'))) fs.copyFileSync(path.join(root, 'terraform', f), path.join(moduleDir, f));

  shot.cleanups.push(() => cli(['lab', 'down', '--json'], labDir));
  const up = cli(['lab', 'up', '--aws', '--json'], labDir);
  const emulator = up.emulatedAws.state;
  console.log(`emulated AWS on ${emulator.endpoint}, Trino ${emulator.trino}`);
  const env = await moduleEnv(emulator.endpoint, labDir);
  terraform(moduleDir, ['init', '-input=false'], env);
  terraform(moduleDir, ['apply', '-auto-approve', '-input=false'], env);

  const page = await shot.open({
    viewport: { width: 1440, height: 900 },
    folder: demo,
    cwd: demo,
    settings: {
      'window.title': '${rootName}',
      'lifecycleLab.mode': 'aws',
      'lifecycleLab.local.labDir': labDir,
      'lifecycleLab.aws.endpoint': emulator.endpoint,
      'lifecycleLab.aws.region': 'us-east-1',
      'lifecycleLab.mysql.host': '127.0.0.1',
      'lifecycleLab.mysql.port': up.port,
    },
  });

  // The Glue run: one to completion (history), a second one photographed while it runs.
  await palette(page, 'Lifecycle Lab: Focus on Pipeline View');
  await palette(page, 'Lifecycle Lab: Run Pipeline');
  await poll(async () => (await rowsReading(page, 'Last run succeeded')) > 0, 900_000, 'the first Glue run did not succeed in time');
  await palette(page, 'Notifications: Clear All Notifications');
  await palette(page, 'Lifecycle Lab: Run Pipeline');
  // The terminal draws on a canvas: the run's state is read from the Pipeline view and the status bar.
  const statusText = () => page.evaluate(() => Array.from(document.querySelectorAll('.statusbar-item')).map((i) => i.textContent ?? '').find((t) => t.includes('Pipeline:')) ?? '');
  await poll(async () => (await rowsReading(page, 'Glue RUNNING')) > 0 && (await statusText()) !== '', 300_000, 'the second run did not reach RUNNING');
  await palette(page, 'Lifecycle Lab: Refresh Pipeline');
  await poll(async () => (await rowsReading(page, 'RUNNING ·')) + (await rowsReading(page, 'RUNNING')) > 1, 60_000, 'the Runs group did not list the running run');
  // Room for the Runs entries: a wider side bar and the Source view folded.
  await widenSideBar(page, 240);
  await page.mouse.move(1100, 250);
  await page.waitForTimeout(1500);
  const status = await statusText();
  if (!status) throw new Error('no pipeline item in the status bar while the run goes');
  await shot.save(status.trim());
  await poll(async () => (await rowsReading(page, 'Last run succeeded')) > 0 && !(await page.evaluate(() => Array.from(document.querySelectorAll('.statusbar-item')).some((i) => (i.textContent ?? '').includes('Pipeline:')))),
    900_000, 'the second Glue run did not end in time');

  // The dashboard on Athena (Trino): every card with its engine time, bytes scanned and cost.
  await palette(page, 'Notifications: Clear All Notifications');
  await palette(page, 'View: Hide Panel');
  await page.setViewportSize({ width: 1440, height: 1760 });
  await palette(page, 'Lifecycle Lab: Open Dashboard');
  const frame = await poll(async () => {
    for (const f of page.frames()) {
      const ready = await f.evaluate(() => {
        const cards = Array.from(document.querySelectorAll('section.card'));
        return cards.length > 0 && cards.every((c) => c.getAttribute('data-state') && c.getAttribute('data-state') !== 'loading')
          && Array.from(document.querySelectorAll('.meta')).some((m) => (m.textContent ?? '').includes('scanned'));
      }).catch(() => false);
      if (ready) return f;
    }
    return undefined;
  }, 600_000, 'the dashboard did not finish rendering in time');
  await page.keyboard.press('Control+KeyB');
  // The run's terminal is no part of this picture: the panel closed, and seen closed, before it is taken.
  if (await panelShown(page)) await palette(page, 'View: Hide Panel');
  await poll(async () => !(await panelShown(page)), 10_000, 'the panel (the run terminal) is still open under the dashboard');
  await page.waitForTimeout(1500);
  if (await panelShown(page)) throw new Error('the panel (the run terminal) opened again under the dashboard');
  const states = await frame.evaluate(() => Array.from(document.querySelectorAll('section.card')).map((c) => `${c.getAttribute('data-dataset')}=${c.getAttribute('data-state')}`));
  await shot.save(states.join(', '), 'dashboard-emulated');
});
