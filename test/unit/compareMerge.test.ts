import * as assert from 'node:assert/strict';
import { CancelledError } from '../../src/core/errors';
import { mergeSortedRows, type CanonicalRow } from '../../src/core/compare/merge';
import { canonicalDecimal, canonicalValue, compareValues, unpackValues, valueKind, type CompareColumn } from '../../src/core/compare/values';

/** The merge of two key-ordered row streams and the canonical values it compares, without an engine. */

const COLUMNS: CompareColumn[] = [
  { name: 'id', kind: 'decimal', scale: 0 },
  { name: 'name', kind: 'text', scale: 0 },
  { name: 'amount', kind: 'decimal', scale: 2 },
];

async function* rows(list: CanonicalRow[]): AsyncGenerator<CanonicalRow> {
  for (const row of list) yield row;
}

function merge(left: CanonicalRow[], right: CanonicalRow[], limit = 10) {
  return mergeSortedRows(rows(left), rows(right), { columns: COLUMNS, keyIndexes: [0], limit });
}

suite('Compare Lakes: merging two ordered row streams', () => {
  test('equal sides: every row equal, nothing on one side only', async () => {
    const side = [['1', 'a', '1.00'], ['2', 'b', '2.50'], ['10', 'c', null]];
    const diff = await merge(side, side.map((r) => [...r]));
    assert.deepEqual({ ...diff }, {
      leftRows: 3, rightRows: 3, equalRows: 3, onlyLeftCount: 0, onlyRightCount: 0, differingCount: 0,
      onlyLeft: [], onlyRight: [], differing: [],
    });
  });

  test('names the keys only on the left, only on the right, and the rows that differ with their columns', async () => {
    const diff = await merge(
      [['1', 'a', '1.00'], ['2', 'b', '2.00'], ['3', 'c', '3.00'], ['5', 'e', '5.00']],
      [['1', 'a', '1.00'], ['3', 'c', '3.01'], ['4', 'd', '4.00'], ['5', 'E', '5.00'], ['6', 'f', '6.00']]);
    assert.deepEqual(diff.onlyLeft, [['2', 'b', '2.00']]);
    assert.deepEqual(diff.onlyRight, [['4', 'd', '4.00'], ['6', 'f', '6.00']]);
    assert.deepEqual(diff.differing, [
      { key: ['3'], left: ['3', 'c', '3.00'], right: ['3', 'c', '3.01'], columns: ['amount'] },
      { key: ['5'], left: ['5', 'e', '5.00'], right: ['5', 'E', '5.00'], columns: ['name'] },
    ]);
    assert.equal(diff.equalRows, 1);
    assert.deepEqual([diff.leftRows, diff.rightRows], [4, 5]);
  });

  test('a numeric key is walked in numeric order (9 before 10), as the engines ORDER BY it', async () => {
    const diff = await merge([['9', 'a', null], ['10', 'b', null]], [['10', 'b', null]]);
    assert.deepEqual([diff.onlyLeftCount, diff.equalRows, diff.onlyRightCount], [1, 1, 0], 'compared as text, 10 would sort before 9 and no row would pair');
  });

  test('NULL equals NULL, differs from an empty string, and a NULL key sorts last', async () => {
    const diff = await merge(
      [['1', null, null], ['2', null, '2.00'], [null, 'x', null]],
      [['1', null, null], ['2', '', '2.00'], [null, 'x', null]]);
    assert.equal(diff.differingCount, 1);
    assert.deepEqual(diff.differing[0].columns, ['name']);
    assert.equal(diff.equalRows, 2);
    assert.equal(diff.onlyLeftCount + diff.onlyRightCount, 0);
  });

  test('counts every difference but keeps only the first `limit` of each kind', async () => {
    const left = Array.from({ length: 50 }, (_, i) => [String(i * 2), 'l', null]);
    const right = Array.from({ length: 50 }, (_, i) => [String(i * 2 + 1), 'r', null]);
    const diff = await merge(left, right, 3);
    assert.deepEqual([diff.onlyLeftCount, diff.onlyRightCount], [50, 50]);
    assert.deepEqual(diff.onlyLeft.map((r) => r[0]), ['0', '2', '4']);
    assert.deepEqual(diff.onlyRight.map((r) => r[0]), ['1', '3', '5']);
  });

  test('a key repeated on one side pairs with the other side in order; the rest is on that side only', async () => {
    const diff = await merge([['1', 'a', null], ['1', 'b', null]], [['1', 'a', null]]);
    assert.deepEqual([diff.equalRows, diff.onlyLeftCount], [1, 1]);
  });

  test('an aborted signal ends the merge cancelled and closes both streams', async () => {
    const controller = new AbortController();
    let closed = 0;
    async function* endless(): AsyncGenerator<CanonicalRow> {
      try {
        for (let i = 0; ; i++) {
          if (i === 15_000) controller.abort();
          yield [String(i), 'x', null];
        }
      } finally {
        closed++;
      }
    }
    await assert.rejects(mergeSortedRows(endless(), endless(), { columns: COLUMNS, keyIndexes: [0], limit: 1, signal: controller.signal }),
      (err) => err instanceof CancelledError);
    assert.equal(closed, 2);
  });
});

suite('Compare Lakes: canonical values across engines', () => {
  test('decimals compare at their scale: 12.3, 12.30 and 12.300 are one value; a digit past the scale is kept', () => {
    const money = valueKind('DECIMAL(10,2)');
    assert.deepEqual(money, { kind: 'decimal', scale: 2 });
    for (const v of ['12.3', '12.30', '12.300', 12.3, '+12.30', '012.30']) assert.equal(canonicalValue(v, money), '12.30', String(v));
    assert.equal(canonicalValue('12.305', money), '12.305');
    assert.equal(canonicalValue('-0.00', money), '0.00');
    assert.equal(canonicalValue(7, valueKind('INTEGER')), '7');
    assert.equal(canonicalValue(9_604_190.61, money), '9604190.61');
    assert.equal(canonicalDecimal('abc', 2), undefined);
  });

  test('dates as ISO, timestamps without a zero fraction, floats as numbers, booleans as text, NULL as null', () => {
    assert.equal(canonicalValue('2003-01-06', valueKind('DATE')), '2003-01-06');
    assert.equal(canonicalValue('2003-01-06T10:00:00.000', valueKind('TIMESTAMP')), canonicalValue('2003-01-06 10:00:00', valueKind('timestamp(3)')));
    assert.equal(canonicalValue('1.5E0', valueKind('DOUBLE')), canonicalValue(1.5, valueKind('DOUBLE')));
    assert.equal(canonicalValue(true, valueKind('BOOLEAN')), 'true');
    assert.equal(canonicalValue(null, valueKind('VARCHAR')), null);
  });

  test('a packed row reads back whatever its values hold: separators, digits, dashes, NULL, the empty string, emoji', () => {
    const values = ['3:abc', '-', null, '', '\u{1F600}x', '12.30', ':'];
    const packed = values.map((v) => (v === null ? '-' : `${Array.from(v).length}:${v}`)).join('');
    assert.deepEqual(unpackValues(packed, values.length), values);
  });

  test('ordering: decimals by value, text by code point (as UTF-8 bytes sort), NULL last', () => {
    assert.ok(compareValues('-5', '-10', 'decimal') > 0);
    assert.ok(compareValues('2.5', '10.25', 'decimal') < 0);
    assert.ok(compareValues('\u{1F600}', '\uFFFD', 'text') > 0, 'an emoji is past U+FFFD in UTF-8, though JS sorts its surrogates before it');
    assert.ok(compareValues(null, 'a', 'text') > 0);
    assert.equal(compareValues(null, null, 'decimal'), 0);
  });
});
