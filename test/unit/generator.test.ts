import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generatedCounts, generatedTables, Rng, type Row } from '../../src/core/lab/generator';

function tables(scale: number, seed: number): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const plan of generatedTables(scale, seed)) out.set(plan.table, [...plan.rows()]);
  return out;
}

function digest(t: Map<string, Row[]>): string {
  const h = createHash('sha256');
  for (const [name, rows] of t) h.update(`${name}\n${rows.map((r) => r.join('\t')).join('\n')}`);
  return h.digest('hex');
}

suite('lab: generator (no database)', () => {
  test('the PRNG is deterministic per seed and stream and stays in range', () => {
    const a = new Rng(1, 'x');
    const b = new Rng(1, 'x');
    const c = new Rng(1, 'y');
    const xs = Array.from({ length: 1000 }, () => a.int(1, 18));
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.int(1, 18)));
    assert.notDeepEqual(xs, Array.from({ length: 1000 }, () => c.int(1, 18)));
    assert.equal(Math.min(...xs), 1);
    assert.equal(Math.max(...xs), 18);
  });

  test('same scale and seed give the same rows; another seed gives others', () => {
    assert.equal(digest(tables(2, 5)), digest(tables(2, 5)));
    assert.notEqual(digest(tables(2, 5)), digest(tables(2, 6)));
  });

  test('row counts are scale x the dump except the 7 product lines', () => {
    const t = tables(3, 1);
    const expected = generatedCounts(3);
    for (const [name, rows] of t) assert.equal(rows.length, expected[name as keyof typeof expected], name);
    assert.equal(expected.productlines, 7);
    assert.equal(expected.orderdetails, 3 * 2996);
  });

  test('keys are unique, references resolve, and values follow the lab\'s shape', () => {
    const t = tables(2, 3);
    const unique = (rows: Row[], key: (r: Row) => string) => new Set(rows.map(key)).size === rows.length;
    const products = t.get('products')!;
    const orders = t.get('orders')!;
    const details = t.get('orderdetails')!;
    const customers = t.get('customers')!;
    const employees = t.get('employees')!;
    assert.ok(unique(products, (r) => String(r[0])));
    assert.ok(unique(orders, (r) => String(r[0])));
    assert.ok(unique(details, (r) => `${r[0]}|${r[1]}`));
    assert.ok(unique(t.get('payments')!, (r) => `${r[0]}|${r[1]}`));
    const productCodes = new Set(products.map((r) => r[0]));
    const customerNumbers = new Set(customers.map((r) => r[0]));
    const employeeNumbers = new Set(employees.map((r) => r[0]));
    const lines = new Set(t.get('productlines')!.map((r) => r[0]));
    assert.ok(details.every((r) => productCodes.has(r[1])));
    assert.ok(orders.every((r) => customerNumbers.has(r[6])));
    assert.ok(t.get('payments')!.every((r) => customerNumbers.has(r[0])));
    assert.ok(customers.every((r) => r[11] === null || employeeNumbers.has(r[11])));
    assert.ok(employees.every((r) => r[6] === null || employeeNumbers.has(r[6])));
    assert.ok(products.every((r) => lines.has(r[2])));
    // Dates within the lab's range, 1..18 lines per order, prices at or under MSRP.
    assert.ok(orders.every((r) => String(r[1]) >= '2003-01-01' && String(r[1]) <= '2005-05-31'));
    const perOrder = new Map<unknown, number>();
    for (const r of details) perOrder.set(r[0], (perOrder.get(r[0]) ?? 0) + 1);
    assert.ok([...perOrder.values()].every((n) => n >= 1 && n <= 18));
    assert.equal(perOrder.size, orders.length);
    const msrp = new Map(products.map((r) => [r[0], Number(r[8])]));
    assert.ok(details.every((r) => Number(r[3]) <= msrp.get(r[1])! && Number(r[3]) >= 0.6 * msrp.get(r[1])!));
    // Several countries, the largest being the USA as in the dump.
    const byCountry = new Map<unknown, number>();
    for (const r of customers) byCountry.set(r[10], (byCountry.get(r[10]) ?? 0) + 1);
    assert.ok(byCountry.size >= 15);
    assert.equal([...byCountry].sort((a, b) => b[1] - a[1])[0][0], 'USA');
  });
});

suite('lab: generator schema', () => {
  test('splitIndexes keeps the primary key and moves secondary and foreign keys to one ALTER', async () => {
    const { classicmodelsSchema, splitIndexes } = await import('../../src/core/lab/generator');
    const ddl = (await classicmodelsSchema()).get('orderdetails')!;
    const { create, addLater } = splitIndexes(ddl);
    assert.match(create, /PRIMARY KEY \(`orderNumber`,`productCode`\)\s*\) ENGINE=InnoDB/);
    assert.doesNotMatch(create, /CONSTRAINT|\bKEY `productCode`/);
    assert.deepEqual(addLater, [
      'ADD KEY `productCode` (`productCode`)',
      'ADD CONSTRAINT `orderdetails_ibfk_1` FOREIGN KEY (`orderNumber`) REFERENCES `orders` (`orderNumber`)',
      'ADD CONSTRAINT `orderdetails_ibfk_2` FOREIGN KEY (`productCode`) REFERENCES `products` (`productCode`)',
    ]);
    assert.equal((await classicmodelsSchema()).size, 8);
  });
});
