/**
 * Untyped data the editor's front ends receive, checked by schema: Open Dashboard's arguments (from other commands,
 * tests, tree items) and the notebook table renderer's messages. Well-formed ones pass whole; malformed ones are
 * refused naming the field, never half-applied.
 */
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { parseDashboardOpenOptions } from '../../src/commands/dashboardOptions';
import { parseRendererMessage } from '../../src/notebook/rendererMessages';
import { expectLabError } from '../helpers';

suite('front-end messages: Open Dashboard options and notebook renderer messages (valibot)', () => {
  const filter = { startDate: '2004-01-01', endDate: '2004-12-31', country: 'France', productLine: 'Classic Cars', n: 3 };

  test('Open Dashboard: a whole or partial Top-N filter passes as given; no filter (palette, tree item) opens as it is', () => {
    assert.deepEqual(parseDashboardOpenOptions({ topProducts: filter }), { topProducts: filter });
    assert.deepEqual(parseDashboardOpenOptions({ topProducts: { n: 5 } }), { topProducts: { n: 5 } });
    for (const raw of [undefined, null, 'x', 42, { id: 'lake:fact_orders', label: 'fact_orders' }]) {
      assert.deepEqual(parseDashboardOpenOptions(raw), {}, JSON.stringify(raw));
    }
  });

  test('Open Dashboard: a malformed filter is refused naming the field, not applied in part', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...filter, n: 0 }, /topProducts\.n must be a whole number from 1 to 10 \(got 0\)/],
      [{ ...filter, n: 2.5 }, /topProducts\.n must be a whole number from 1 to 10 \(got 2\.5\)/],
      [{ ...filter, startDate: '2004-13-45' }, /topProducts\.startDate must be a real date \(got "2004-13-45"\)/],
      [{ ...filter, endDate: '31/12/2004' }, /topProducts\.endDate must be a date written YYYY-MM-DD/],
      [{ ...filter, country: 'x'.repeat(201) }, /topProducts\.country must be at most 200 characters/],
      [{ ...filter, limit: 3 }, /topProducts\.limit must be an object of startDate, endDate, country, productLine and n only/],
      ['France', /topProducts must be an object of/],
    ];
    for (const [topProducts, message] of cases) {
      const err = await expectLabError(Promise.resolve().then(() => parseDashboardOpenOptions({ topProducts })), 'config');
      assert.match(err.message, message, JSON.stringify(topProducts));
      assert.match(err.nextStep?.label ?? '', /Top-N controls/);
    }
  });

  test('notebook renderer: copy and export messages pass; anything else is refused with the reason', () => {
    const resultId = randomUUID();
    assert.deepEqual(parseRendererMessage({ type: 'copy', text: 'a\tb\n1\t2' }), { message: { type: 'copy', text: 'a\tb\n1\t2' } });
    assert.deepEqual(parseRendererMessage({ type: 'export', resultId }), { message: { type: 'export', resultId } });
    const refused: Array<[unknown, RegExp]> = [
      [{ type: 'copy' }, /^text must be a copy message: type and text only \(got undefined\)$/],
      [{ type: 'copy', text: 42 }, /^text must be text \(got 42\)$/],
      [{ type: 'export', resultId: '../../etc/passwd' }, /^resultId must be a result id \(a UUID\)/],
      [{ type: 'export', resultId, sql: 'drop table x' }, /^sql must be an export message: type and resultId only/],
      [{ type: 'run', sql: 'select 1' }, /^type must be a copy or export message \(got "run"\)$/],
      [null, /^the message must be a copy or export message \(got null\)$/],
      ['copy', /^the message must be a copy or export message/],
    ];
    for (const [raw, why] of refused) {
      const parsed = parseRendererMessage(raw);
      assert.ok('refused' in parsed, `accepted ${JSON.stringify(raw)}`);
      assert.match(parsed.refused, why, JSON.stringify(raw));
    }
  });
});
