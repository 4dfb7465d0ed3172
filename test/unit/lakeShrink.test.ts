/**
 * Issue 19, item 2: a run that would replace a lake with one that lost most of its fact rows needs a confirmation, and
 * the question says what it would replace.
 */
import * as assert from 'node:assert/strict';
import type { LakeManifest } from '../../src/core/run/manifest';
import { lakeShrink } from '../../src/core/lake/shrink';
import { describeShrink } from '../../src/core/run/shrink';

/** A lake manifest as a run writes it, with the fields the shrink check reads. */
function manifest(factRows: number, total: string): LakeManifest {
  return {
    runId: '20261207T050000Z-abc123', startedAt: '2026-12-07T05:00:00.000Z', finishedAt: '2026-12-07T05:00:02.000Z', model: 'star-v1',
    engine: { name: 'duckdb', version: 'v1' },
    source: { host: '127.0.0.1', port: 3306, database: 'classicmodels', counts: { orderdetails: factRows }, orderAmountTotal: total },
    tables: { fact_orders: { rows: factRows, files: 1, bytes: 10 } }, checks: [], ok: true,
  };
}

suite('lake safety: a run that loses most of the lake asks first', () => {
  test('losing every row, or more than half, of a non-empty lake is a shrink; keeping half or more, or a first lake, is not', () => {
    const previous = manifest(2996, '9604190.61');
    const shrink = lakeShrink('/l', previous, { factRows: 0, orderAmountTotal: '0.00', database: 'empty_db' });
    assert.ok(shrink);
    assert.deepEqual(shrink.previous, { runId: '20261207T050000Z-abc123', finishedAt: '2026-12-07T05:00:02.000Z', factRows: 2996, orderAmountTotal: '9604190.61' });
    assert.ok(lakeShrink('/l', previous, { factRows: 1497, orderAmountTotal: '1.00', database: 'd' }), 'lost 1,499 of 2,996');
    assert.equal(lakeShrink('/l', previous, { factRows: 1498, orderAmountTotal: '1.00', database: 'd' }), undefined, 'kept exactly half');
    assert.equal(lakeShrink('/l', previous, { factRows: 5000, orderAmountTotal: '1.00', database: 'd' }), undefined);
    assert.equal(lakeShrink('/l', undefined, { factRows: 0, orderAmountTotal: '0.00', database: 'd' }), undefined, 'no lake yet');
    assert.equal(lakeShrink('/l', manifest(0, '0.00'), { factRows: 0, orderAmountTotal: '0.00', database: 'd' }), undefined, 'an empty lake loses nothing');
  });

  test('the description says what would be replaced: fact rows, total, run id and time, and what replaces it', () => {
    const text = describeShrink(lakeShrink('/work/lake', manifest(2996, '9604190.61'), { factRows: 0, orderAmountTotal: '0.00', database: 'empty_db' })!);
    for (const part of ['/work/lake', '2,996 fact rows', '9604190.61', '20261207T050000Z-abc123', '2026-12-07T05:00:02.000Z', '0 fact rows', 'empty_db']) {
      assert.ok(text.includes(part), `${part} in: ${text}`);
    }
  });
});
