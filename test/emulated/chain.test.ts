/**
 * The AWS path end to end on real engines, headless (issue 21): a lab of its own (MariaDB seeded from data/), the
 * emulated AWS beside it (`lab up --aws`'s EmulatedAws: moto, the Glue runner on Spark, Athena on Trino), the real
 * terraform/ module applied against it with the variables the editor discovers from RDS de-c1w2-rds, a Glue run
 * started through the AWS backend's pipeline runner (StartJobRun → glue_job.py's GlueAdapter on pyspark, writing
 * s3a:// to the emulator's S3 and updating its catalog), then every dashboard card and every lab-notebook cell asked
 * of the AWS backend's Athena engine (Trino) and of local mode (the DuckDB pipeline on the same MariaDB), compared
 * value by value, and the dashboard's answers the Glue run recorded on Spark against both. Then the faults: Athena syntax error and bytes-scanned cutoff, Stop Run, MariaDB stopped during a
 * run, the emulator gone. One Trino and one emulator for the whole suite; the set-up is bench/emulatedChain.ts's.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { BatchStopJobRunCommand, GetJobRunCommand, GetTablesCommand, GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CHAIN_LAKE_BUCKET, DASHBOARD_CARDS, startEmulatedChain, type EmulatedChain } from '../../bench/emulatedChain';
import { AthenaEngine } from '../../src/core/aws/athena';
import { awsClientConfig } from '../../src/core/aws/clients';
import type { LabBackend } from '../../src/core/backend';
import { compareLakes, compareTables, comparisonLines } from '../../src/core/compare';
import type { LabConfig } from '../../src/core/config';
import { DATASET_IDS, type DatasetResult } from '../../src/core/dashboard/model';
import type { RecordedAnswer, RecordedDashboard } from '../../src/core/dashboard/recorded';
import { DashboardData, recordDashboard } from '../../src/core/dashboard/service';
import { LabError } from '../../src/core/errors';
import { runSqlCell } from '../../src/core/notebook/execute';
import { LAB_TOP_N_PARAMS, labNotebook } from '../../src/core/notebook/labNotebook';
import { pythonHas, requireTool, ROOT, terraformAvailable, TERRAFORM_ENABLE } from '../iac/tools';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMEOUT', 'ERROR', 'EXPIRED']);

/** The lake status card's rows that name the engine, what it reads and when the run ended: they differ by design. */
const ENGINE_ROWS = new Set(['engine', 'source', 'lastRun']);

/**
 * A value to the cent: an average of money is a double on DuckDB (29460.707392638036) and a decimal of the column's
 * scale on Trino (29460.71), so fractions are compared rounded to cents; whole numbers and text exactly.
 */
function toTheCent(value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value;
}

/** What a card shows: its columns, rows (to the cent), page and (for the lake status and filters) its own fields, without engine stats. */
function shown(result: DatasetResult) {
  const status = result.lakeStatus;
  const rows = (result.id === 'lakeStatus' ? result.rows.filter((r) => !ENGINE_ROWS.has(String(r[0]))) : result.rows).map((r) => r.map(toTheCent));
  return {
    id: result.id, columns: result.columns.map((c) => c.name), rows, page: result.page, filterOptions: result.filterOptions,
    lakeStatus: status && { model: status.model, factRows: status.factRows, orderLines: status.orderLines, damaged: status.damaged, inflated: status.inflated },
  };
}

/** Recorded dashboard answers as a card shows them: column names, rows to the cent. */
function recordedShown(recorded: RecordedDashboard) {
  const answer = (a: RecordedAnswer | undefined) => a && { columns: a.columns.map((c) => c.name), rows: a.rows.map((r) => r.map(toTheCent)) };
  return {
    filterOptions: recorded.filterOptions,
    answers: Object.fromEntries(Object.entries(recorded.answers).map(([id, a]) => [id, answer(a)])),
    topProducts: recorded.topProducts && { ...answer(recorded.topProducts), startDate: recorded.topProducts.startDate, endDate: recorded.topProducts.endDate, n: recorded.topProducts.n },
  };
}

function mariadbScalar(target: { host: string; port: number; user: string; password: string; database: string }, sql: string): string {
  const r = spawnSync('mariadb', ['-h', target.host, '-P', String(target.port), '-u', target.user, '-N', '-B', '-D', target.database, '-e', sql],
    { encoding: 'utf8', env: { ...process.env, MYSQL_PWD: target.password } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

suite('emulated AWS, end to end: Terraform → Glue on Spark → Athena on Trino, equal to local mode', function () {
  this.timeout(900_000);
  let chain: EmulatedChain | undefined;
  let local: LabBackend;
  let aws: LabBackend;
  let awsConfig: LabConfig;
  const clients: { destroy(): void }[] = [];
  let glue: GlueClient;
  let s3: S3Client;

  /** The catalog's tables with their locations, and the lake bucket's objects: what a failed or stopped run must not change. */
  async function lakeSnapshot() {
    const tables = (await glue.send(new GetTablesCommand({ DatabaseName: awsConfig.athena.database }))).TableList ?? [];
    const objects = (await s3.send(new ListObjectsV2Command({ Bucket: CHAIN_LAKE_BUCKET }))).Contents ?? [];
    return {
      tables: tables.map((t) => [t.Name, t.StorageDescriptor?.Location]).sort(),
      objects: objects.map((o) => [o.Key, o.Size, o.ETag]).sort(),
    };
  }

  async function waitForRun(runId: string, until: (state: string) => boolean = (s) => FINAL.has(s)) {
    for (;;) {
      const run = (await glue.send(new GetJobRunCommand({ JobName: awsConfig.glue.jobName, RunId: runId }))).JobRun!;
      if (until(run.JobRunState ?? '')) return run;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  suiteSetup(async function () {
    requireTool(this, terraformAvailable(), 'terraform with the AWS provider mirror', TERRAFORM_ENABLE);
    requireTool(this, pythonHas('pyspark') && pythonHas('moto'), 'pyspark and moto', 'bash scripts/setup.sh --test');
    const engines = ['java', 'trino', 'jars'].every((what) => spawnSync('python3', ['-m', 'emulator.engines', what], { cwd: ROOT, stdio: 'ignore' }).status === 0);
    requireTool(this, engines, "the emulated AWS's engines (Trino, Java 24+, s3a jars)", 'bash scripts/setup-emulator.sh');
    chain = await startEmulatedChain({ scale: 1, lifecycleRules: false });
    ({ local, aws, awsConfig } = chain);
    glue = new GlueClient(awsClientConfig(awsConfig.aws));
    s3 = new S3Client({ ...awsClientConfig(awsConfig.aws), forcePathStyle: true });
    clients.push(glue, s3);
    assert.ok((await local.pipeline.run({})).manifest.runId, 'the local pipeline published');
  });

  suiteTeardown(async () => {
    for (const c of clients) c.destroy();
    await chain?.stop();
  });

  test('Run Pipeline in AWS mode: a Glue run on Spark publishes the four tables in the catalog, reconciled with the source', async () => {
    // Recording the dashboard's answers is asked for: at this scale the job's default (auto) records none.
    const result = await aws.pipeline.run({ recordDashboard: 'always' });
    assert.ok(result.manifest.runId, 'the Glue run published a manifest');
    assert.ok(result.manifest.dashboard, 'the Glue run recorded the dashboard\'s answers');
    const { tables, objects } = await lakeSnapshot();
    assert.deepEqual(tables.map(([name]) => name), ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders']);
    assert.ok(tables.every(([, location]) => location?.startsWith(`s3://${CHAIN_LAKE_BUCKET}/`)), JSON.stringify(tables));
    assert.ok(objects.some(([key]) => String(key).endsWith('.parquet')), 'Parquet files in the lake bucket');
  });

  test('every dashboard card on Athena (Trino) equals local mode (DuckDB) from the same source, to the cent', async () => {
    assert.ok((await chain!.emulated.up({ labPort: 0, codeRoot: ROOT })).trino, 'Trino answers');
    assert.equal(aws.query.kind, 'athena');
    const onAws = new DashboardData(aws.query, () => aws.lake.manifest());
    const onLocal = new DashboardData(local.query, () => local.lake.manifest());
    assert.deepEqual([...new Set(DASHBOARD_CARDS.map((c) => c.id))].sort(), [...DATASET_IDS].sort(), 'every card is asked');
    for (const card of DASHBOARD_CARDS) {
      const [want, got] = [await onLocal.dataset(card), await onAws.dataset(card)];
      assert.ok(want.rows.length > 0 || want.lakeStatus || want.filterOptions, `${card.id}: local mode answers`);
      assert.deepEqual(shown(got), shown(want), JSON.stringify(card));
      // Every card asked of Athena shows what it scanned (a card of several queries, their bytes added up).
      if (!got.recorded) assert.equal(typeof got.bytesScanned, 'number', `${card.id}: bytes scanned`);
    }
    const totals = await onAws.dataset({ id: 'kpis' });
    const sourceTotal = mariadbScalar(chain!.target, 'SELECT SUM(quantityOrdered * priceEach) FROM orderdetails');
    assert.ok(JSON.stringify(totals.rows).includes(String(Number(sourceTotal))), `the source's total ${sourceTotal} is on the KPI card: ${JSON.stringify(totals.rows)}`);
  });

  test('the dashboard answers the Glue run recorded on Spark equal the same questions asked of Trino and of DuckDB', async () => {
    const recorded = (await aws.lake.manifest())?.dashboard as RecordedDashboard | undefined;
    assert.ok(recorded, 'the AWS lake\'s manifest holds the recorded answers');
    const [onTrino, onDuckDb] = [await recordDashboard(aws.query), await recordDashboard(local.query)];
    assert.deepEqual(recordedShown(recorded), recordedShown(onTrino), 'Spark and Trino');
    assert.deepEqual(recordedShown(recorded), recordedShown(onDuckDb), 'Spark and DuckDB');
    assert.ok(Object.values(recorded.answers).every((a) => a!.rows.length > 0), 'every recorded answer has rows');
  });

  test('every lab-notebook cell on Athena (Trino) equals local mode (DuckDB)', async () => {
    const cells = labNotebook().cells.filter((c) => c.kind === 'sql');
    assert.ok(cells.length >= 6);
    for (const cell of cells) {
      const [want, got] = [await runSqlCell(local.query, cell.source, LAB_TOP_N_PARAMS), await runSqlCell(aws.query, cell.source, LAB_TOP_N_PARAMS)];
      assert.ok(want.output.rows.length > 0, `${String(cell.metadata?.question)}: local mode answers`);
      // The Glue catalog keeps column names (and Trino its type names) in lower case, as on AWS: the star schema's
      // own cell is compared without case, every other cell exactly.
      const rows = (run: typeof got) => (cell.metadata?.question === 'tableColumns'
        ? run.output.rows.map((r) => r.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))) : run.output.rows);
      assert.deepEqual({ columns: got.output.columns.map((c) => c.name), rows: rows(got) },
        { columns: want.output.columns.map((c) => c.name), rows: rows(want) }, String(cell.metadata?.question));
      assert.equal(got.output.engine, 'athena');
    }
  });

  test('Compare Lakes: the local lake and the AWS lake are equal table by table (rows, money totals, every row by key)', async () => {
    const tables = await compareTables(path.join(ROOT, 'glue', 'sql'));
    assert.deepEqual(tables.map((t) => t.name).sort(), ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders']);
    const comparison = await compareLakes({ name: 'local', engine: local.query }, { name: 'aws', engine: aws.query }, tables);
    for (const table of comparison.tables) {
      assert.ok(table.equal, `${table.table}: ${comparisonLines({ ...comparison, tables: [table] }).join('\n')}`);
      assert.ok((table.leftRows ?? 0) > 0 && table.leftRows === table.rightRows, `${table.table}: rows ${table.leftRows} / ${table.rightRows}`);
    }
    const fact = comparison.tables.find((t) => t.table === 'fact_orders')!;
    assert.ok(fact.money.some((m) => m.column.toLowerCase() === 'orderamount'), `fact_orders' orderAmount total is compared: ${JSON.stringify(fact.money)}`);
    assert.equal(comparison.equal, true);
  });

  test('a query with a syntax error FAILS on Athena with Trino\'s message; the next query answers', async () => {
    await assert.rejects(aws.query.query('select count(* from fact_orders'),
      (e: unknown) => e instanceof LabError && /mismatched input|SYNTAX_ERROR/i.test(e.message));
    assert.equal((await aws.query.query('select count(*) as n from fact_orders')).rows.length, 1);
  });

  test('a query over the workgroup\'s bytes-scanned cutoff FAILS with Athena\'s message', async () => {
    const athena = new AthenaClient(awsClientConfig(awsConfig.aws));
    clients.push(athena);
    await athena.send(new CreateWorkGroupCommand({ Name: 'lab-tight', Configuration: {
      BytesScannedCutoffPerQuery: 10_000, EnforceWorkGroupConfiguration: true,
      ResultConfiguration: { OutputLocation: `s3://${CHAIN_LAKE_BUCKET}/athena-results/` },
    } }));
    const engine = new AthenaEngine({ ...awsConfig.aws }, { ...awsConfig.athena, workgroup: 'lab-tight' });
    try {
      await assert.rejects(engine.query('select sum(orderAmount) from fact_orders'),
        (e: unknown) => e instanceof LabError && /Bytes scanned limit was exceeded/.test(e.message));
    } finally {
      await engine.close();
    }
  });

  test('Stop Run: BatchStopJobRun ends a running Glue run STOPPED and the catalog and lake are unchanged', async () => {
    const before = await lakeSnapshot();
    const { JobRunId } = await glue.send(new StartJobRunCommand({ JobName: awsConfig.glue.jobName }));
    await waitForRun(JobRunId!, (s) => s === 'RUNNING' || FINAL.has(s));
    await glue.send(new BatchStopJobRunCommand({ JobName: awsConfig.glue.jobName, JobRunIds: [JobRunId!] }));
    const run = await waitForRun(JobRunId!);
    assert.equal(run.JobRunState, 'STOPPED', run.ErrorMessage);
    assert.deepEqual(await lakeSnapshot(), before);
  });

  test('MariaDB stopped during a Glue run: FAILED with the JDBC error, the catalog and lake unchanged', async () => {
    const before = await lakeSnapshot();
    const { JobRunId } = await glue.send(new StartJobRunCommand({ JobName: awsConfig.glue.jobName }));
    await waitForRun(JobRunId!, (s) => s === 'RUNNING' || FINAL.has(s));
    await chain!.lab.down();
    const run = await waitForRun(JobRunId!);
    assert.equal(run.JobRunState, 'FAILED');
    assert.match(run.ErrorMessage ?? '', /Communications link failure|Connection refused|CommunicationsException/i);
    assert.deepEqual(await lakeSnapshot(), before);
  });

  test('the emulated AWS stopped: a query and Run Pipeline fail naming lab up --aws', async () => {
    assert.equal(await chain!.emulated.down(), true, 'the emulator was running');
    const namesLabUp = (e: unknown) => e instanceof LabError && /lifecycle-lab lab up --aws/.test(e.message) && e.nextStep?.command === 'lifecycleLab.startEmulatedAws';
    await assert.rejects(aws.query.query('select count(*) from fact_orders'), namesLabUp);
    await assert.rejects(aws.pipeline.run({}), namesLabUp);
  });
});
