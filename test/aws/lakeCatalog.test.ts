/**
 * AWS mode's lake catalog on moto: the Glue Data Catalog database, Parquet objects in S3 (real files written by
 * DuckDB) and the job's manifest, published as the Glue job publishes a run; previews and counts through Athena with
 * preset results (moto runs no SQL: the SQL the catalog sent is checked with the Athena grammar instead). What moto
 * cannot do (access denied) with the SDK mocked.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { GlueClient, GetTablesCommand, UpdateTableCommand } from '@aws-sdk/client-glue';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createBackend, type LabBackend } from '../../src/core/backend';
import { awsClientConfig } from '../../src/core/aws/clients';
import { compareTable, lakePathOf, tableFolderKey } from '../../src/core/aws/catalogTables';
import { AwsLakeCatalog } from '../../src/core/aws/lakeCatalog';
import { resolveLabConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { expectLabError } from '../helpers';
import { buildTestLake, CUSTOMERS, ORDER_LINES } from '../unit/dashboardLakeFixture';
import { FIXTURE_TABLES, publishTestLake, type PublishedLake } from './awsLakeFixture';
import { startMotoServer, useAwsEnvironment, type MotoServer } from './motoServer';

const BUCKET = 'lab-lake';
const PREFIX = 'warehouse';
const DATABASE = 'lab_db';
const RUN = '20260101T000000Z-abc123';
const CHECKER = path.resolve(__dirname, '../../../test/aws/athena_sql_check.py');

/** One Athena answer as moto's preset: lower-case names, every column varchar (the preview casts), header row first. */
function preset(names: string[], rows: Array<Array<string | null>>, types?: string[]) {
  return {
    column_info: names.map((name, i) => ({ Name: name, Label: name, Type: types?.[i] ?? 'varchar', Nullable: 'UNKNOWN', CaseSensitive: false })),
    rows: [{ Data: names.map((name) => ({ VarCharValue: name })) }, ...rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) }))],
  };
}

suite('AWS lake catalog: Glue Data Catalog, S3 and Athena on moto', function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let restoreEnv: () => void;
  let lakeDir: string;
  let published: PublishedLake;
  let backend: LabBackend | undefined;

  suiteSetup(async () => {
    [moto, lakeDir] = await Promise.all([startMotoServer(), buildTestLake()]);
  });

  suiteTeardown(async () => {
    await moto?.stop();
    if (lakeDir) await fs.rm(lakeDir, { recursive: true, force: true });
  });

  setup(async () => {
    restoreEnv = useAwsEnvironment('fake');
    await moto.reset();
    published = await publishTestLake(moto.settings(), lakeDir, { bucket: BUCKET, prefix: PREFIX, database: DATABASE, runId: RUN, markers: true });
  });

  teardown(async () => {
    await backend?.dispose();
    backend = undefined;
    restoreEnv();
  });

  function aws(settings: Record<string, unknown> = {}): LabBackend {
    const config = resolveLabConfig({
      mode: 'aws', 'aws.endpoint': moto.endpoint, 'aws.catalogDatabase': DATABASE, 'aws.athenaWorkgroup': 'primary',
      'aws.athenaOutputLocation': `s3://${BUCKET}/athena-results/`, ...settings,
    }, '/');
    backend = createBackend(config, { readPassword: async () => undefined, modelDir: '/nonexistent', log: silentLogger });
    return backend;
  }

  async function presetAthena(...results: ReturnType<typeof preset>[]): Promise<void> {
    const res = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ region: 'us-east-1', results }),
    });
    assert.ok(res.ok, `preset: HTTP ${res.status}`);
  }

  /** The SQL of every Athena execution moto saw, oldest first. */
  async function athenaQueries(): Promise<string[]> {
    const client = new AthenaClient(awsClientConfig(moto.settings()));
    try {
      const ids = (await client.send(new ListQueryExecutionsCommand({ WorkGroup: 'primary' }))).QueryExecutionIds ?? [];
      const executions = await Promise.all(ids.map(async (id) => (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!));
      return executions.sort((a, b) => (a.Status?.SubmissionDateTime?.getTime() ?? 0) - (b.Status?.SubmissionDateTime?.getTime() ?? 0)).map((e) => e.Query ?? '');
    } finally {
      client.destroy();
    }
  }

  async function putObject(key: string, body: Uint8Array | string): Promise<void> {
    const client = new S3Client(awsClientConfig(moto.settings(), { forcePathStyle: true }));
    try {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    } finally {
      client.destroy();
    }
  }

  test('overview: every catalog table with its S3 location, files and bytes from ListObjectsV2, rows from the manifest', async () => {
    const lake = aws().lake;
    assert.equal(lake.location, `Glue database ${DATABASE}`);
    const overview = await lake.overview();
    assert.equal(overview.manifest?.runId, RUN, 'the manifest found under the tables\' lake path (no lake path setting)');
    assert.deepEqual(overview.problems, []);
    assert.deepEqual(overview.tables.map((t) => [t.name, t.location, t.files, t.bytes, t.rows]), FIXTURE_TABLES.map((t) => [
      t, `s3://${BUCKET}/${PREFIX}/gold/${t}/run=${RUN}/`, 1, published.manifest.tables[t].bytes, published.manifest.tables[t].rows,
    ]), 'the _SUCCESS markers are not data files');
    assert.equal(overview.tables.find((t) => t.name === 'fact_orders')?.rows, ORDER_LINES.length);
    assert.deepEqual(await lake.manifest(), published.manifest);
  });

  test('schema from the catalog\'s StorageDescriptor columns, as local mode shapes it', async () => {
    const schema = await aws().lake.schema('dim_customers');
    assert.deepEqual(schema.columns.map((c) => c.name), ['column_name', 'column_type', 'null']);
    assert.deepEqual(schema.rows, published.columns.dim_customers.map((c) => [c.name, c.type, 'YES']));
    assert.ok(schema.rows.some(([name, type]) => name === 'creditlimit' && type === 'decimal(10,2)'));
  });

  test('version: stable while nothing changes; a new manifest or a table pointed at a new run changes it', async () => {
    const lake = aws({ 'aws.lakePath': `s3://${BUCKET}/${PREFIX}` }).lake;
    const first = await lake.version();
    assert.equal(await lake.version(), first);
    await putObject(`${PREFIX}/gold/_manifest.json`, JSON.stringify({ ...published.manifest, runId: 'next' }));
    const second = await lake.version();
    assert.notEqual(second, first, 'the manifest was rewritten');
    const glue = new GlueClient(awsClientConfig(moto.settings()));
    try {
      await glue.send(new UpdateTableCommand({ DatabaseName: DATABASE, TableInput: { Name: 'dim_products',
        StorageDescriptor: { Columns: published.columns.dim_products.map((c) => ({ Name: c.name, Type: c.type })), Location: `s3://${BUCKET}/${PREFIX}/gold/dim_products/run=next/` } } }));
    } finally {
      glue.destroy();
    }
    assert.notEqual(await lake.version(), second, 'a catalog table moved to a new run');
  });

  test('preview through Athena: OFFSET/LIMIT over a stable order, values as text, NULL stays null; cellValue; the SQL is Athena SQL', async () => {
    const lake = aws().lake;
    const names = published.columns.dim_customers.map((c) => c.name);
    const asText = (c: typeof CUSTOMERS[number]) => [String(c.customerNumber), c.customerName, c.contactLastName, c.contactFirstName, c.phone, c.addressLine1, c.addressLine2, `${c.creditLimit}.00`];
    await presetAthena(preset(names, CUSTOMERS.slice(1, 3).map(asText)), preset(names, [asText(CUSTOMERS[4])]));
    const page = await lake.preview('dim_customers', 1, 2);
    assert.deepEqual(page.columns.map((c) => c.name), names);
    assert.deepEqual(page.rows, CUSTOMERS.slice(1, 3).map(asText));
    assert.equal(page.rows[0][6], null, 'addressLine2 NULL stays null');
    assert.equal(page.rows[0][7], '118200.00', 'decimals keep their text');
    assert.equal(await lake.cellValue('dim_customers', 'addressLine1', 4), CUSTOMERS[4].addressLine1);

    const sent = await athenaQueries();
    assert.equal(sent.length, 2);
    assert.match(sent[0], /^select cast\("customernumber" as varchar\) as "customernumber", .* from "dim_customers" order by 1, 2, 3, 4, 5, 6, 7, 8 offset 1 limit 2$/);
    assert.match(sent[1], / offset 4 limit 1$/);
    const probe = spawnSync('python3', [CHECKER], { input: JSON.stringify(sent.map((sql, i) => ({ id: String(i), sql }))), encoding: 'utf8', timeout: 60_000 });
    if (probe.stdout) assert.deepEqual((JSON.parse(probe.stdout) as Array<{ problems: string[] }>).flatMap((r) => r.problems), []);
    else if (process.env.CI === 'true') assert.fail(`the Athena SQL checker did not run: ${probe.stderr}`);
  });

  test('rowCount: the manifest\'s figure for the run it describes, Athena COUNT(*) for a table it does not', async () => {
    const lake = aws().lake;
    assert.equal(await lake.rowCount('fact_orders'), ORDER_LINES.length);
    assert.deepEqual(await athenaQueries(), [], 'no Athena query for a table the manifest describes');
    const glue = new GlueClient(awsClientConfig(moto.settings()));
    try {
      await glue.send(new UpdateTableCommand({ DatabaseName: DATABASE, TableInput: { Name: 'fact_orders',
        StorageDescriptor: { Columns: published.columns.fact_orders.map((c) => ({ Name: c.name, Type: c.type })), Location: `s3://${BUCKET}/${PREFIX}/gold/fact_orders/run=other/` } } }));
    } finally {
      glue.destroy();
    }
    await presetAthena(preset(['_col0'], [['41']], ['bigint']));
    assert.equal(await lake.rowCount('fact_orders'), 41);
    assert.deepEqual(await athenaQueries(), ['select count(*) from "fact_orders"']);
  });

  test('verify: sizes and SHA-256 of every recorded file; a changed, a truncated and an extra file are each named', async () => {
    const lake = aws().lake;
    const intact = await lake.verify();
    assert.equal(intact.ok, true, JSON.stringify(intact.problems));
    assert.equal(intact.checksums, true);
    assert.equal(intact.manifest, true);
    assert.deepEqual(intact.tables.map((t) => [t.table, t.files]), FIXTURE_TABLES.map((t) => [t, 1]));

    const original = await fs.readFile(path.join(lakeDir, 'gold', 'dim_products', 'part-0.parquet'));
    const flipped = Buffer.from(original);
    flipped[Math.floor(flipped.length / 2)] ^= 0xff;
    await putObject(published.keys.dim_products, flipped);
    await putObject(published.keys.dim_locations, original.subarray(0, 100));
    await putObject(`${PREFIX}/gold/fact_orders/run=${RUN}/part-00001.snappy.parquet`, original);

    const overview = await lake.overview();
    assert.deepEqual(overview.problems.map((p) => [p.table, p.kind]).sort(), [['dim_locations', 'size'], ['fact_orders', 'unexpected']],
      'the overview compares sizes only');
    const check = await lake.verify();
    assert.equal(check.ok, false);
    assert.deepEqual(check.problems.map((p) => [p.table, p.kind, p.path]).sort(), [
      ['dim_locations', 'size', `s3://${BUCKET}/${published.keys.dim_locations}`],
      ['dim_products', 'checksum', `s3://${BUCKET}/${published.keys.dim_products}`],
      ['fact_orders', 'unexpected', `s3://${BUCKET}/${PREFIX}/gold/fact_orders/run=${RUN}/part-00001.snappy.parquet`],
    ]);
    assert.match(check.problems.find((p) => p.kind === 'size')!.message, /dim_locations\/run=.*part-00000\.snappy\.parquet is 100 bytes in S3; the run wrote \d+/);
    assert.equal(check.tables.find((t) => t.table === 'dim_customers')?.ok, true);
  });

  test('verify says what it could not check: a table the manifest does not list', async () => {
    const glue = new GlueClient(awsClientConfig(moto.settings()));
    try {
      const { CreateTableCommand } = await import('@aws-sdk/client-glue');
      await glue.send(new CreateTableCommand({ DatabaseName: DATABASE, TableInput: { Name: 'scratch',
        StorageDescriptor: { Columns: [{ Name: 'x', Type: 'int' }], Location: `s3://${BUCKET}/${PREFIX}/gold/scratch/` } } }));
    } finally {
      glue.destroy();
    }
    const check = await aws().lake.verify();
    assert.equal(check.ok, true);
    assert.deepEqual(check.notes, ['scratch is not in the manifest (not written by its run): its files were not checked.']);
  });

  test('a database that does not exist -> lakeMissing naming it and the setting; a missing table -> lakeMissing naming it', async () => {
    const missingDb = await expectLabError(aws({ 'aws.catalogDatabase': 'no_such_db' }).lake.overview(), 'lakeMissing');
    assert.match(missingDb.message, /no Glue database 'no_such_db' in us-east-1/);
    assert.equal(missingDb.nextStep?.setting, 'lifecycleLab.aws.catalogDatabase');
    await backend?.dispose();
    const missingTable = await expectLabError(aws().lake.schema('dim_nothing'), 'lakeMissing');
    assert.match(missingTable.message, /lab_db has no table dim_nothing/);
    await expectLabError(aws().lake.preview('x; drop table y', 0, 1), 'config');
  });

  test('no credentials -> awsCredentials', async () => {
    restoreEnv();
    restoreEnv = useAwsEnvironment('none');
    await expectLabError(aws().lake.overview(), 'awsCredentials');
  });

  test('access denied on GetTables (SDK mocked) -> awsCredentials with the profile setting', async () => {
    const glue = mockClient(GlueClient);
    try {
      glue.on(GetTablesCommand).rejects(Object.assign(new Error('User is not authorized to perform glue:GetTables'), { name: 'AccessDeniedException' }));
      const err = await expectLabError(aws().lake.overview(), 'awsCredentials');
      assert.match(err.message, /GetTables: access denied .*glue:GetTables/);
      assert.equal(err.nextStep?.setting, 'lifecycleLab.aws.profile');
    } finally {
      glue.restore();
    }
  });
});

suite('AWS lake catalog: locations and the manifest comparison', () => {
  test('the table folder and the lake path of a published location', () => {
    assert.equal(tableFolderKey('s3://b/lake/gold/t/run=R1/'), 'lake/gold/t');
    assert.equal(tableFolderKey('s3://b/lake/gold/t/'), 'lake/gold/t');
    assert.equal(lakePathOf('s3://b/lake/gold/t/run=R1/'), 's3://b/lake');
    assert.equal(lakePathOf('s3://b/gold/t/'), 's3://b');
    assert.equal(lakePathOf('s3://b/elsewhere/t/'), undefined);
  });

  test('a manifest with only totals compares the table\'s total bytes and file count', () => {
    const table = { name: 't', location: 's3://b/gold/t/', columns: [] };
    const recorded = { rows: 1, files: 2, bytes: 30 };
    assert.deepEqual(compareTable(table, [{ key: 'gold/t/a', bytes: 10 }, { key: 'gold/t/b', bytes: 20 }], recorded), []);
    assert.deepEqual(compareTable(table, [{ key: 'gold/t/a', bytes: 10 }], recorded).map((p) => [p.kind, p.file]), [['size', '*']]);
    assert.deepEqual(compareTable(table, [], recorded).map((p) => [p.kind, p.file]), [['missing', '*']]);
    assert.deepEqual(compareTable(table, [], undefined), [], 'nothing to compare a table the manifest does not list with');
  });

  test('the catalog names its location by the lake path setting when there is one', () => {
    const config = resolveLabConfig({ mode: 'aws', 'aws.lakePath': 's3://lake/base/' }, '/');
    const catalog = new AwsLakeCatalog({ aws: config.aws, glue: config.glue, athena: config.athena }, { kind: 'x', description: '', query: () => Promise.reject(new Error('unused')), stream: () => Promise.reject(new Error('unused')), close: async () => undefined });
    assert.equal(catalog.location, 's3://lake/base', 'the lake root, as the local catalog gives its folder');
  });
});
