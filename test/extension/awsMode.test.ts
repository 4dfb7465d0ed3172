/**
 * AWS mode in the editor, on a moto server this suite starts: Run Pipeline starts the Glue job and the Pipeline view
 * follows it (moto's state manager paces the run: STARTING, RUNNING, SUCCEEDED, one GetJobRun each), the Runs group
 * lists it from GetJobRuns, the Lake view lists the Glue catalog's tables with their S3 sizes, and a preview opens
 * through Athena (a preset answer: moto runs no SQL). Credentials are the standard AWS_ACCESS_KEY_ID/SECRET variables
 * of this extension host, which the SDK's default chain reads as it would a user's; settings go back to local after.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LifecycleLabApi } from '../../src/extension';
import { formatBytes } from '../../src/core/format';
import type { GridOpened } from '../../src/webview/gridPanel';
import { publishTestLake, type PublishedLake } from '../aws/awsLakeFixture';
import { startGlueTimestampProxy } from '../aws/motoGlueProxy';
import { startMotoServer, useAwsEnvironment, type MotoServer } from '../aws/motoServer';
import { buildTestLake, CUSTOMERS } from '../unit/dashboardLakeFixture';
import { EXTENSION_ID } from './activation';

const JOB = 'lab-etl-job';
const DATABASE = 'lab_db';
const BUCKET = 'lab-lake';
const PREFIX = 'warehouse';

suite('AWS mode: Glue run, run history and the Glue catalog lake on moto', function () {
  this.timeout(90_000);
  let api: LifecycleLabApi;
  let moto: MotoServer;
  let proxy: { endpoint: string; close(): Promise<void> };
  let lakeDir: string;
  let published: PublishedLake;
  let restoreEnv: (() => void) | undefined;
  let errors: string[] = [];
  const originalError = vscode.window.showErrorMessage;
  const touched = ['mode', 'aws.endpoint', 'aws.region', 'aws.profile', 'aws.glueJobName', 'aws.lakePath', 'aws.catalogDatabase', 'aws.athenaWorkgroup',
    'aws.athenaOutputLocation', 'aws.preflightBeforeRun', 'local.lakeDir'];
  const saved = new Map<string, unknown>();
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');

  async function setSettings(values: Record<string, unknown>): Promise<void> {
    for (const [key, value] of Object.entries(values)) await config().update(key, value, vscode.ConfigurationTarget.Global);
  }

  async function motoApi(path: string, body: unknown): Promise<void> {
    const res = await fetch(`${moto.endpoint}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.ok, `${path}: HTTP ${res.status}`);
  }

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    for (const key of touched) {
      const inspected = config().inspect(key);
      assert.equal(inspected?.workspaceValue, undefined, `a workspace value for ${key} would override the test's Global setting`);
      saved.set(key, inspected?.globalValue);
    }
    [moto, lakeDir] = await Promise.all([startMotoServer(), buildTestLake()]);
    // moto 5.1 sends Glue job-run times as ISO strings where the protocol has epoch seconds; the proxy converts them.
    proxy = await startGlueTimestampProxy(moto.endpoint);
    restoreEnv = useAwsEnvironment('fake');
    published = await publishTestLake(moto.settings(), lakeDir, { bucket: BUCKET, prefix: PREFIX, database: DATABASE, runId: '20260101T000000Z-fixture', markers: true });
    const glue = await import('@aws-sdk/client-glue');
    const client = new glue.GlueClient({ region: 'us-east-1', endpoint: moto.endpoint });
    try {
      await client.send(new glue.CreateJobCommand({
        Name: JOB, Role: 'arn:aws:iam::123456789012:role/glue', GlueVersion: '4.0', WorkerType: 'G.1X', NumberOfWorkers: 2,
        Command: { Name: 'glueetl', ScriptLocation: 's3://lab-scripts/glue_job.py' },
        DefaultArguments: { '--lake_path': `s3://${BUCKET}/${PREFIX}` },
      }));
    } finally {
      client.destroy();
    }
    // One GetJobRun per state: STARTING, RUNNING, SUCCEEDED.
    await motoApi('/moto-api/state-manager/set-transition', { model_name: 'glue::job_run', transition: { progression: 'manual', times: 1 } });
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string) => {
      errors.push(message);
      return Promise.resolve(undefined);
    };
    await setSettings({
      mode: 'aws', 'aws.endpoint': proxy.endpoint, 'aws.region': 'us-east-1', 'aws.profile': '', 'aws.glueJobName': JOB, 'aws.lakePath': '',
      'aws.catalogDatabase': DATABASE, 'aws.athenaWorkgroup': 'primary', 'aws.athenaOutputLocation': `s3://${BUCKET}/athena-results/`,
      'aws.preflightBeforeRun': false,
    });
  });

  suiteTeardown(async () => {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = originalError;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Back to local mode (and every other touched setting as it was) for the suites that follow.
    for (const key of touched) await config().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
    restoreEnv?.();
    await proxy?.close();
    await moto?.stop();
    if (lakeDir) await fs.rm(lakeDir, { recursive: true, force: true });
  });

  setup(() => {
    errors = [];
  });

  /** Waits (a condition, not a time) until the view follows the current settings and its Runs group has read the job's runs. */
  async function runsLoaded(accept: (labels: string[]) => boolean): Promise<void> {
    const tree = api.pipelineTree;
    const deadline = Date.now() + 30_000;
    let labels: string[] = [];
    while (Date.now() < deadline) {
      const group = tree.getChildren().find((n) => tree.getTreeItem(n).label === 'Runs');
      labels = group ? tree.getChildren(group).map((n) => String(tree.getTreeItem(n).label)) : [];
      if (accept(labels)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`the Runs group did not load: ${labels.join(', ')}`);
  }

  test('Run Pipeline starts the Glue job; the view follows it to SUCCEEDED and the Runs group lists it', async () => {
    // moto's state manager moves a job run one state per read of it, and GetJobRuns reads it too: the Runs group
    // must have read the (empty) history before the run, or its first read mid-run would skip RUNNING.
    await runsLoaded((labels) => labels.includes('No runs yet'));
    await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    assert.deepEqual(errors, []);
    const snapshot = api.pipeline.snapshot();
    assert.equal(snapshot.running, false);
    assert.equal(snapshot.lastRun?.ok, true, snapshot.lastRun?.message);
    assert.match(snapshot.runId ?? '', /^jr_/);
    assert.deepEqual(snapshot.steps, [], 'Glue\'s states, not local steps');
    // Each state as a poll saw it: moto moves a run one state per read, and a read elsewhere (the Runs group) can
    // take STARTING before the runner's first poll, so the states are Glue's order with none made up.
    const states = snapshot.engine?.states.map((s) => `${s.engine} ${s.state}`) ?? [];
    assert.deepEqual(states, ['Glue STARTING', 'Glue RUNNING', 'Glue SUCCEEDED'].filter((s) => states.includes(s)), states.join(', '));
    assert.deepEqual(states.slice(-2), ['Glue RUNNING', 'Glue SUCCEEDED'], states.join(', '));
    assert.match(snapshot.terminalName ?? '', new RegExp(`Glue job ${JOB}`));
    const transcript = snapshot.transcript.join('\n');
    assert.match(transcript, /\nGlue RUNNING at \d\d:\d\d:\d\d \([\d.]+ m?s in\)\n/, transcript);
    assert.match(transcript, /Glue SUCCEEDED at \d\d:\d\d:\d\d/);
    assert.match(transcript, /PASS fact_rows_match_source \(from the run's manifest\)/, 'the checks come from the S3 manifest');

    await vscode.commands.executeCommand('lifecycleLab.pipeline.refresh');
    const runs = api.pipeline.snapshot().runs;
    assert.deepEqual(runs?.map((r) => [r.id, r.state, r.outcome]), [[snapshot.runId, 'SUCCEEDED', 'ok']]);
    // The group as the view draws it.
    const tree = api.pipelineTree;
    const roots = tree.getChildren();
    const group = roots.find((n) => tree.getTreeItem(n).label === 'Runs');
    assert.ok(group, `a Runs group among ${roots.map((n) => String(tree.getTreeItem(n).label)).join(', ')}`);
    const entries = tree.getChildren(group).map((n) => tree.getTreeItem(n));
    assert.equal(entries.length, 1);
    assert.match(String(entries[0].description), /^SUCCEEDED/);
    assert.equal(entries[0].contextValue, 'pipelineRun.finished');
  });

  test('the Lake view lists the catalog\'s tables with rows, files and S3 sizes; a preview opens through Athena', async () => {
    const lake = api.lakeTree;
    const nodes = await lake.getChildren();
    const items = nodes.map((n) => lake.getTreeItem(n));
    assert.equal(items[0].label, 'Reconciled', 'the manifest\'s run on top');
    const tables = items.filter((i) => i.contextValue === 'lakeTable');
    assert.deepEqual(tables.map((t) => t.label), ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders']);
    for (const t of tables) {
      const stats = published.manifest.tables[String(t.label)];
      assert.equal(t.description, `${stats.rows.toLocaleString('en-US')} rows · 1 file · ${formatBytes(stats.bytes)}`);
      assert.equal(t.tooltip, stats.location);
    }

    const text = (c: typeof CUSTOMERS[number]) => [String(c.customerNumber), c.customerName, c.contactLastName, c.contactFirstName, c.phone, c.addressLine1, c.addressLine2, c.creditLimit.toFixed(2)];
    const names = published.columns.dim_customers.map((c) => c.name);
    await motoApi('/moto-api/static/athena/query-results', { region: 'us-east-1', results: [{
      column_info: names.map((name) => ({ Name: name, Label: name, Type: 'varchar', Nullable: 'UNKNOWN', CaseSensitive: false })),
      rows: [{ Data: names.map((name) => ({ VarCharValue: name })) }, ...CUSTOMERS.map((c) => ({ Data: text(c).map((v) => (v === null ? {} : { VarCharValue: v })) }))],
    }] });
    const grid = await vscode.commands.executeCommand<GridOpened | undefined>('lifecycleLab.lake.previewTable', 'dim_customers');
    assert.deepEqual(errors, []);
    assert.ok(grid, 'the preview opened');
    assert.deepEqual(grid.firstPage.columns.map((c) => c.name), names);
    assert.deepEqual(grid.firstPage.rows, CUSTOMERS.map(text));
    assert.equal(grid.firstPage.hasMore, false, 'the manifest\'s row count: all 5 rows are on the first page');
  });

  test('a job that does not exist: the pipeline terminal says FAILED with the cause, not only a notification', async () => {
    await setSettings({ 'aws.glueJobName': 'no-such-job' });
    await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /no Glue job 'no-such-job'/);
    const transcript = api.pipeline.snapshot().transcript;
    assert.ok(transcript.some((l) => /^FAILED: .*no Glue job 'no-such-job' in us-east-1/.test(l)), transcript.join('\n'));
    assert.ok(transcript.some((l) => l === 'Next step: Open Settings (setting lifecycleLab.aws.glueJobName)'), transcript.join('\n'));
    await setSettings({ 'aws.glueJobName': JOB });
    // The view follows the restored job in the background: its latest run shows again.
    const deadline = Date.now() + 30_000;
    while (!/^jr_/.test(api.pipeline.snapshot().runId ?? '') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  });

  test('back in local mode the Pipeline view shows the local lake\'s runs, not the Glue run', async () => {
    const glueRun = api.pipeline.snapshot().runId;
    assert.match(glueRun ?? '', /^jr_/);
    const emptyLake = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-aws-to-local-'));
    try {
      await setSettings({ mode: 'local', 'local.lakeDir': emptyLake });
      // The view follows the new backend in the background: wait for it (a condition, not a time).
      const deadline = Date.now() + 30_000;
      while (api.pipeline.snapshot().lastRun && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const view = api.pipeline.snapshot();
      assert.equal(view.lastRun, undefined, `a lake with no runs shows none, not the Glue run: ${JSON.stringify(view.lastRun)}`);
      assert.equal(view.runs, undefined, 'no Runs group in local mode');
      assert.equal(api.pipelineTree.getChildren().some((n) => api.pipelineTree.getTreeItem(n).label === 'Runs'), false);
    } finally {
      await fs.rm(emptyLake, { recursive: true, force: true });
    }
  });
});
