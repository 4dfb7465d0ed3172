import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { manifestPath } from '../src/core/lake/manifest';
import { listLakeTables } from '../src/core/query/lakeTables';
import { sqlLiteral } from '../src/core/query/sqlText';

/** A fact row by its key (orderNumber, productCode). */
export interface FactKey {
  orderNumber: number;
  productCode: string;
}

/** What editFactOrders did to the lake. */
export interface FactEdit {
  /** Its quantityOrdered is one more, and its orderAmount one priceEach more. */
  changed: FactKey;
  deleted: FactKey;
  /** A copy of the changed row (before the change) under another order number. */
  added: FactKey;
}

/**
 * Rewrites a local lake's fact_orders (a copy made for a test) with one row changed, one deleted and one added, and
 * records the new file's size and SHA-256 in the lake's manifest as a run would, so the lake still opens as intact.
 */
export async function editFactOrders(lakeDir: string, addedOrderNumber = 99_999): Promise<FactEdit> {
  const fact = (await listLakeTables(lakeDir)).find((t) => t.name === 'fact_orders');
  assert.ok(fact && fact.files.length === 1, 'one fact_orders file');
  const file = fact.files[0];
  const edited = `${file}.edited`;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  let edit: FactEdit;
  try {
    const source = `read_parquet(${sqlLiteral(file)})`;
    const picked = (await duck.runAndReadAll(`select orderNumber, productCode from ${source} order by orderNumber, productCode limit 2`)).getRowObjectsJS();
    const key = (row: Record<string, unknown>): FactKey => ({ orderNumber: Number(row.orderNumber), productCode: String(row.productCode) });
    edit = { changed: key(picked[0]), deleted: key(picked[1]), added: { ...key(picked[0]), orderNumber: addedOrderNumber } };
    const is = (row: FactKey) => `(orderNumber = ${row.orderNumber} and productCode = ${sqlLiteral(row.productCode)})`;
    await duck.run(`copy (
        select * replace (
          case when ${is(edit.changed)} then quantityOrdered + 1 else quantityOrdered end as quantityOrdered,
          case when ${is(edit.changed)} then cast(orderAmount + priceEach as decimal(18,2)) else orderAmount end as orderAmount)
        from ${source} where not ${is(edit.deleted)}
        union all
        select * replace (${addedOrderNumber} as orderNumber) from ${source} where ${is(edit.changed)}
      ) to ${sqlLiteral(edited)} (format parquet)`);
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
  await fs.rename(edited, file);
  await recordRewrittenFile(lakeDir, 'fact_orders', file);
  return edit;
}

/** Records a rewritten file of a table in the lake's manifest (its size, SHA-256 and the table's bytes) as a run would. */
export async function recordRewrittenFile(lakeDir: string, table: string, file: string, rows?: number): Promise<void> {
  const bytes = await fs.readFile(file);
  const manifest = JSON.parse(await fs.readFile(manifestPath(lakeDir), 'utf8')) as {
    tables: Record<string, { rows: number; bytes: number; parts: Array<{ file: string; bytes: number; sha256: string }> }>;
  };
  const stats = manifest.tables[table];
  const part = stats.parts.find((p) => p.file === path.basename(file));
  assert.ok(part, `the manifest lists ${file}`);
  Object.assign(part, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  stats.bytes = stats.parts.reduce((sum, p) => sum + p.bytes, 0);
  if (rows !== undefined) stats.rows = rows;
  await fs.writeFile(manifestPath(lakeDir), JSON.stringify(manifest, null, 2));
}
