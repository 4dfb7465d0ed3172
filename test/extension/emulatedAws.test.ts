/**
 * The lab's AWS steps in the editor on the emulated AWS, as a user does them, each through its command: Start Emulated
 * AWS (its own lab folder under the temp dir, never the workspace's .lab; local Trino for Athena, local Spark for Glue)
 * → Discover RDS Instance → the Source view lists classicmodels → Terraform Init, Plan, Apply of the real terraform/
 * module → Run Pipeline, a real Glue run of glue/glue_job.py on Spark, followed live in the run terminal and the Runs
 * group, its logs in CloudWatch streams named by the run id → the Lake view lists the catalog's four tables with their
 * rows → the dashboard, every card answered by Athena on Trino with engine time, bytes scanned and cost → the lab
 * notebook's cells on Athena → Terraform Destroy → Stop Emulated AWS leaves none of its processes behind.
 * No AWS credentials are in this host's environment or files: the SDK's keys are the placeholders LabServices gives
 * only while the endpoint is the running emulator's.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TerraformRunResult } from '../../src/commands/terraform';
import type { LifecycleLabApi } from '../../src/extension';
import { DATASET_IDS, type DatasetId } from '../../src/core/dashboard/model';
import { EmulatedAws, emulatorCredentialsFor, EMULATOR_CREDENTIALS, type EmulatorState } from '../../src/core/lab/emulatedAws';
import { processAlive, readLabTarget } from '../../src/core/lab/state';
import { TABLE_MIME, type TableOutput } from '../../src/core/notebook/execute';
import { LAB_NOTEBOOK_FILE } from '../../src/core/notebook/labNotebook';
import type { MysqlTarget } from '../../src/core/config';
import type { SourceNode } from '../../src/views/sourceTree';
import type { DashboardRenderedState, ReceivedReport } from '../../src/webview/dashboardPanel';
import { copyModule, GLUE_DIR, pythonHas, requireTool, terraformAvailable, terraformEnv, TERRAFORM_ENABLE } from '../iac/tools';
import { EXTENSION_ID } from './activation';
import { useTerraformSettings, type Question } from './terraformHarness';

const TABLES = ['customers', 'employees', 'offices', 'orderdetails', 'orders', 'payments', 'productlines', 'products'];
const LAKE_TABLES = ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders'];
const SWITCH = 'Switch to Local Mode';
/**
 * Cards answered by Athena: their stats line shows the engine time, bytes scanned and cost of their queries (the
 * detailed sales grid asks for its dates, then a page: both added up).
 */
const QUERY_CARDS: DatasetId[] = ['kpis', 'salesByCountry', 'salesByProductLine', 'monthlySales', 'topProducts', 'products', 'salesDetail'];
const ATHENA_STATS = /^[\d,]+ rows? · \d+ ms · [\d.]+ (B|KB|MB) scanned · ~\$\d/;

const config = () => vscode.workspace.getConfiguration('lifecycleLab');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, get: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** The pids under `root` (its children, theirs, ...), read from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      // pid (comm) state ppid ...: the command may hold spaces and parentheses, so read after the last ')'.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...children.get(ppid) ?? [], Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => { for (const child of children.get(pid) ?? []) { found.push(child); walk(child); } };
  walk(root);
  return found;
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 100);
  } catch {
    return '(gone)';
  }
}

suite('Emulated AWS in the editor: the lab\'s AWS steps end to end on Spark and Trino', function () {
  this.timeout(900_000);
  let api: LifecycleLabApi;
  let lab: MysqlTarget;
  let state: EmulatorState | undefined;
  let emulatorProcesses: number[] = [];
  let restoreTerraform: (() => Promise<void>) | undefined;
  let savedTerminalEnv: unknown;
  let savedNotebook: string | undefined;
  let errors: string[] = [];
  let infos: string[] = [];
  const asked: Question[] = [];
  const opened: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-emulated-'));
  const labDir = path.join(tmp, 'lab');
  const moduleDir = path.join(tmp, 'terraform');
  const originalError = vscode.window.showErrorMessage;
  const originalInfo = vscode.window.showInformationMessage;
  const originalPick = vscode.window.showQuickPick;
  const originalOpenExternal = vscode.env.openExternal;
  const touched = ['mode', 'local.labDir', 'local.lakeDir', 'aws.endpoint', 'aws.region', 'aws.profile', 'aws.rdsInstanceId', 'aws.emulatorTrinoUrl',
    'mysql.host', 'mysql.port', 'mysql.user', 'mysql.database'];
  const saved = new Map<string, unknown>();
  const envKeys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];
  const savedEnv = new Map<string, string | undefined>();
  const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const notebookFile = () => path.join(workspaceRoot(), LAB_NOTEBOOK_FILE);
  const terraform = (verb: string) => vscode.commands.executeCommand<TerraformRunResult | undefined>(`lifecycleLab.terraform.${verb}`);
  let started = Date.now();
  /** The steps done so far: a step whose predecessor failed fails at once instead of waiting for what cannot come. */
  const done = new Set<string>();
  const after = (previous: string) => assert.ok(done.has(previous), `${previous} did not succeed`);
  const stepTimes: string[] = [];
  let stepStarted = Date.now();
  const step = (name: string) => { stepTimes.push(`${name} ${((Date.now() - stepStarted) / 1000).toFixed(0)} s`); stepStarted = Date.now(); };

  suiteSetup(async function () {
    started = stepStarted = Date.now();
    requireTool(this, terraformAvailable(), 'terraform with the AWS provider mirror', TERRAFORM_ENABLE);
    requireTool(this, pythonHas('moto.server') && pythonHas('pyspark'), 'moto and pyspark', 'bash scripts/setup.sh --test');
    requireTool(this, fs.existsSync(path.join(workspaceRoot(), 'vendor', 'trino')), 'Trino for the emulated Athena', 'bash scripts/setup-emulator.sh');
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    for (const key of touched) {
      const inspected = config().inspect(key);
      assert.equal(inspected?.workspaceValue, undefined, `a workspace value for ${key} would override the test's Global setting`);
      saved.set(key, inspected?.globalValue);
    }
    for (const key of envKeys) savedEnv.set(key, process.env[key]);
    for (const key of envKeys) delete process.env[key];
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(tmp, 'no-such-aws-credentials');
    process.env.AWS_CONFIG_FILE = path.join(tmp, 'no-such-aws-config');
    // Global values for every setting Start writes, so it writes them there (never the shared workspace's settings);
    // the lab folder is this suite's own.
    const values: Record<string, unknown> = {
      mode: 'local', 'local.labDir': labDir, 'local.lakeDir': '', 'aws.endpoint': '', 'aws.region': 'us-east-1', 'aws.profile': '',
      'aws.rdsInstanceId': 'de-c1w2-rds', 'aws.emulatorTrinoUrl': '', 'mysql.host': '', 'mysql.port': 3306, 'mysql.user': 'admin', 'mysql.database': 'classicmodels',
    };
    for (const [key, value] of Object.entries(values)) await config().update(key, value, vscode.ConfigurationTarget.Global);
    fs.mkdirSync(moduleDir);
    copyModule(moduleDir, { moto: false, lifecycleRules: false });
    const tfEnv = terraformEnv();
    const terminalEnv = vscode.workspace.getConfiguration('terminal.integrated.env');
    savedTerminalEnv = terminalEnv.inspect('linux')?.globalValue;
    await terminalEnv.update('linux', { TF_CLI_CONFIG_FILE: tfEnv.TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE: '1', AWS_EC2_METADATA_DISABLED: 'true' }, vscode.ConfigurationTarget.Global);
    savedNotebook = fs.existsSync(notebookFile()) ? fs.readFileSync(notebookFile(), 'utf8') : undefined;
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string) => {
      errors.push(message);
      return Promise.resolve(undefined);
    };
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = (message: string, ...items: unknown[]) => {
      infos.push(message);
      return Promise.resolve(items.includes(SWITCH) ? SWITCH : undefined);
    };
  });

  suiteTeardown(async () => {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = originalError;
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = originalInfo;
    (vscode.window as { showQuickPick: unknown }).showQuickPick = originalPick;
    (vscode.env as { openExternal: unknown }).openExternal = originalOpenExternal;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await restoreTerraform?.();
    await new EmulatedAws(labDir).down();
    // This suite's own MariaDB, while local.labDir still names its folder.
    if (config().get('local.labDir') === labDir) await vscode.commands.executeCommand('lifecycleLab.stopLocalLab');
    if (lab) await api.services.context.secrets.delete(`lifecycleLab.mysql.password:${lab.user}@127.0.0.1:${lab.port}`);
    if (api) await vscode.workspace.getConfiguration('terminal.integrated.env').update('linux', savedTerminalEnv, vscode.ConfigurationTarget.Global);
    for (const key of touched) {
      await config().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
      if (config().inspect(key)?.workspaceValue !== undefined) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
    for (const [key, value] of savedEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    fs.rmSync(notebookFile(), { force: true });
    if (savedNotebook !== undefined) fs.writeFileSync(notebookFile(), savedNotebook);
    api?.sourceTree.refresh();
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`[ext-test] emulated AWS chain: ${((Date.now() - started) / 1000).toFixed(0)} s (${stepTimes.join(', ')})`);
  });

  setup(() => {
    errors = [];
    infos = [];
  });

  test('Start Emulated AWS in its own lab folder: AWS mode on its endpoint with Trino up; Discover RDS finds de-c1w2-rds; the Source view lists classicmodels', async () => {
    state = await vscode.commands.executeCommand<EmulatorState | undefined>('lifecycleLab.startEmulatedAws');
    assert.deepEqual(errors, []);
    assert.ok(state, 'Start returned the emulator\'s state');
    assert.ok(processAlive(state.pid), 'the emulator runs');
    assert.match(state.trino ?? '', /^http:\/\/127\.0\.0\.1:\d+$/, 'Athena\'s Trino answers');
    assert.equal(api.services.config().local.labDir, labDir);
    assert.ok(fs.existsSync(path.join(labDir, 'aws', 'emulator.json')), 'the emulator is this suite\'s lab\'s');
    lab = (await readLabTarget(labDir))!;
    assert.ok(lab, 'the suite\'s own MariaDB runs');
    assert.equal(config().get('mode'), 'aws');
    assert.equal(config().get('aws.endpoint'), state.endpoint);
    assert.ok(infos.some((m) => m.includes(state!.endpoint)), infos.join(' | '));

    const found = await vscode.commands.executeCommand<{ id: string; host: string; port: number; user?: string }>('lifecycleLab.source.discoverRds');
    assert.deepEqual(errors, []);
    assert.deepEqual(found && { id: found.id, host: found.host, port: found.port, user: found.user }, { id: 'de-c1w2-rds', host: '127.0.0.1', port: lab.port, user: lab.user });
    assert.ok(api.services.config().aws.credentials, 'keys while the endpoint is the emulator\'s');
    assert.equal(emulatorCredentialsFor(labDir, 'http://127.0.0.1:1'), undefined, 'another loopback endpoint keeps the default chain');
    for (const key of touched) assert.doesNotMatch(JSON.stringify(config().inspect(key) ?? {}), /testing/, `${key} holds no keys`);

    const tree = api.sourceTree;
    tree.refresh();
    const label = (n: SourceNode) => { const l = tree.getTreeItem(n).label; return typeof l === 'string' ? l : l?.label ?? ''; };
    const roots = await tree.getChildren();
    assert.deepEqual(roots.map(label), [`127.0.0.1:${lab.port}`]);
    const classicmodels = (await tree.getChildren(roots[0])).find((n) => label(n) === 'classicmodels');
    assert.ok(classicmodels, 'classicmodels among the databases');
    assert.deepEqual((await tree.getChildren(classicmodels)).map(label), TABLES);
    step('start + discover');
    done.add('start');
  });

  test('Terraform Init, Plan and Apply of terraform/ against the emulator; Apply points the editor at the job, catalog and workgroup it made', async () => {
    after('start');
    restoreTerraform = await useTerraformSettings(api, {
      'terraform.moduleDir': moduleDir,
      // The network variables (vpc_id, subnet_id, db_sg_id) come from Discover RDS Instance, as on AWS.
      'terraform.variables': { data_lake_bucket: 'lab-emulated-lake', scripts_bucket: 'lab-emulated-scripts', force_destroy_buckets: true, glue_dir: GLUE_DIR },
    }, lab.password, asked);
    const init = await terraform('init');
    assert.ok(init?.ok, JSON.stringify(init));
    const plan = await terraform('plan');
    assert.ok(plan?.ok, JSON.stringify(plan));
    assert.ok((plan.summary?.add ?? 0) >= 20, `planned ${plan.summary?.add} to add`);
    const apply = await terraform('apply');
    assert.ok(apply?.ok, JSON.stringify(apply));
    assert.deepEqual(errors, []);
    assert.equal(config().get('aws.glueJobName'), 'de-c1w2-etl-job');
    assert.equal(config().get('aws.catalogDatabase'), 'de_c1w2_lake');
    step('terraform init + plan + apply');
    done.add('apply');
  });

  test('Run Pipeline: a real Glue run on Spark, live in the run terminal and the Runs group; Open Run Logs offers its CloudWatch streams', async () => {
    after('apply');
    const running = vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    const live = await until('the run going in the view and its terminal', () => {
      const s = api.pipeline.snapshot();
      return s.running && /^jr_/.test(s.runId ?? '') && s.transcript.some((l) => /RUNNING/.test(l)) ? s : undefined;
    }, 180_000);
    assert.match(live.terminalName ?? '', /Glue job de-c1w2-etl-job/);
    await vscode.commands.executeCommand('lifecycleLab.pipeline.refresh');
    const runsDuring = api.pipeline.snapshot().runs ?? [];
    assert.deepEqual(runsDuring.map((r) => [r.id, r.outcome]), [[live.runId, undefined]], 'the Runs group lists the run while it goes');
    await running;
    assert.deepEqual(errors, []);
    const ended = api.pipeline.snapshot();
    assert.equal(ended.running, false);
    assert.equal(ended.lastRun?.ok, true, `${ended.lastRun?.message}\n${ended.transcript.join('\n')}`);
    assert.equal(ended.runId, live.runId);
    const transcript = ended.transcript.join('\n');
    assert.match(transcript, /Glue STARTING at \d\d:\d\d:\d\d .*\nGlue RUNNING at \d\d:\d\d:\d\d/, transcript);
    assert.match(transcript, /Glue SUCCEEDED at \d\d:\d\d:\d\d/, transcript);
    assert.match(transcript, /PASS fact_rows_match_source \(from the run's manifest\)/, 'the job\'s own reconciliation, from its S3 manifest');
    await vscode.commands.executeCommand('lifecycleLab.pipeline.refresh');
    assert.deepEqual(api.pipeline.snapshot().runs?.map((r) => [r.id, r.state, r.outcome]), [[ended.runId, 'SUCCEEDED', 'ok']]);
    step('glue run');
    done.add('run');

    const offered: string[] = [];
    (vscode.window as { showQuickPick: unknown }).showQuickPick = (items: Array<{ label: string; detail: string }>) => {
      offered.push(...items.map((i) => `${i.label} ${i.detail}`));
      return Promise.resolve(items[0]);
    };
    (vscode.env as { openExternal: unknown }).openExternal = (url: unknown) => { opened.push(String(url)); return Promise.resolve(true); };
    const url = await vscode.commands.executeCommand<string | undefined>('lifecycleLab.pipeline.openLogs');
    assert.deepEqual(errors, []);
    for (const group of ['/aws-glue/jobs/output', '/aws-glue/jobs/error']) assert.ok(offered.some((o) => o.includes(`(${group})`)), `${group} offered: ${offered.join('\n')}`);
    assert.ok(offered.every((o) => o.endsWith(`/log-events/${ended.runId!}`)), `each log stream is named by the run id: ${offered.join('\n')}`);
    assert.deepEqual(opened, [url]);
    // The streams hold the run's output in the emulator's CloudWatch Logs (read as the console would, by run id).
    const res = await fetch(state!.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.GetLogEvents',
        // moto reads the region from the credential scope and checks no signature.
        authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/20260101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ logGroupName: '/aws-glue/jobs/output', logStreamName: ended.runId }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const events = ((await res.json()) as { events?: { message: string }[] }).events ?? [];
    assert.ok(events.length > 0, 'the run\'s output is in /aws-glue/jobs/output');
  });

  test('the Lake view lists the Glue catalog\'s four tables with their rows', async () => {
    after('run');
    const lake = api.lakeTree;
    const items = await until('the Lake view showing the catalog\'s tables', async () => {
      const got = (await lake.getChildren()).map((n) => lake.getTreeItem(n));
      return got.filter((i) => i.contextValue === 'lakeTable').length === 4 ? got : undefined;
    });
    const tables = items.filter((i) => i.contextValue === 'lakeTable');
    assert.deepEqual(tables.map((t) => t.label), LAKE_TABLES);
    const rows = Object.fromEntries(tables.map((t) => [String(t.label), Number(/^([\d,]+) rows/.exec(String(t.description))?.[1].replace(/,/g, ''))]));
    assert.equal(rows.fact_orders, 2996, 'one fact row per order line of the lab dump');
    for (const t of LAKE_TABLES) assert.ok(rows[t] > 0, `${t}: ${JSON.stringify(rows)}`);
  });

  test('the dashboard: every card answered by Athena on Trino, with engine time, bytes scanned and cost', async () => {
    after('run');
    assert.equal((await api.services.backend()).query.kind, 'athena');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
    const reports = await until('every card reporting', async () => {
      const rendered: DashboardRenderedState = await api.dashboard.renderedState();
      return DATASET_IDS.every((id) => rendered.reports[id]) ? rendered.reports as Record<DatasetId, ReceivedReport> : undefined;
    }, 300_000);
    assert.deepEqual(errors, []);
    for (const id of DATASET_IDS) assert.equal(reports[id].state, 'data', `${id}: ${reports[id].message ?? ''}`);
    for (const id of QUERY_CARDS) {
      assert.ok(reports[id].rowCount > 0, `${id} has rows`);
      assert.match(reports[id].meta ?? '', ATHENA_STATS, `${id}: engine time, bytes scanned and cost: "${reports[id].meta}"`);
    }
    step('dashboard');
  });

  test('the lab notebook: every cell runs on Athena, with bytes scanned', async () => {
    after('run');
    fs.rmSync(notebookFile(), { force: true });
    const notebook = await vscode.commands.executeCommand<vscode.NotebookDocument>('lifecycleLab.notebook.openLab');
    assert.ok(notebook);
    try {
      await vscode.window.showNotebookDocument(notebook);
      await vscode.commands.executeCommand('notebook.execute');
      const code = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
      // The parameters cell (JSON) sets values and runs no query.
      const queries = code.filter((c) => c.document.languageId === 'sql');
      assert.ok(queries.length >= 5, `SQL cells: ${code.map((c) => c.document.languageId).join(', ')}`);
      await until('every cell run', () => code.every((c) => c.executionSummary?.success !== undefined), 300_000);
      const describe = (c: vscode.NotebookCell) => `${c.index + 1}: ${c.executionSummary?.success} ${JSON.stringify(c.outputs.map((o) => o.items.map((i) => Buffer.from(i.data).toString().slice(0, 300))))}`;
      assert.ok(code.every((c) => c.executionSummary?.success === true), code.map(describe).join('\n'));
      for (const cell of queries) {
        const found = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === TABLE_MIME);
        assert.ok(found, describe(cell));
        const table = JSON.parse(Buffer.from(found.data).toString('utf8')) as TableOutput;
        assert.equal(table.engine, 'athena', describe(cell));
        assert.ok(table.rows.length > 0, describe(cell));
        assert.ok((table.stats.bytesScanned ?? -1) >= 0, `cell ${cell.index + 1} says what it scanned`);
      }
    } finally {
      await vscode.window.showNotebookDocument(notebook);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    step('notebook');
  });

  test('Terraform Destroy, then Stop Emulated AWS: no process of the emulator is left, and the editor is back in local mode', async () => {
    after('start');
    if (done.has('apply')) {
      const destroy = await terraform('destroy');
      assert.ok(destroy?.ok, JSON.stringify(destroy));
      step('terraform destroy');
    }
    assert.ok(state);
    emulatorProcesses = [state.pid, ...descendants(state.pid)];
    assert.ok(emulatorProcesses.some((pid) => /trino/i.test(commandOf(pid))), `Trino among the emulator's processes: ${emulatorProcesses.map(commandOf).join(' | ')}`);
    const stopped = await vscode.commands.executeCommand<boolean>('lifecycleLab.stopEmulatedAws');
    assert.deepEqual(errors, []);
    assert.equal(stopped, true);
    // Stop returns once the emulator itself has gone; its children (Trino's JVM) may take a moment longer.
    const left = () => emulatorProcesses.filter(processAlive).map((pid) => `${pid} ${commandOf(pid)}`);
    await until('the emulator\'s processes ending', () => left().length === 0).catch(() => assert.deepEqual(left(), [], 'the emulator\'s processes left'));
    assert.equal((await new EmulatedAws(labDir).status()).running, false);
    await until('the switch to local mode', () => config().get('mode') === 'local');
    await until('the endpoint cleared', () => !config().get('aws.endpoint'));
    assert.equal(api.services.config().aws.credentials, undefined, 'no keys without the emulator');
    step('stop');
  });
});
