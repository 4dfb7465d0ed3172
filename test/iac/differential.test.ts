/**
 * Differential test: the Glue job's logic on pyspark (glue/local_run.py, MariaDB over JDBC) against the local
 * DuckDB engine (runPipeline), on the same source, lake against lake: table by table, row by row, sorted by key,
 * every value normalised to text (decimals with their 2 places, dates ISO). On the lab dump and on a generated
 * database at scale 10; both pyspark runs share one Spark process. Prints the pyspark and DuckDB run times.
 * The declared data tests (glue/sql/schema.yml, glue/sql/tests) give equal results in both engines: on these, on a
 * copy of the dump broken so a warn test fails (both publish), and on one broken so error tests fail (both refuse).
 * In CI it must run; elsewhere it skips (saying how to enable it) when pyspark, Java or Connector/J is missing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { MysqlTarget } from '../../src/core/config';
import { generateClassicmodels } from '../../src/core/lab/generator';
import { findModelDir } from '../../src/core/lake/model';
import type { DataTestResult } from '../../src/core/run/manifest';
import { ReconcileError, runPipeline } from '../../src/core/lake/pipeline';
import { connectSource, queryRows } from '../../src/core/lake/source';
import { SOURCE_TABLES } from '../../src/core/lake/sourceSchema';
import { labTarget } from '../integration/fixture';
import { GLUE_DIR, onPath, pythonHas, requireTool, ROOT, run, tail } from './tools';

const JAR = path.join(ROOT, 'vendor', 'jars', 'mysql-connector-j-8.4.0.jar');
const ENABLE = 'bash scripts/setup.sh --test (pyspark 3.5.4, Java 17, MySQL Connector/J in vendor/jars); with CI=true this test must run';
const SCALE = 10;
const SCALED_DB = `lab_iac_diff_x${SCALE}`;
/** Copies of the dump: an unknown order status (a warn test fails), then also a product line and a product missing (error tests fail). */
const BROKEN_WARN_DB = 'lab_iac_diff_broken_warn';
const BROKEN_ERROR_DB = 'lab_iac_diff_broken_error';

/** A run's data test results as compared: every field but the sample, which is compared whole when it holds every failing row. */
function comparableTests(tests: DataTestResult[] | undefined): unknown[] {
  return (tests ?? []).map((t) => ({
    id: t.id, kind: t.kind, model: t.model, column: t.column, severity: t.severity, status: t.status, failingRows: t.failingRows,
    // Without an order the engines may pick different rows for a partial sample; a whole one is the same set.
    sample: t.failingRows <= t.sample.length ? t.sample.map((row) => Object.entries(row).map(([k, v]) => `${k}=${String(v)}`).join(',')).sort() : t.sample.length,
  }));
}

/** The published tables and the key each is sorted by. */
const TABLES: Record<string, string[]> = {
  dim_customers: ['customerNumber'],
  dim_locations: ['locationKey'],
  dim_products: ['productCode'],
  fact_orders: ['orderNumber', 'orderLineNumber'],
};

interface SparkRun { database: string; lake: string; runId: string; seconds: number; tables: Record<string, number> }
interface LakeRows { columns: string[]; rows: string[][] }

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A lake table as text rows in key order. Columns are compared by name; values by their text form. */
async function readTable(duck: DuckDBConnection, lake: string, table: string): Promise<LakeRows> {
  const source = `read_parquet(${sqlString(path.join(lake, 'gold', table, '*.parquet'))})`;
  const described = await duck.runAndReadAll(`describe select * from ${source}`);
  const columns = described.getRows().map((r) => String(r[0]));
  const reader = await duck.runAndReadAll(`select ${columns.map((c) => `cast("${c}" as varchar)`).join(', ')} from ${source}
    order by ${TABLES[table].map((k) => `"${k}"`).join(', ')}`);
  return { columns, rows: reader.getRows().map((r) => r.map((v) => (v === null ? '<null>' : String(v)))) };
}

async function compareLakes(duckLake: string, sparkLake: string): Promise<Record<string, number>> {
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  const compared: Record<string, number> = {};
  try {
    for (const table of Object.keys(TABLES)) {
      const expected = await readTable(duck, duckLake, table);
      const actual = await readTable(duck, sparkLake, table);
      assert.deepEqual(actual.columns, expected.columns, `${table}: columns`);
      assert.equal(actual.rows.length, expected.rows.length, `${table}: row count`);
      for (let i = 0; i < expected.rows.length; i++) {
        if (actual.rows[i].join('\u0001') !== expected.rows[i].join('\u0001')) {
          assert.fail(`${table} row ${i} differs (sorted by ${TABLES[table].join(', ')}):\n  duckdb: ${expected.rows[i].join(' | ')}\n  spark:  ${actual.rows[i].join(' | ')}`);
        }
      }
      compared[table] = expected.rows.length;
    }
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
  return compared;
}

suite('differential: Glue job logic on pyspark vs the DuckDB engine', function () {
  this.timeout(600_000);
  let tmp: string;
  let target: MysqlTarget;
  let sparkRuns: Promise<{ runs: SparkRun[]; spark: { spark: string; startupSeconds: number; totalSeconds: number } }> | undefined;
  const duckSeconds: Record<string, number> = {};
  const lakes = { dump: { duck: '', spark: '' }, scaled: { duck: '', spark: '' }, broken: { duck: '', spark: '' } };
  let errorChecks: { name: string; ok: boolean; actual: string; message: string }[] = [];

  suiteSetup(async function () {
    requireTool(this, pythonHas('pyspark') && onPath('java') && fs.existsSync(JAR), 'pyspark with Java 17 and MySQL Connector/J', ENABLE);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-diff-'));
    for (const [name, l] of Object.entries(lakes)) {
      l.duck = path.join(tmp, `${name}-duckdb`);
      l.spark = path.join(tmp, `${name}-spark`);
    }
    target = await labTarget();
    await generateClassicmodels(target, { scale: SCALE, database: SCALED_DB, seed: 42 });
    const conn = await connectSource(target, target.database);
    try {
      for (const db of [BROKEN_WARN_DB, BROKEN_ERROR_DB]) {
        await queryRows(conn, `drop database if exists ${db}`);
        await queryRows(conn, `create database ${db}`);
        for (const table of SOURCE_TABLES) {
          await queryRows(conn, `create table ${db}.${table.name} like ${target.database}.${table.name}`);
          await queryRows(conn, `insert into ${db}.${table.name} select * from ${target.database}.${table.name}`);
        }
        await queryRows(conn, `update ${db}.orders set status = 'Lost in transit' where orderNumber in (10100, 10101)`);
      }
      await queryRows(conn, 'set foreign_key_checks = 0');
      await queryRows(conn, `insert into ${BROKEN_ERROR_DB}.products (productCode, productName, productLine, productScale, productVendor,
        productDescription, quantityInStock, buyPrice, MSRP) values ('S99_0001', 'Hover Car', 'Hovercraft', '1:10', 'Lab', 'broken', 1, 10.00, 20.00)`);
      await queryRows(conn, `insert into ${BROKEN_ERROR_DB}.orderdetails (orderNumber, productCode, quantityOrdered, priceEach, orderLineNumber)
        values (10100, 'S99_0002', 1, 5.00, 99)`);
    } finally {
      conn.destroy();
    }
    const modelDir = findModelDir(__dirname);
    await assert.rejects(runPipeline({ target, lakeDir: path.join(tmp, 'broken-error-duckdb'), modelDir, database: BROKEN_ERROR_DB }), (err: unknown) => {
      assert.ok(err instanceof ReconcileError, String(err));
      errorChecks = err.checks;
      return true;
    });
    for (const [name, database] of [['dump', target.database], ['scaled', SCALED_DB], ['broken', BROKEN_WARN_DB]] as const) {
      const t0 = performance.now();
      const result = await runPipeline({ target, lakeDir: lakes[name].duck, modelDir, database });
      duckSeconds[name] = (performance.now() - t0) / 1000;
      assert.equal(result.manifest.ok, true);
    }
  });

  suiteTeardown(async () => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (target) {
        const conn = await connectSource(target, target.database).catch(() => undefined);
      if (conn) {
        for (const db of [SCALED_DB, BROKEN_WARN_DB, BROKEN_ERROR_DB]) await queryRows(conn, `drop database if exists \`${db}\``).catch(() => undefined);
        conn.destroy();
      }
    }
  });

  /** Both pyspark runs in one process (one JVM start): the dump, then the scaled database. */
  function sparkBoth() {
    sparkRuns ??= (async () => {
      const r = await run('python3', [path.join(GLUE_DIR, 'local_run.py'), '--host', target.host, '--port', String(target.port),
        '--user', target.user, '--database', target.database, '--lake', lakes.dump.spark,
        '--run', `${SCALED_DB}=${lakes.scaled.spark}`, '--run', `${BROKEN_WARN_DB}=${lakes.broken.spark}`, '--master', 'local[2]', '--json'],
      { env: { ...process.env, LAB_DB_PASSWORD: target.password }, timeoutMs: 580_000 });
      assert.equal(r.code, 0, `local_run.py failed (exit ${r.code}):\n${tail(r.stderr, 30)}`);
      assert.ok(!r.output.includes(target.password), 'local_run.py printed the password');
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      return { runs: lines.filter((l) => 'runId' in l) as unknown as SparkRun[], spark: lines.find((l) => 'startupSeconds' in l) as never };
    })();
    return sparkRuns;
  }

  for (const [name, label] of [['dump', 'the lab dump'], ['scaled', `a generated database at scale ${SCALE}`],
    ['broken', 'the dump with an unknown order status (a warn test fails)']] as const) {
    test(`${label}: the pyspark lake equals the DuckDB lake, row by row`, async function () {
      const { runs, spark } = await sparkBoth();
      const sparkRun = runs.find((r) => r.lake === lakes[name].spark);
      assert.ok(sparkRun, `no pyspark run for ${name}: ${JSON.stringify(runs)}`);
      const compared = await compareLakes(lakes[name].duck, lakes[name].spark);
      const manifest = JSON.parse(fs.readFileSync(path.join(lakes[name].spark, 'gold', '_manifest.json'), 'utf8')) as {
        ok: boolean; engine: { name: string }; checks: { name: string; ok: boolean }[]; tables: Record<string, { rows: number }>; tests?: DataTestResult[];
      };
      const duckManifest = JSON.parse(fs.readFileSync(path.join(lakes[name].duck, 'gold', '_manifest.json'), 'utf8')) as { tests?: DataTestResult[] };
      assert.ok((duckManifest.tests ?? []).length >= 11, 'the DuckDB run recorded its data tests');
      assert.deepEqual(comparableTests(manifest.tests), comparableTests(duckManifest.tests), 'data test results, spark vs duckdb');
      assert.equal(manifest.tests!.filter((t) => t.status === 'warn').length, name === 'broken' ? 1 : 0);
      assert.equal(manifest.ok, true);
      assert.equal(manifest.engine.name, 'spark');
      assert.deepEqual(manifest.checks.filter((c) => !c.ok), []);
      assert.deepEqual(Object.fromEntries(Object.entries(manifest.tables).map(([t, v]) => [t, v.rows])), compared);
      const figures = `rows compared: ${Object.entries(compared).map(([t, n]) => `${t} ${n}`).join(', ')}; `
        + `pyspark run ${sparkRun.seconds.toFixed(1)} s (+ ${spark.startupSeconds.toFixed(1)} s Spark start-up, shared) `
        + `vs DuckDB engine ${duckSeconds[name].toFixed(1)} s`;
      console.log(`    ${label}: ${figures}`);
      // npm test prints test titles only: the figures go into this one's.
      this.test!.title += ` [${figures}]`;
    });
  }

  test('the dump with a product line and a product missing: the error tests fail both engines alike, naming the same rows', async () => {
    const failed = errorChecks.filter((c) => !c.ok);
    assert.deepEqual(failed.map((c) => c.name).sort(), ['not_null_dim_products_productLineDescription', 'relationships_fact_orders_productCode_to_dim_products']);
    const lake = path.join(tmp, 'broken-error-spark');
    const r = await run('python3', [path.join(GLUE_DIR, 'local_run.py'), '--host', target.host, '--port', String(target.port),
      '--user', target.user, '--database', BROKEN_ERROR_DB, '--lake', lake, '--master', 'local[2]', '--json'],
    { env: { ...process.env, LAB_DB_PASSWORD: target.password }, timeoutMs: 580_000 });
    assert.equal(r.code, 1, `local_run.py should refuse the broken source:\n${tail(r.stderr, 30)}`);
    for (const check of errorChecks) {
      // "<id> (<n> failing rows in <model.column>: (<first row>" as the DuckDB run said it (values may print differently).
      const said = new RegExp(`${check.name} \\(${check.message.split(': (')[0].replace(/[.()]/g, '\\$&')}: \\(`);
      if (check.ok) assert.doesNotMatch(r.stderr, new RegExp(`${check.name} \\(`), `${check.name} is not a reason`);
      else assert.match(r.stderr, said);
    }
    assert.match(r.stderr, /productCode=S99_0001/);
    assert.match(r.stderr, /orderNumber=10100, orderLineNumber=99/);
    assert.ok(!fs.existsSync(path.join(lake, 'gold', '_manifest.json')), 'nothing published');
  });
});
