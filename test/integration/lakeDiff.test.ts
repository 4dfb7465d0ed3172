import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { findModelDir } from '../../src/core/lake/model';
import { manifestPath } from '../../src/core/lake/manifest';
import { runPipeline } from '../../src/core/lake/pipeline';
import { listLakeTables } from '../../src/core/query/duckdb';
import { sqlLiteral } from '../../src/core/query/sqlText';
import type { LakeComparison } from '../../src/core/compare';
import { labTarget, runCli } from './fixture';

/**
 * `lifecycle-lab lake diff` on two real lakes: one written by the local pipeline from the lab's source, and a copy of
 * it with one fact row changed, one deleted and one added (its manifest updated as a run would, so the copy opens as
 * an intact lake). The diff must name exactly those three rows and nothing else.
 */
suite('lake diff: two local lakes side by side', function () {
  this.timeout(300_000);
  let tmp: string;
  let lakeA: string;
  let lakeB: string;
  const changed = { orderNumber: 0, productCode: '' };
  const deleted = { orderNumber: 0, productCode: '' };
  const ADDED_ORDER = 99_999;

  suiteSetup(async () => {
    const target = await labTarget();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-diff-'));
    lakeA = path.join(tmp, 'a');
    lakeB = path.join(tmp, 'b');
    const run = await runPipeline({ target, lakeDir: lakeA, modelDir: findModelDir() });
    assert.ok(run.manifest.ok, 'the pipeline wrote lake A');
    await fs.cp(lakeA, lakeB, { recursive: true });
    await editFactOrders(lakeB);
  });

  suiteTeardown(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  /** Rewrites lake B's fact_orders without one row, with one row's quantity and amount changed and one row added. */
  async function editFactOrders(lakeDir: string): Promise<void> {
    const fact = (await listLakeTables(lakeDir)).find((t) => t.name === 'fact_orders');
    assert.ok(fact && fact.files.length === 1, 'one fact_orders file');
    const file = fact.files[0];
    const edited = `${file}.edited`;
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    try {
      const source = `read_parquet(${sqlLiteral(file)})`;
      const picked = (await duck.runAndReadAll(`select orderNumber, productCode from ${source} order by orderNumber, productCode limit 2`)).getRowObjectsJS();
      Object.assign(changed, { orderNumber: Number(picked[0].orderNumber), productCode: String(picked[0].productCode) });
      Object.assign(deleted, { orderNumber: Number(picked[1].orderNumber), productCode: String(picked[1].productCode) });
      const is = (row: { orderNumber: number; productCode: string }) => `(orderNumber = ${row.orderNumber} and productCode = ${sqlLiteral(row.productCode)})`;
      await duck.run(`copy (
          select * replace (
            case when ${is(changed)} then quantityOrdered + 1 else quantityOrdered end as quantityOrdered,
            case when ${is(changed)} then cast(orderAmount + priceEach as decimal(18,2)) else orderAmount end as orderAmount)
          from ${source} where not ${is(deleted)}
          union all
          select * replace (${ADDED_ORDER} as orderNumber) from ${source} where ${is(changed)}
        ) to ${sqlLiteral(edited)} (format parquet)`);
    } finally {
      duck.closeSync();
      instance.closeSync();
    }
    await fs.rename(edited, file);
    const bytes = await fs.readFile(file);
    const manifest = JSON.parse(await fs.readFile(manifestPath(lakeDir), 'utf8')) as {
      tables: Record<string, { bytes: number; parts: Array<{ file: string; bytes: number; sha256: string }> }>;
    };
    const table = manifest.tables.fact_orders;
    const part = table.parts.find((p) => p.file === path.basename(file));
    assert.ok(part, 'the manifest lists the fact file');
    Object.assign(part, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    table.bytes = table.parts.reduce((sum, p) => sum + p.bytes, 0);
    await fs.writeFile(manifestPath(lakeDir), JSON.stringify(manifest, null, 2));
  }

  test('names exactly the changed, the deleted and the added fact row; the dimensions are equal; exit 1', async () => {
    const r = await runCli(['lake', 'diff', lakeA, lakeB, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const diff = JSON.parse(r.stdout) as LakeComparison;
    assert.deepEqual(diff.tables.map((t) => [t.table, t.equal]),
      [['dim_customers', true], ['dim_locations', true], ['dim_products', true], ['fact_orders', false]]);
    const fact = diff.tables.find((t) => t.table === 'fact_orders')!;
    assert.deepEqual(fact.key, ['orderNumber', 'productCode']);
    assert.equal(fact.rightRows, fact.leftRows, 'one row deleted, one added');
    const at = (name: string) => fact.columns.findIndex((c) => c.name === name);
    const key = (row: (string | null)[]) => [row[at('orderNumber')], row[at('productCode')]];
    assert.deepEqual(fact.rows?.onlyLeft.map(key), [[String(deleted.orderNumber), deleted.productCode]]);
    assert.deepEqual(fact.rows?.onlyRight.map(key), [[String(ADDED_ORDER), changed.productCode]]);
    assert.deepEqual(fact.rows?.differing.map((d) => [d.key, d.columns]),
      [[[String(changed.orderNumber), changed.productCode], ['quantityOrdered', 'orderAmount']]]);
    assert.equal(fact.rows?.equalRows, fact.leftRows! - 2);
    const amount = fact.money.find((m) => m.column === 'orderAmount')!;
    assert.equal(amount.equal, false);
    assert.match(amount.left ?? '', /^\d+\.\d{2}$/, 'an exact total to the cent');
  });

  test('the human output puts A and B side by side per table; a lake against itself is equal, exit 0', async () => {
    const r = await runCli(['lake', 'diff', lakeA, lakeB, '--limit', '1']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /fact_orders \(key orderNumber, productCode\): DIFFERENT/);
    assert.match(r.stdout, /rows that differ: 1\n {4}orderNumber=\d+, productCode=\S+: quantityOrdered A \d+ \| B \d+; orderAmount A/);
    assert.match(r.stdout, /dim_customers \(key customerNumber\): equal/);
    const same = await runCli(['lake', 'diff', lakeA, path.join(lakeA, 'gold')]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /The lakes are equal: 4 tables/);
  });

  test('usage: one lake, a bad --limit, or a folder that is not a lake', async () => {
    assert.equal((await runCli(['lake', 'diff', lakeA])).code, 2);
    assert.equal((await runCli(['lake', 'diff', lakeA, lakeB, '--limit', 'many'])).code, 2);
    const notALake = await runCli(['lake', 'diff', lakeA, tmp, '--json']);
    assert.equal(notALake.code, 1);
    assert.match(notALake.stdout, /not a lake: there is no gold\/_manifest\.json/);
  });
});
