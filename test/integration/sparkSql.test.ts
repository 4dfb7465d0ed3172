import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel, findModelDir } from '../../src/core/lake/model';
import { runPipeline } from '../../src/core/lake/pipeline';
import { connectSource, queryRows } from '../../src/core/lake/source';
import { SOURCE_TABLES } from '../../src/core/lake/sourceSchema';
import { DuckDbLakeEngine } from '../../src/core/query/duckdb';
import { labTarget } from './fixture';

const HELPER = path.resolve(__dirname, '../../../test/integration/spark_model_check.py');
const ENABLE = 'pip install pyspark==3.5.4 (needs Java 17), then rerun; with CI=true this test must run';

interface SparkOutput {
  spark: string;
  empty: { table: string; ok: boolean; error: string | null; columns: string[] }[];
  extra: { name: string; ok: boolean; error: string | null }[];
  data: { fact_rows: number; order_amount_total: string; by_product_line: Record<string, string>; locations: number; location_keys: number } | null;
}

function pysparkAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import pyspark'], { stdio: 'ignore' }).status === 0;
}

function runSpark(specFile: string): Promise<SparkOutput> {
  return new Promise((resolve, reject) => {
    execFile('python3', [HELPER, specFile], { maxBuffer: 64 * 1024 * 1024, timeout: 240_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as SparkOutput);
    });
  });
}

/**
 * The model is written in the SQL subset DuckDB and Spark SQL share. Every model file runs through Spark SQL
 * over empty views with the source schema, and then over the lab dump, where Spark's totals must equal the
 * local engine's.
 */
suite('model SQL on Spark', function () {
  this.timeout(300_000);
  let tmp: string;

  suiteSetup(function () {
    if (!pysparkAvailable()) {
      if (process.env.CI === 'true') throw new Error(`pyspark is not installed: ${ENABLE}`);
      console.log(`    skipped: pyspark is not installed. To enable: ${ENABLE}`);
      this.skip();
    }
  });

  suiteTeardown(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('every model file runs on Spark SQL, a DuckDB-only construct fails, and Spark matches DuckDB on the lab dump', async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'spark-model-'));
    const modelDir = findModelDir(__dirname);
    const models = await loadModel(modelDir);
    const target = await labTarget();

    const data: Record<string, unknown[][]> = {};
    const conn = await connectSource(target, target.database);
    try {
      for (const table of SOURCE_TABLES) {
        data[table.name] = await queryRows(conn, `select ${table.columns.map((c) => `\`${c.name}\``).join(', ')} from \`${table.name}\``);
      }
    } finally {
      conn.destroy();
    }

    const spec = {
      tables: SOURCE_TABLES.map((t) => ({ name: t.name, columns: t.columns.map((c) => ({ name: c.name, type: c.type })) })),
      models: models.map((m) => ({ table: m.table, sql: m.sql })),
      data,
      // Negative controls: DuckDB accepts these, Spark must not, or the check proves nothing.
      extra: [
        { name: 'duckdb_cast_operator', sql: 'select customerNumber::varchar as c from customers' },
        { name: 'duckdb_list_literal', sql: 'select [1, 2, 3] as l from customers' },
      ],
    };
    const specFile = path.join(tmp, 'spec.json');
    await fs.writeFile(specFile, JSON.stringify(spec));
    const spark = await runSpark(specFile);

    assert.equal(spark.spark, '3.5.4');
    for (const result of spark.empty) assert.ok(result.ok, `${result.table}.sql fails on Spark SQL: ${result.error}`);
    assert.deepEqual(spark.extra.map((e) => [e.name, e.ok]), [['duckdb_cast_operator', false], ['duckdb_list_literal', false]]);

    // Same column names on both engines.
    const lakeDir = path.join(tmp, 'lake');
    await runPipeline({ target, lakeDir, modelDir });
    const engine = new DuckDbLakeEngine(lakeDir);
    try {
      const published = new Set(models.filter((m) => m.published).map((m) => m.table));
      for (const result of spark.empty.filter((r) => published.has(r.table))) {
        const duck = await engine.query(`select * from ${result.table} limit 0`);
        assert.deepEqual(result.columns, duck.columns.map((c) => c.name), `${result.table} columns`);
      }
      const total = await engine.query('select count(*), cast(sum(orderAmount) as varchar) from fact_orders');
      const byLine = await engine.query(`select p.productLine, cast(sum(f.orderAmount) as varchar)
        from fact_orders f join dim_products p on p.productCode = f.productCode group by 1`);
      const locations = await engine.query('select count(*), count(distinct locationKey) from dim_locations');
      assert.ok(spark.data);
      assert.equal(spark.data.fact_rows, total.rows[0][0]);
      assert.equal(spark.data.order_amount_total, total.rows[0][1]);
      assert.deepEqual(spark.data.by_product_line, Object.fromEntries(byLine.rows.map((r) => [r[0], r[1]])));
      assert.deepEqual([spark.data.locations, spark.data.location_keys], locations.rows[0]);
    } finally {
      await engine.close();
    }
  });
});
