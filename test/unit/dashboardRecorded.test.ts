import * as assert from 'node:assert/strict';
import { isRecordedAnswer, topProductsFromRecord, type RecordedTopProducts } from '../../src/core/dashboard/recorded';

suite('dashboard answers recorded in the run manifest', () => {
  const record: RecordedTopProducts = {
    columns: [{ name: 'productName', type: 'VARCHAR' }, { name: 'totalSales', type: 'DECIMAL(38,2)' }],
    rows: Array.from({ length: 10 }, (_, i) => [`p${i}`, 100 - i]),
    startDate: '2003-01-06', endDate: '2005-05-31', n: 10,
  };
  const all = { startDate: '2003-01-06', endDate: '2005-05-31', country: '', productLine: '', n: 5 };

  test('an unfiltered Top-N over every recorded date is the record\'s first N rows', () => {
    assert.deepEqual(topProductsFromRecord(record, all)?.rows, record.rows.slice(0, 5));
    assert.deepEqual(topProductsFromRecord(record, { ...all, startDate: '1999-01-01', endDate: '2030-01-01', n: 10 })?.rows, record.rows);
  });

  test('a filter, a narrower date range or a larger N than recorded is not answered from the record', () => {
    for (const filter of [{ ...all, country: 'France' }, { ...all, productLine: 'Ships' }, { ...all, startDate: '2003-01-07' },
      { ...all, endDate: '2005-05-30' }, { ...all, n: 11 }]) {
      assert.equal(topProductsFromRecord(record, filter), undefined, JSON.stringify(filter));
    }
  });

  test('malformed records are refused', () => {
    assert.equal(topProductsFromRecord({ ...record, n: '10' }, all), undefined);
    assert.equal(topProductsFromRecord(undefined, all), undefined);
    assert.equal(isRecordedAnswer({ columns: record.columns, rows: [['a']] }), false, 'a row narrower than the columns');
    assert.equal(isRecordedAnswer({ columns: record.columns, rows: [['a', { x: 1 }]] }), false, 'a value that is not a scalar');
    assert.equal(isRecordedAnswer({ columns: [{ name: 'a' }], rows: [] }), false, 'a column without a type');
    assert.equal(isRecordedAnswer({ columns: record.columns, rows: record.rows }), true);
  });
});
