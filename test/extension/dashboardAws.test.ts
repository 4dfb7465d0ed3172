/**
 * The dashboard in AWS mode, in the editor, on the emulated AWS: Athena's answers come from Trino reading the fixture
 * lake published to the emulator's S3 and Glue catalog as the Glue job publishes a run. Every card renders as in local
 * mode over the same fixture lake, with the engine time and bytes scanned Trino reports and the cost they imply.
 * A card whose query fails shows the message in its card while the others render: a query over the workgroup's
 * bytes-scanned cutoff (the emulator enforces it through Trino), and a syntax error. Trino never receives a card's SQL
 * with a syntax error on its own, so a small proxy between the extension and the emulator breaks one card's SQL
 * text on its way (the only thing the proxy does; Trino then reports the error as Athena would).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PreflightReport } from '../../src/core/aws/preflight';
import type { LifecycleLabApi } from '../../src/extension';
import { DATASET_IDS, type DatasetId } from '../../src/core/dashboard/model';
import { QUERIES, type QueryId } from '../../src/core/dashboard/queries';
import { EmulatedAws, EMULATOR_CREDENTIALS, findEmulatorRoot, type EmulatorState } from '../../src/core/lab/emulatedAws';
import { scanCostUsd } from '../../src/core/aws/athena';
import { compileParams } from '../../src/core/query/params';
import type { DashboardRenderedState, ReceivedReport } from '../../src/webview/dashboardPanel';
import { freePort } from '../helpers';
import { FIXTURE_TABLES, publishTestLake, type PublishedLake } from '../aws/awsLakeFixture';
import { useAwsEnvironment } from '../aws/motoServer';
import { buildTestLake } from '../unit/dashboardLakeFixture';
import { pythonHas, requireTool } from '../iac/tools';
import { EXTENSION_ID } from './activation';

const WORKGROUP = 'lab-wg';
const CUTOFF_WORKGROUP = 'lab-wg-cutoff';
const DATABASE = 'lab_db';
const LAKE_BUCKET = 'lab-lake';
const RESULTS = 's3://lab-lake/athena-results/';

interface AthenaProxy {
  endpoint: string;
  /** Every StartQueryExecution seen: its SQL, execution parameters and, once it succeeded, the bytes it scanned. */
  executions: { sql: string; parameters: string[]; scanned?: number }[];
  /** Bytes scanned per SQL text, as the emulator's GetQueryExecution reported them. */
  scanned: Map<string, number>;
  /** Executions of this SQL text reach the emulator with a syntax error until cleared. */
  breaking?: string;
  close(): Promise<void>;
}

/** The proxy in front of the emulator (see the file comment). */
async function startAthenaProxy(emulator: string): Promise<AthenaProxy> {
  const sqlOf = new Map<string, string>();
  const executionOf = new Map<string, AthenaProxy['executions'][number]>();
  const proxy: AthenaProxy = { endpoint: '', executions: [], scanned: new Map(), close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const target = req.headers['x-amz-target'];
      let sql: string | undefined;
      let started: AthenaProxy['executions'][number] | undefined;
      if (target === 'AmazonAthena.StartQueryExecution') {
        const input = JSON.parse(body.toString('utf8')) as { QueryString: string; ExecutionParameters?: string[] };
        sql = input.QueryString;
        started = { sql, parameters: input.ExecutionParameters ?? [] };
        proxy.executions.push(started);
        // SQL text is not signed over by the emulator (it checks no signature): a changed body goes through.
        if (proxy.breaking === sql) body = Buffer.from(JSON.stringify({ ...input, QueryString: sql.replace(/\bselect\b/i, 'SELEC') }));
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding', 'expect'].includes(k)) headers[k] = v;
      }
      fetch(`${emulator}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body })
        .then(async (out) => {
          const text = await out.text();
          if (sql && started && out.status === 200) {
            const id = (JSON.parse(text) as { QueryExecutionId: string }).QueryExecutionId;
            sqlOf.set(id, sql);
            executionOf.set(id, started);
          }
          if (target === 'AmazonAthena.GetQueryExecution' && out.status === 200) {
            const execution = (JSON.parse(text) as { QueryExecution: { QueryExecutionId: string; Statistics?: { DataScannedInBytes?: number }; Status?: { State?: string } } }).QueryExecution;
            const scannedSql = sqlOf.get(execution.QueryExecutionId);
            if (scannedSql && execution.Status?.State === 'SUCCEEDED') {
              proxy.scanned.set(scannedSql, execution.Statistics?.DataScannedInBytes ?? 0);
              executionOf.get(execution.QueryExecutionId)!.scanned = execution.Statistics?.DataScannedInBytes ?? 0;
            }
          }
          res.writeHead(out.status, { 'content-type': out.headers.get('content-type') ?? 'application/x-amz-json-1.1' });
          res.end(text);
        }, (err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return proxy;
}

/**
 * What a card rendered, without the report's order number and stats line (compared across modes), its numbers to the
 * cent: Trino keeps a decimal average at the column's scale (4469.61) where DuckDB gives a double (4469.611...).
 */
function shape(report: ReceivedReport) {
  const cents = (v: unknown) => (typeof v === 'number' ? Math.round(v * 100) : v);
  return { state: report.state, rowCount: report.rowCount, labels: report.labels, values: report.values?.map(cents), page: report.page };
}

/** The bytes scanned a card's stats line shows ("1.5 KB scanned"). */
function bytesOf(report: ReceivedReport): number | undefined {
  const shown = /· ([\d.]+) (B|KB|MB) scanned/.exec(report.meta ?? '');
  return shown ? Number(shown[1]) * 1024 ** ['B', 'KB', 'MB'].indexOf(shown[2]) : undefined;
}

/** The cost a card's stats line shows ("~$0.00024"). */
function costOf(report: ReceivedReport): number {
  const cost = /~\$([\d.e-]+)$/.exec(report.meta ?? '');
  assert.ok(cost, `a cost in "${report.meta}"`);
  return Number(cost[1]);
}

/**
 * Cards whose data comes from one query (the stats line then shows that query's engine time, bytes and cost). The
 * detailed sales grid is one of them on a lake without a run manifest (this suite's, but for its own test); with one
 * it is made of several queries, and its line shows them added up.
 */
const QUERY_CARDS: DatasetId[] = ['kpis', 'salesByCountry', 'salesByProductLine', 'monthlySales', 'topProducts', 'products', 'salesDetail'];
/** The cards whose query takes no parameters, with the query that answers each. */
const FIXED_CARDS: Array<[DatasetId, QueryId]> = [['kpis', 'kpis'], ['salesByCountry', 'salesByCountryTop10'], ['salesByProductLine', 'salesByProductLine'], ['monthlySales', 'monthlySales']];
const ATHENA_STATS = /^[\d,]+ rows? · \d+ ms · [\d.]+ (B|KB|MB) scanned · ~\$[\d.e-]+$/;

suite('Dashboard in AWS mode (Athena on Trino, the emulated AWS)', function () {
  this.timeout(600_000);
  let api: LifecycleLabApi;
  let emulator: EmulatorState;
  let published: PublishedLake;
  let proxy: AthenaProxy;
  let lakeDir: string;
  let restoreEnv: (() => void) | undefined;
  const labDir = path.join(os.tmpdir(), `lifecycle-lab-dashboard-aws-${process.pid}`);
  const touched = ['mode', 'local.labDir', 'local.lakeDir', 'aws.endpoint', 'aws.region', 'aws.profile', 'aws.athenaWorkgroup', 'aws.catalogDatabase',
    'aws.athenaOutputLocation', 'aws.athenaCostPerTbUsd', 'aws.lakePath'];
  const saved = new Map<string, unknown>();
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');
  const awsSettings = () => ({ region: 'us-east-1', profile: '', endpoint: emulator.endpoint, rdsInstanceId: 'de-c1w2-rds', credentials: { ...EMULATOR_CREDENTIALS } });
  // (a copy: the SDK marks the credentials object it is given, and the constant is frozen)

  async function setSettings(values: Record<string, unknown>): Promise<void> {
    for (const [key, value] of Object.entries(values)) await config().update(key, value, vscode.ConfigurationTarget.Global);
  }

  /** Waits until every card has reported after `afterSeq` (and `accept` holds for each); returns those reports. */
  async function allCards(afterSeq: number, accept: (id: DatasetId, r: ReceivedReport) => boolean = () => true): Promise<Record<DatasetId, ReceivedReport>> {
    const deadline = Date.now() + 180_000;
    let state: DashboardRenderedState | undefined;
    while (Date.now() < deadline) {
      state = await api.dashboard.renderedState();
      if (DATASET_IDS.every((id) => { const r = state!.reports[id]; return r && r.seq > afterSeq && accept(id, r); })) return state.reports as Record<DatasetId, ReceivedReport>;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`not every card reported after seq ${afterSeq}: ${JSON.stringify(state?.reports)}`);
  }

  /** A workgroup like the suite's with a per-query cutoff (moto has no UpdateWorkGroup: a new one, then the setting). */
  async function workgroupWithCutoff(name: string, bytes: number): Promise<void> {
    const athena = await import('@aws-sdk/client-athena');
    const client = new athena.AthenaClient(awsSettings());
    try {
      await client.send(new athena.CreateWorkGroupCommand({ Name: name, Configuration: { ResultConfiguration: { OutputLocation: RESULTS }, BytesScannedCutoffPerQuery: bytes } }));
    } finally {
      client.destroy();
    }
  }

  suiteSetup(async function () {
    requireTool(this, pythonHas('moto.server'), 'moto', 'bash scripts/setup.sh --test');
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    requireTool(this, (await fs.stat(path.join(api.services.root, 'vendor', 'trino')).catch(() => undefined)) !== undefined, 'Trino for the emulated Athena', 'bash scripts/setup-emulator.sh');
    for (const key of touched) {
      const inspected = config().inspect(key);
      assert.equal(inspected?.workspaceValue, undefined, `a workspace value for ${key} would override the test's Global setting`);
      saved.set(key, inspected?.globalValue);
    }
    // The emulator with its own Trino, in this suite's lab folder: the extension signs with its placeholder keys while
    // local.labDir names that folder. Its RDS instance points at a closed port: no card reads the source.
    lakeDir = await buildTestLake();
    emulator = await new EmulatedAws(labDir).up({ labPort: await freePort(), codeRoot: findEmulatorRoot(api.services.root) });
    await setSettings({ 'local.labDir': labDir });
    published = await publishTestLake(awsSettings(), lakeDir, { bucket: LAKE_BUCKET, prefix: 'lake', database: DATABASE, runId: '20260101T000000Z-fixture' });
    const [athena, glue] = await Promise.all([import('@aws-sdk/client-athena'), import('@aws-sdk/client-glue')]);
    const glueClient = new glue.GlueClient(awsSettings());
    const athenaClient = new athena.AthenaClient(awsSettings());
    try {
      // Parquet as the Glue job declares it (catalog_table_input in glue/glue_job.py): Trino reads a table by its SerDe.
      for (const name of FIXTURE_TABLES) {
        const { Table } = await glueClient.send(new glue.GetTableCommand({ DatabaseName: DATABASE, Name: name }));
        await glueClient.send(new glue.UpdateTableCommand({ DatabaseName: DATABASE, TableInput: {
          Name: name, TableType: 'EXTERNAL_TABLE', Parameters: Table!.Parameters,
          StorageDescriptor: {
            ...Table!.StorageDescriptor,
            InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          },
        } }));
      }
      // The local fixture lake has no run manifest: neither has this one, so the lake status cards match.
      const s3 = await import('@aws-sdk/client-s3');
      const s3Client = new s3.S3Client({ ...awsSettings(), forcePathStyle: true });
      try {
        await s3Client.send(new s3.DeleteObjectCommand({ Bucket: LAKE_BUCKET, Key: 'lake/gold/_manifest.json' }));
      } finally {
        s3Client.destroy();
      }
      await athenaClient.send(new athena.CreateWorkGroupCommand({ Name: WORKGROUP, Configuration: { ResultConfiguration: { OutputLocation: RESULTS } } }));
    } finally {
      glueClient.destroy();
      athenaClient.destroy();
    }
    proxy = await startAthenaProxy(emulator.endpoint);
    // Through the proxy the endpoint is not the emulator's, so the extension gives no placeholder keys: the SDK's
    // default chain finds moto's test keys in this host's environment instead.
    restoreEnv = useAwsEnvironment('fake');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const key of touched) await config().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
    restoreEnv?.();
    await proxy?.close();
    await new EmulatedAws(labDir).down();
    await fs.rm(labDir, { recursive: true, force: true });
    if (lakeDir) await fs.rm(lakeDir, { recursive: true, force: true });
  });

  const awsMode = (endpoint: string) => ({
    mode: 'aws', 'aws.region': 'us-east-1', 'aws.endpoint': endpoint, 'aws.profile': '', 'aws.athenaWorkgroup': WORKGROUP, 'aws.catalogDatabase': DATABASE,
    'aws.athenaOutputLocation': RESULTS, 'aws.lakePath': '', 'aws.athenaCostPerTbUsd': 5,
  });

  let local: Record<DatasetId, ReceivedReport>;

  test('every card renders from Athena on Trino as in local mode, with Trino\'s engine time and bytes scanned and their cost; a syntax error stays in its card', async () => {
    // Local mode over the fixture lake: what each card shows.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setSettings({ mode: 'local', 'local.lakeDir': lakeDir });
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
    local = await allCards(0);
    for (const id of DATASET_IDS) assert.notEqual(local[id].state, 'error', `${id} in local mode: ${local[id].message}`);
    for (const id of [...QUERY_CARDS, 'lakeStatus', 'filterOptions'] as DatasetId[]) {
      assert.ok(local[id].state === 'data' && local[id].rowCount > 0, `${id} shows data in local mode: ${JSON.stringify(local[id])}`);
    }
    assert.doesNotMatch(local.kpis.meta ?? '', /scanned/, 'local mode scans nothing');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // AWS mode through the proxy, the product-line query's SQL broken on its way to Trino.
    const byProductLine = compileParams(QUERIES.salesByProductLine.sql('star-v1'), {}, 'positional').sql;
    proxy.breaking = byProductLine;
    await setSettings(awsMode(proxy.endpoint));
    assert.equal((await api.services.backend()).query.kind, 'athena');
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
    const aws = await allCards(0);
    assert.ok(proxy.executions.some((e) => e.sql === byProductLine), `the product-line query ran on Athena: ${proxy.executions.map((e) => JSON.stringify(e.sql.slice(0, 120))).join('\n')}\n--- expected ${JSON.stringify(byProductLine.slice(0, 120))}`);
    assert.ok(proxy.executions.some((e) => e.parameters.length > 0), 'filters went as execution parameters');
    assert.equal(aws.salesByProductLine.state, 'error');
    assert.match(aws.salesByProductLine.message ?? '', /The Athena query failed: SYNTAX_ERROR.*SELEC/);
    for (const id of DATASET_IDS.filter((d) => d !== 'salesByProductLine')) {
      assert.deepEqual(shape(aws[id]), shape(local[id]), `${id} on Athena as in local mode`);
    }
    for (const id of QUERY_CARDS.filter((d) => d !== 'salesByProductLine')) assert.match(aws[id].meta ?? '', ATHENA_STATS, `${id}: engine time, bytes scanned and cost shown`);
    for (const e of proxy.executions.filter((x) => x.sql !== byProductLine)) {
      assert.ok((proxy.scanned.get(e.sql) ?? 0) > 0, `Trino reported the bytes it read for ${e.sql.slice(0, 80)}`);
    }

    // The query no longer fails; a cost setting change rebuilds the backend and reruns every card at twice the cost.
    proxy.breaking = undefined;
    const seq = (await api.dashboard.renderedState()).lastSeq;
    await setSettings({ 'aws.athenaCostPerTbUsd': 10 });
    const again = await allCards(seq, (id, r) => id !== 'salesByProductLine' || r.state !== 'error');
    assert.deepEqual(shape(again.salesByProductLine), shape(local.salesByProductLine), 'the product-line card renders once its query succeeds');
    for (const id of QUERY_CARDS) assert.match(again[id].meta ?? '', ATHENA_STATS, `${id}: stats`);
    for (const id of QUERY_CARDS.filter((d) => d !== 'salesByProductLine')) {
      assert.ok(Math.abs(costOf(again[id]) - 2 * costOf(aws[id])) <= 0.05 * costOf(again[id]) /* the line shows 2 significant digits */, `${id}: the cost follows the setting (${aws[id].meta} → ${again[id].meta})`);
    }
  });

  test('a query over the workgroup\'s bytes-scanned cutoff fails in its card with Athena\'s message; the cards under it render', async () => {
    // The cutoff just under the largest scan of the fixed cards' queries in this run: that card goes over, the smaller
    // ones stay under. (The filtered cards' SQL varies with their filters; each must show its data or the cutoff's message.)
    const scans = FIXED_CARDS.map(([id, query]) => ({ id, bytes: proxy.scanned.get(compileParams(QUERIES[query].sql('star-v1'), {}, 'positional').sql) }))
      .filter((s): s is { id: DatasetId; bytes: number } => s.bytes !== undefined);
    assert.equal(scans.length, FIXED_CARDS.length, `scans known for ${JSON.stringify(scans)}`);
    const largest = Math.max(...scans.map((s) => s.bytes));
    const over = scans.filter((s) => s.bytes === largest).map((s) => s.id);
    const under = scans.filter((s) => s.bytes < largest).map((s) => s.id);
    assert.ok(under.length > 0, `some card scans less than the largest: ${JSON.stringify(scans)}`);
    await workgroupWithCutoff(CUTOFF_WORKGROUP, largest - 1);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setSettings({ 'aws.athenaWorkgroup': CUTOFF_WORKGROUP });
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
    const reports = await allCards(0);
    for (const id of over) {
      assert.equal(reports[id].state, 'error', `${id} (${largest} bytes) is over the cutoff`);
      assert.match(reports[id].message ?? '', /per-query limit on bytes scanned: .*Bytes scanned limit was exceeded/);
    }
    for (const id of under) assert.deepEqual(shape(reports[id]), shape(local[id]), `${id} under the cutoff renders`);
    for (const id of DATASET_IDS.filter((d) => !over.includes(d) && !under.includes(d))) {
      if (reports[id].state === 'error') assert.match(reports[id].message ?? '', /Bytes scanned limit was exceeded/, id);
      else assert.deepEqual(shape(reports[id]), shape(local[id]), id);
    }
  });

  test('the detailed sales grid on a lake with a run manifest shows the bytes scanned and cost of all its queries, added up', async () => {
    // With the run's manifest the grid asks for the order dates' range and a first page, then counts the groups per
    // date and asks for the page (service.ts); the filter options ask for the same date range on their own.
    const positional = (id: QueryId, params: Record<string, string | number> = {}) => compileParams(QUERIES[id].sql('star-v1'), params, 'positional').sql;
    const pageSql = positional('salesDetailPage', { firstDate: '2003-01-01', lastDate: '2003-01-01', groupsBefore: 0, offset: 0, limit: 1 });
    const datesSql = positional('salesDetailDates');
    const rangeSql = positional('orderDateRange');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setSettings(awsMode(proxy.endpoint));
    const s3 = await import('@aws-sdk/client-s3');
    const s3Client = new s3.S3Client({ ...awsSettings(), forcePathStyle: true });
    const manifestKey = 'lake/gold/_manifest.json';
    try {
      await s3Client.send(new s3.PutObjectCommand({ Bucket: LAKE_BUCKET, Key: manifestKey, Body: JSON.stringify(published.manifest), ContentType: 'application/json' }));
      const from = proxy.executions.length;
      await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
      let expected = { bytes: 0, cost: 0, queries: 0, largest: 0 };
      let report: ReceivedReport | undefined;
      const deadline = Date.now() + 180_000;
      for (;;) {
        report = (await api.dashboard.renderedState()).reports.salesDetail;
        const ran = proxy.executions.slice(from).filter((e) => e.scanned !== undefined);
        // Which runs were the grid's is not told by the SQL alone: the filter options ask the same date range, a page
        // asked ahead of the webview may be answered or superseded, and the first page may take two tries (service.ts).
        // So the card's figure must be the sum of some of these runs: at least one count of the groups per date and
        // one page among them. Each run's bytes are its own (a page's date window decides what it reads).
        const grid = ran.filter((e) => e.sql === pageSql || e.sql === datesSql || e.sql === rangeSql).slice(0, 12);
        const shown = report ? bytesOf(report) : undefined;
        const sums: Array<typeof expected> = [];
        for (let mask = 1; mask < 1 << grid.length; mask++) {
          const picked = grid.filter((_, i) => mask & (1 << i));
          if (!picked.some((e) => e.sql === datesSql) || !picked.some((e) => e.sql === pageSql)) continue;
          const own = picked.map((e) => e.scanned!);
          sums.push({ bytes: own.reduce((x, y) => x + y, 0), cost: own.reduce((x, y) => x + scanCostUsd(y, 5), 0), queries: own.length, largest: Math.max(...own) });
        }
        const match = shown === undefined ? undefined : sums.find((sum) => Math.abs(shown - sum.bytes) <= 0.01 * sum.bytes);
        if (match) {
          expected = match;
          break;
        }
        if (Date.now() > deadline) assert.fail(`the detailed sales card shows "${report?.meta}"; its queries (${grid.map((e) => e.scanned).join(', ')} bytes) add up to none of it`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(report);
      assert.equal(report.state, 'data');
      assert.match(report.meta ?? '', ATHENA_STATS);
      assert.ok(expected.queries >= 2 && expected.bytes > 1.05 * expected.largest, `several queries, more than the largest of them: ${JSON.stringify(expected)}`);
      assert.ok(Math.abs(costOf(report) - expected.cost) <= 0.05 * expected.cost /* 2 significant digits */, `cost ${report.meta} of ${JSON.stringify(expected)}`);
    } finally {
      await s3Client.send(new s3.DeleteObjectCommand({ Bucket: LAKE_BUCKET, Key: manifestKey })).finally(() => s3Client.destroy());
    }
  });

  test('Check AWS Network (Preflight) names the failing check with its fix and skips what needs it', async () => {
    await setSettings({ mode: 'aws', 'aws.region': 'us-east-1', 'aws.endpoint': emulator.endpoint });
    // The emulated RDS instance exists (at a closed port) and no Terraform ran: there is no Glue connection.
    const report = await vscode.commands.executeCommand<PreflightReport | undefined>('lifecycleLab.aws.preflight');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(report, 'the command returned its report (no error)');
    assert.deepEqual(report.failed.map((c) => c.id), ['connection']);
    assert.match(report.failed[0].fix ?? '', /terraform apply.*lifecycleLab\.aws\.glueConnectionName/);
    assert.deepEqual(report.checks.map((c) => [c.id, c.status]), [['rdsInstance', 'pass'], ['connection', 'fail'], ...report.checks.slice(2).map((c) => [c.id, 'skipped'])],
      `the checks that need the connection are skipped: ${JSON.stringify(report.checks)}`);
  });
});
