/**
 * The dashboard in AWS mode, in the editor, on moto. moto never runs SQL: each Athena execution gets the preset its
 * StartQueryExecution takes from moto's queue. The dashboard's cards query concurrently, so a small proxy between the
 * extension and moto answers each StartQueryExecution by running that same SQL text, with its execution parameters
 * bound, on DuckDB over the fixture lake, and queues the answer (as Athena shapes it) just before the call reaches
 * moto. The proxy also gives every execution fixed statistics (engine time, bytes scanned) and can make one query's
 * execution FAILED the way Athena reports it. The cards are first rendered in local mode over the same fixture lake.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { PreflightReport } from '../../src/core/aws/preflight';
import type { LifecycleLabApi } from '../../src/extension';
import { DATASET_IDS, type DatasetId } from '../../src/core/dashboard/model';
import { QUERIES } from '../../src/core/dashboard/queries';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { compileParams } from '../../src/core/query/params';
import type { DashboardRenderedState, ReceivedReport } from '../../src/webview/dashboardPanel';
import { athenaPreset, startMotoServer, useAwsEnvironment, type MotoServer } from '../aws/motoServer';
import { buildTestLake } from '../unit/dashboardLakeFixture';
import { EXTENSION_ID } from './activation';

const WORKGROUP = 'lab-wg';
const DATABASE = 'lab_db';
/** What the proxy reports for every execution: the cards must show these. */
const ENGINE_MS = 1234;
const SCANNED_BYTES = 50 * 1024 ** 2;
const FAILURE = "COLUMN_NOT_FOUND: line 3:10: Column 'productline' cannot be resolved";

/** An Athena execution parameter (a SQL literal: 'text' with quotes doubled, a number, NULL) back as a value. */
function parameterValue(literal: string): string | number | null {
  if (literal === 'NULL') return null;
  const text = /^'([\s\S]*)'$/.exec(literal);
  return text ? text[1].replace(/''/g, "'") : Number(literal);
}

/** The `?` placeholders of the SQL text (outside quotes and comments) as `:p0, :p1, ...` for the DuckDB engine. */
function namedPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') out += `:p${n++}`;
    else out += c;
  }
  return out;
}

interface AthenaProxy {
  endpoint: string;
  /** StartQueryExecution calls seen, and whether each carried execution parameters. */
  executions: { sql: string; parameters: string[] }[];
  /** What went wrong answering (the test fails on any). */
  problems: string[];
  /** Executions of this SQL text come back FAILED with FAILURE until cleared. */
  failing?: string;
  close(): Promise<void>;
}

/** The proxy in front of moto (see the file comment). */
async function startAthenaProxy(moto: MotoServer, lake: DuckDbLakeEngine): Promise<AthenaProxy> {
  const failedIds = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  const forward = async (req: http.IncomingMessage, body: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding', 'expect'].includes(k)) headers[k] = v;
    }
    const res = await fetch(`${moto.endpoint}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
    return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/x-amz-json-1.1', text: await res.text() };
  };
  const proxy: AthenaProxy = { endpoint: '', executions: [], problems: [], close: async () => {} };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = req.headers['x-amz-target'];
      const handle = async () => {
        if (target === 'AmazonAthena.StartQueryExecution') {
          // One at a time: moto hands the next queued preset to the next execution.
          const turn = queue.then(async () => {
            const input = JSON.parse(body.toString('utf8')) as { QueryString: string; ExecutionParameters?: string[] };
            const parameters = input.ExecutionParameters ?? [];
            proxy.executions.push({ sql: input.QueryString, parameters });
            const params = Object.fromEntries(parameters.map((p, i) => [`p${i}`, parameterValue(p)]));
            try {
              const answer = await lake.query(namedPlaceholders(input.QueryString), params);
              const queued = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
                method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ region: 'us-east-1', results: [athenaPreset(answer)] }),
              });
              if (!queued.ok) proxy.problems.push(`moto refused the preset: HTTP ${queued.status}`);
            } catch (err) {
              proxy.problems.push(`DuckDB could not answer ${input.QueryString.slice(0, 200)}: ${String(err)}`);
            }
            const out = await forward(req, body);
            if (proxy.failing === input.QueryString && out.status === 200) failedIds.add((JSON.parse(out.text) as { QueryExecutionId: string }).QueryExecutionId);
            return out;
          });
          queue = turn.catch(() => undefined);
          return turn;
        }
        const out = await forward(req, body);
        if (target === 'AmazonAthena.GetQueryExecution' && out.status === 200) {
          const parsed = JSON.parse(out.text) as { QueryExecution: { QueryExecutionId: string; Status?: object; Statistics?: object } };
          const execution = parsed.QueryExecution;
          execution.Statistics = { ...execution.Statistics, EngineExecutionTimeInMillis: ENGINE_MS, TotalExecutionTimeInMillis: ENGINE_MS + 100, DataScannedInBytes: SCANNED_BYTES };
          if (failedIds.has(execution.QueryExecutionId)) {
            execution.Status = { ...execution.Status, State: 'FAILED', StateChangeReason: FAILURE, AthenaError: { ErrorCategory: 2, ErrorType: 1006, Retryable: false, ErrorMessage: FAILURE } };
          }
          return { ...out, text: JSON.stringify(parsed) };
        }
        return out;
      };
      handle().then((out) => {
        res.writeHead(out.status, { 'content-type': out.contentType });
        res.end(out.text);
      }, (err: unknown) => {
        proxy.problems.push(`proxy: ${String(err)}`);
        res.writeHead(502);
        res.end();
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

/** What a card rendered, without the report's order number and stats line (compared across modes). */
function shape(report: ReceivedReport) {
  return { state: report.state, rowCount: report.rowCount, labels: report.labels, values: report.values, page: report.page };
}

/** Cards whose data comes from one query (the stats line then shows that query's engine time, bytes and cost). */
const QUERY_CARDS: DatasetId[] = ['kpis', 'salesByCountry', 'salesByProductLine', 'monthlySales', 'topProducts', 'products', 'salesDetail'];

suite('Dashboard in AWS mode (Athena on moto)', function () {
  this.timeout(120_000);
  let api: LifecycleLabApi;
  let moto: MotoServer;
  let proxy: AthenaProxy;
  let lake: DuckDbLakeEngine;
  let lakeDir: string;
  let restoreEnv: (() => void) | undefined;
  const touched = ['mode', 'local.lakeDir', 'aws.endpoint', 'aws.region', 'aws.athenaWorkgroup', 'aws.catalogDatabase', 'aws.athenaOutputLocation', 'aws.athenaCostPerTbUsd', 'aws.lakePath'];
  const saved = new Map<string, unknown>();
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');

  async function setSettings(values: Record<string, unknown>): Promise<void> {
    for (const [key, value] of Object.entries(values)) await config().update(key, value, vscode.ConfigurationTarget.Global);
  }

  async function renderedState(): Promise<DashboardRenderedState> {
    return api.dashboard.renderedState();
  }

  /** Opens a new dashboard and waits until every card has reported after `afterSeq`; returns those reports. */
  async function allCards(afterSeq: number, accept: (id: DatasetId, r: ReceivedReport) => boolean = () => true): Promise<Record<DatasetId, ReceivedReport>> {
    const deadline = Date.now() + 60_000;
    let state: DashboardRenderedState | undefined;
    while (Date.now() < deadline) {
      state = await renderedState();
      const ready = DATASET_IDS.every((id) => {
        const r = state!.reports[id];
        return r && r.seq > afterSeq && accept(id, r);
      });
      if (ready) return state.reports as Record<DatasetId, ReceivedReport>;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`not every card reported after seq ${afterSeq}: ${JSON.stringify(state?.reports)}; proxy problems: ${proxy.problems.join('; ')}`);
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
    lakeDir = await buildTestLake();
    lake = new DuckDbLakeEngine(lakeDir);
    moto = await startMotoServer();
    restoreEnv = useAwsEnvironment('fake');
    proxy = await startAthenaProxy(moto, lake);
    const [athena, glue] = await Promise.all([import('@aws-sdk/client-athena'), import('@aws-sdk/client-glue')]);
    const athenaClient = new athena.AthenaClient({ region: 'us-east-1', endpoint: moto.endpoint });
    const glueClient = new glue.GlueClient({ region: 'us-east-1', endpoint: moto.endpoint });
    try {
      await athenaClient.send(new athena.CreateWorkGroupCommand({ Name: WORKGROUP, Configuration: { ResultConfiguration: { OutputLocation: 's3://lab-results/athena/' } } }));
      // The catalog database the Lake catalog reads (empty: the presets stand in for its tables).
      await glueClient.send(new glue.CreateDatabaseCommand({ DatabaseInput: { Name: DATABASE } }));
    } finally {
      athenaClient.destroy();
      glueClient.destroy();
    }
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const key of touched) await config().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
    restoreEnv?.();
    await proxy?.close();
    await moto?.stop();
    await lake?.close();
    if (lakeDir) await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('every card renders from Athena as in local mode, with engine time, bytes scanned and cost; a FAILED query is an error card', async () => {
    // Local mode over the fixture lake: what each card shows.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setSettings({ mode: 'local', 'local.lakeDir': lakeDir });
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
    const local = await allCards(0);
    for (const id of DATASET_IDS) assert.notEqual(local[id].state, 'error', `${id} in local mode: ${local[id].message}`);
    for (const id of [...QUERY_CARDS, 'lakeStatus', 'filterOptions'] as DatasetId[]) {
      assert.ok(local[id].state === 'data' && local[id].rowCount > 0, `${id} shows data in local mode: ${JSON.stringify(local[id])}`);
    }
    assert.doesNotMatch(local.kpis.meta ?? '', /scanned/, 'local mode scans nothing');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // AWS mode, with the product-line query FAILED on Athena.
    const byProductLine = compileParams(QUERIES.salesByProductLine.sql('star-v1'), {}, 'positional').sql;
    proxy.failing = byProductLine;
    await setSettings({
      mode: 'aws', 'aws.region': 'us-east-1', 'aws.endpoint': proxy.endpoint, 'aws.athenaWorkgroup': WORKGROUP, 'aws.catalogDatabase': DATABASE,
      'aws.athenaOutputLocation': 's3://lab-results/athena/', 'aws.lakePath': '', 'aws.athenaCostPerTbUsd': 5,
    });
    assert.equal((await api.services.backend()).query.kind, 'athena');
    await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
    const aws = await allCards(0);
    assert.deepEqual(proxy.problems, []);
    assert.ok(proxy.executions.some((e) => e.sql === byProductLine), 'the product-line query ran on Athena');
    assert.ok(proxy.executions.some((e) => e.parameters.length > 0), 'filters went as execution parameters');

    const failed = aws.salesByProductLine;
    assert.equal(failed.state, 'error');
    assert.match(failed.message ?? '', /The Athena query failed: COLUMN_NOT_FOUND.*productline/);
    for (const id of DATASET_IDS.filter((d) => d !== 'salesByProductLine')) {
      assert.deepEqual(shape(aws[id]), shape(local[id]), `${id} on Athena as in local mode`);
    }
    const stats = /1234 ms · 50(\.0)? MB scanned · ~\$0\.00024$/;
    for (const id of QUERY_CARDS.filter((d) => d !== 'salesByProductLine')) assert.match(aws[id].meta ?? '', stats, `${id}: engine time, bytes scanned and cost shown`);

    // The query no longer fails; a cost setting change rebuilds the backend and reruns every card.
    proxy.failing = undefined;
    const seq = (await renderedState()).lastSeq;
    await setSettings({ 'aws.athenaCostPerTbUsd': 10 });
    const again = await allCards(seq, (id, r) => id !== 'salesByProductLine' || r.state !== 'error');
    assert.deepEqual(shape(again.salesByProductLine), shape(local.salesByProductLine), 'the product-line card renders once its query succeeds');
    for (const id of QUERY_CARDS) assert.match(again[id].meta ?? '', /1234 ms · 50(\.0)? MB scanned · ~\$0\.00048$/, `${id}: the cost follows the setting`);
    assert.deepEqual(proxy.problems, []);
  });

  test('Check AWS Network (Preflight) lists the failing checks first, each with its fix', async () => {
    await setSettings({ mode: 'aws', 'aws.region': 'us-east-1', 'aws.endpoint': proxy.endpoint });
    // moto has neither the RDS instance nor the Glue connection here, and no TestConnection (HTTP 500).
    const report = await vscode.commands.executeCommand<PreflightReport | undefined>('lifecycleLab.aws.preflight');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(report, 'the command returned its report (no error)');
    assert.deepEqual(report.failed.map((c) => c.id), ['rdsInstance', 'connection']);
    assert.match(report.failed[0].fix ?? '', /lifecycleLab\.aws\.rdsInstanceId/);
    assert.match(report.failed[1].fix ?? '', /terraform apply.*lifecycleLab\.aws\.glueConnectionName/);
    assert.deepEqual(report.checks.filter((c) => c.status !== 'fail').map((c) => c.status), ['skipped', 'skipped', 'skipped', 'skipped', 'skipped'],
      `the checks that need the connection are skipped: ${JSON.stringify(report.checks)}`);
  });
});
