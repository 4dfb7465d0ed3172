import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createBackend } from '../../src/core/backend';
import { resolveLabConfig } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/log';
import { findModelDir } from '../../src/core/lake/model';
import { useAwsEnvironment } from '../aws/motoServer';
import { buildTestLake, ORDER_LINES, recordedTables } from './dashboardLakeFixture';

const deps = { readPassword: async () => undefined, modelDir: findModelDir(__dirname), log: silentLogger };

/** The mode seam: one factory turns the settings into the mode's parts; nothing else asks which mode it is in. */
suite('backend per mode', function () {
  this.timeout(30_000);
  let lakeDir: string;

  suiteSetup(async () => {
    lakeDir = await buildTestLake();
  });

  suiteTeardown(async () => {
    await fs.rm(lakeDir, { recursive: true, force: true });
  });

  test('local mode: the catalog lists the lake, and schema, pages and counts come from its one DuckDB engine', async () => {
    const backend = createBackend(resolveLabConfig({ 'local.lakeDir': lakeDir }, '/'), deps);
    try {
      assert.equal(backend.label, 'local');
      assert.equal(backend.lake.folder, lakeDir, 'a lake that is a folder here');
      assert.equal(backend.query.kind, 'duckdb');
      const overview = await backend.lake.overview();
      assert.deepEqual(overview.tables.map((t) => t.name), ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders']);
      assert.equal(overview.tables.find((t) => t.name === 'fact_orders')?.location, path.join(lakeDir, 'gold', 'fact_orders'));
      assert.equal(await backend.lake.rowCount('fact_orders'), ORDER_LINES.length);
      const schema = await backend.lake.schema('fact_orders');
      assert.ok(schema.rows.some(([name, type]) => name === 'orderAmount' && type === 'DECIMAL(18,2)'));
      const page = await backend.lake.preview('fact_orders', 1, 2);
      assert.equal(page.rows.length, 2);
      assert.ok(page.rows.every((row) => row.every((v) => v === null || typeof v === 'string')), 'values as text');
      await assert.rejects(backend.lake.preview('fact_orders; drop table x', 0, 1), (e: unknown) => e instanceof LabError && e.code === 'config');
      const version = await backend.lake.version();
      assert.equal(await backend.lake.version(), version, 'stable while the lake is unchanged');
      assert.equal(await backend.pipeline.lastRun(), undefined, 'no run recorded in this lake');
      assert.equal((await backend.source.target()), undefined, 'no lab runs in this folder and no host is set');
      assert.equal(backend.source.missing().nextStep?.command, 'lifecycleLab.startLocalLab');
    } finally {
      await backend.dispose();
    }
    await assert.rejects(backend.query.query('select 1'), (e: unknown) => e instanceof LabError, 'a disposed backend closed its engine');
    assert.equal(backend.pipeline.runHistory, undefined, 'the local runner keeps its runs in the run log, not an engine history');
  });

  test('local mode: a file rewritten in place with its size and modification time put back is a new lake version, and the overview names it', async () => {
    const dir = await buildTestLake();
    const backend = createBackend(resolveLabConfig({ 'local.lakeDir': dir }, '/'), deps);
    try {
      const tables = await recordedTables(dir);
      await fs.writeFile(path.join(dir, 'gold', '_manifest.json'), JSON.stringify({
        runId: 'r', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', model: 'star-v1',
        engine: { name: 'duckdb', version: 'test' }, source: { host: 'h', port: 3306, database: 'classicmodels', counts: {}, orderAmountTotal: '0' },
        checks: [], ok: true, tables,
      }));
      const file = path.join(dir, 'gold', 'dim_products', 'part-0.parquet');
      const when = new Date('2026-01-01T00:00:00Z');
      await fs.utimes(file, when, when);
      const before = await backend.lake.version();
      assert.deepEqual((await backend.lake.overview()).problems, []);
      const bytes = await fs.readFile(file);
      for (let i = 4; i < 36; i++) bytes[i] ^= 0xff;
      await fs.writeFile(file, bytes);
      await fs.utimes(file, when, when);
      assert.notEqual(await backend.lake.version(), before);
      const overview = await backend.lake.overview();
      assert.deepEqual(overview.problems.map((p) => [p.table, p.file, p.kind]), [['dim_products', 'part-0.parquet', 'checksum']]);
    } finally {
      await backend.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('AWS mode: the same parts over RDS, Glue, the Glue Data Catalog and Athena', async () => {
    // Nothing here may reach AWS: no credentials to find, and an endpoint nothing listens on.
    const restoreEnv = useAwsEnvironment('none');
    const backend = createBackend(resolveLabConfig({ mode: 'aws', 'aws.endpoint': 'http://127.0.0.1:9' }, '/'), deps);
    try {
      assert.equal(backend.label, 'AWS');
      assert.equal(backend.lake.folder, undefined, 'a remote lake');
      assert.deepEqual(Object.keys(backend.checks().aws ?? {}).sort(), ['lastGlueRun', 'outputs', 'workgroupState'], 'the AWS backend adds its own probes');
      assert.equal(await backend.source.target(), undefined, 'no host until RDS is discovered');
      assert.equal(backend.source.missing().nextStep?.command, 'lifecycleLab.source.discoverRds');
      assert.equal(await backend.pipeline.describe(), 'Glue job de-c1w2-etl-job', 'the Glue runner (test/unit/glue.test.ts, test/aws/glue.test.ts)');
      assert.equal(backend.query.kind, 'athena', 'the Athena engine (test/unit/athena.test.ts, test/aws/athenaDashboard.test.ts)');
      assert.match(backend.query.description, /de_c1w2_lake .*workgroup de-c1w2-workgroup/);
      assert.equal(backend.lake.location, 'Glue database de_c1w2_lake', 'the catalog (test/aws/lakeCatalog.test.ts)');
      await assert.rejects(backend.lake.overview(), (e: unknown) => e instanceof LabError && e.code === 'awsCredentials',
        'the catalog asks Glue, and says when there are no credentials');
      assert.equal(typeof backend.pipeline.runHistory, 'function', 'Glue keeps run history');
      assert.equal(typeof backend.pipeline.stopRuns, 'function');
    } finally {
      await backend.dispose();
      restoreEnv();
    }
  });
});
