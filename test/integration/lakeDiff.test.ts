import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { findModelDir } from '../../src/core/lake/model';
import { runPipeline } from '../../src/core/lake/pipeline';
import type { LakeComparison } from '../../src/core/compare';
import { editFactOrders, type FactEdit } from '../lakeEdit';
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
  let edit: FactEdit;

  suiteSetup(async () => {
    const target = await labTarget();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lake-diff-'));
    lakeA = path.join(tmp, 'a');
    lakeB = path.join(tmp, 'b');
    const run = await runPipeline({ target, lakeDir: lakeA, modelDir: findModelDir() });
    assert.ok(run.manifest.ok, 'the pipeline wrote lake A');
    await fs.cp(lakeA, lakeB, { recursive: true });
    edit = await editFactOrders(lakeB);
  });

  suiteTeardown(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

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
    const { changed, deleted, added } = edit;
    assert.deepEqual(fact.rows?.onlyLeft.map(key), [[String(deleted.orderNumber), deleted.productCode]]);
    assert.deepEqual(fact.rows?.onlyRight.map(key), [[String(added.orderNumber), added.productCode]]);
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
