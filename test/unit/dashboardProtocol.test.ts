import * as assert from 'node:assert/strict';
import { toCsv } from '../../src/core/dashboard/csv';
import { sqlForCopy, QUERIES } from '../../src/core/dashboard/queries';
import { assessLake } from '../../src/core/dashboard/lakeStatus';
import { buildCsp, createNonce } from '../../src/webview/csp';
import { defaultTopProductsFilter, initialRequests, NEW_PAGE_STATE } from '../../src/webview/dashboardRequests';
import { parseHostMessage, parsePageMessage } from '../../src/webview/protocol';

const FILTER = { startDate: '2004-01-01', endDate: '2004-12-31', country: 'France', productLine: 'Classic Cars', n: 3 };

suite('dashboard protocol', () => {
  test('the host accepts well-formed page messages', () => {
    assert.deepEqual(parsePageMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parsePageMessage({ type: 'load', requestId: 4, request: { id: 'topProducts', filter: FILTER } }),
      { type: 'load', requestId: 4, request: { id: 'topProducts', filter: FILTER } });
    assert.deepEqual(parsePageMessage({ type: 'load', requestId: 5, request: { id: 'salesDetail', page: 2 } }),
      { type: 'load', requestId: 5, request: { id: 'salesDetail', page: 2 } });
    assert.deepEqual(parsePageMessage({ type: 'load', requestId: 6, request: { id: 'kpis' }, fresh: true }),
      { type: 'load', requestId: 6, request: { id: 'kpis' }, fresh: true });
    assert.deepEqual(parsePageMessage({ type: 'load', requestId: 7, request: { id: 'products', query: { page: 0, search: 'ford', sortColumn: 'productName', descending: true } } }),
      { type: 'load', requestId: 7, request: { id: 'products', query: { page: 0, search: 'ford', sortColumn: 'productName', descending: true } } });
    assert.deepEqual(parsePageMessage({ type: 'runCommand', command: 'lifecycleLab.pipeline.run' }), { type: 'runCommand', command: 'lifecycleLab.pipeline.run' });
    const report = { dataset: 'salesByCountry', state: 'data', rowCount: 2, labels: ['USA', 'France'], values: [1, 2] };
    assert.deepEqual(parsePageMessage({ type: 'rendered', report }), { type: 'rendered', report });
    const marks = [{ name: 'scriptStart', at: 1_700_000_000_000.5 }, { name: 'painted:kpis', at: 1_700_000_000_100 }];
    assert.deepEqual(parsePageMessage({ type: 'timings', marks }), { type: 'timings', marks });
  });

  test('the questions the host starts ahead are, key for key, the requests a new page sends', () => {
    // The host finds a started answer by the request's JSON as the page's message parses: same keys, same order.
    const options = { countries: ['France'], productLines: ['Planes'], firstOrderDate: '2003-01-06', lastOrderDate: '2005-05-31' };
    const requests = [...initialRequests(NEW_PAGE_STATE), { id: 'topProducts' as const, filter: defaultTopProductsFilter(options) }];
    assert.deepEqual(requests.map((r) => r.id).sort(), ['filterOptions', 'kpis', 'lakeStatus', 'monthlySales', 'products', 'salesByCountry',
      'salesByProductLine', 'salesDetail', 'topProducts']);
    for (const request of requests) {
      const parsed = parsePageMessage({ type: 'load', requestId: 1, request });
      assert.ok(parsed?.type === 'load', `${request.id} is a valid request`);
      assert.equal(JSON.stringify(parsed.request), JSON.stringify(request));
    }
  });

  test('the host drops anything else', () => {
    for (const bad of [
      null, 'ready', { type: 'nope' },
      { type: 'load', requestId: 1, request: { id: 'dropTables' } },
      { type: 'load', requestId: '1', request: { id: 'kpis' } },
      { type: 'load', requestId: 1, request: { id: 'topProducts', filter: { ...FILTER, n: 11 } } },
      { type: 'load', requestId: 1, request: { id: 'topProducts', filter: { ...FILTER, startDate: '2004-01-01; drop table x' } } },
      { type: 'load', requestId: 1, request: { id: 'salesDetail', page: -1 } },
      { type: 'load', requestId: 1, request: { id: 'kpis' }, fresh: 'yes' },
      { type: 'load', requestId: 1, request: { id: 'products', query: { page: 0, search: '', sortColumn: 'productName desc; --', descending: false } } },
      { type: 'load', requestId: 1, request: { id: 'products', query: { page: 0, search: 'x'.repeat(201), sortColumn: 'productName', descending: false } } },
      { type: 'runCommand', command: 'workbench.action.terminal.sendSequence' },
      { type: 'exportPng', dataset: 'salesByCountry', dataUrl: 'javascript:alert(1)' },
      { type: 'rendered', report: { dataset: 'kpis', state: 'weird', rowCount: 0, labels: [], values: [] } },
      { type: 'rendered', report: { dataset: 'kpis', state: 'data', rowCount: 0, labels: [1], values: [] } },
      { type: 'timings', marks: [{ name: 'scriptStart', at: 'now' }] },
      { type: 'timings', marks: [{ name: 'x'.repeat(201), at: 1 }] },
    ]) {
      assert.equal(parsePageMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  test('the page accepts results and errors, and rejects malformed ones', () => {
    const result = { id: 'salesByCountry', title: 't', columns: [{ name: 'country', type: 'VARCHAR' }, { name: 'totalSales', type: 'DECIMAL(38,2)' }],
      rows: [['USA', 1.5], ['<b>x</b>', null]], sql: 'select 1', elapsedMs: 3 };
    assert.deepEqual(parseHostMessage({ type: 'result', requestId: 1, result }), { type: 'result', requestId: 1, result });
    assert.equal(parseHostMessage({ type: 'result', requestId: 1, result: { ...result, rows: [['USA']] } }), undefined, 'row width must match the columns');
    assert.equal(parseHostMessage({ type: 'result', requestId: 1, result: { ...result, rows: [['USA', { html: 'x' }]] } }), undefined);
    assert.equal(parseHostMessage({ type: 'result', requestId: 1, result: { ...result, id: 'other' } }), undefined);
    const paged = { ...result, page: { index: 0, size: 1, totalRows: 1, totalPending: true } };
    assert.deepEqual(parseHostMessage({ type: 'result', requestId: 1, result: paged }), { type: 'result', requestId: 1, result: paged });
    assert.equal(parseHostMessage({ type: 'result', requestId: 1, result: { ...paged, page: { ...paged.page, totalPending: 'yes' } } }), undefined);
    const error = { code: 'lakeMissing', message: 'No lake', nextStep: { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' } };
    assert.deepEqual(parseHostMessage({ type: 'error', requestId: 2, dataset: 'kpis', error }), { type: 'error', requestId: 2, dataset: 'kpis', error });
    assert.equal(parseHostMessage({ type: 'error', requestId: 2, dataset: 'kpis', error: { ...error, nextStep: { label: 'x', command: 'rm.rf' } } }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'setFilter', filter: { country: 'France' } }), { type: 'setFilter', filter: { country: 'France' } });
    assert.equal(parseHostMessage({ type: 'setFilter', filter: { country: 'France', evil: 1 } }), undefined);
    assert.equal(parseHostMessage({ type: 'setFilter', filter: { n: 2.5 } }), undefined);
    assert.equal(parseHostMessage({ type: 'result', requestId: 1, result: { ...result, elapsedMs: Infinity } }), undefined);
  });

  test('what passes carries only the fields of its schema, and keeps every field the dashboard uses', () => {
    assert.deepEqual(parsePageMessage({ type: 'ready', html: '<img onerror=x>' }), { type: 'ready' });
    assert.deepEqual(parsePageMessage({ type: 'load', requestId: 1, request: { id: 'kpis', sql: 'drop table x' }, fresh: false }),
      { type: 'load', requestId: 1, request: { id: 'kpis' } });
    assert.deepEqual(parseHostMessage({ type: 'refresh', fresh: false }), { type: 'refresh' });
    const lakeStatus = {
      engine: 'duckdb', source: 'DuckDB over /lake/gold', model: 'star-v1', factRows: 2996, orderLines: 2996, damaged: ['dim_products'], inflated: false, warnings: [],
      run: { runId: 'r1', startedAt: 'a', finishedAt: 'b', model: 'star-v1', engine: 'duckdb', ok: true, checks: [{ name: 'rows', ok: true, detail: 'd' }], sourceOrderLines: 2996 },
    };
    const result = { id: 'lakeStatus', title: 'Lake', columns: [], rows: [], sql: '', elapsedMs: 1, lakeStatus,
      filterOptions: { countries: ['France'], productLines: ['Ships'], firstOrderDate: '2003-01-06', lastOrderDate: '2005-05-31' } };
    assert.deepEqual(parseHostMessage({ type: 'result', requestId: 3, result: { ...result, debug: 'x' } }), { type: 'result', requestId: 3, result });
    assert.equal(parseHostMessage({ type: 'result', requestId: 3, result: { ...result, lakeStatus: { ...lakeStatus, model: 'v2' } } }), undefined);
    assert.equal(parsePageMessage({ type: 'rendered', report: { dataset: 'kpis', state: 'data', rowCount: 0, labels: [], values: [NaN] } }), undefined);
  });
});

suite('dashboard exports and policy', () => {
  test('CSV quotes what needs quoting and defuses spreadsheet formulas', () => {
    const csv = toCsv([{ name: 'name', type: 'VARCHAR' }, { name: 'total', type: 'DECIMAL' }, { name: 'note', type: 'VARCHAR' }], [
      ['Plain', 1.5, null],
      ['Comma, "quoted"', -2, 'line\nbreak'],
      ['=HYPERLINK("http://x")', 3, '@SUM(A1)'],
    ]);
    assert.equal(csv, [
      'name,total,note',
      'Plain,1.5,',
      '"Comma, ""quoted""",-2,"line\nbreak"',
      `"'=HYPERLINK(""http://x"")",3,"'@SUM(A1)"`,
      '',
    ].join('\r\n'));
  });

  test('the CSP allows nothing by default and scripts only with the nonce', () => {
    const nonce = createNonce();
    assert.match(nonce, /^[0-9a-f]{32}$/);
    assert.notEqual(nonce, createNonce());
    const csp = buildCsp({ cspSource: 'https://ext.example' }, nonce);
    assert.ok(csp.startsWith("default-src 'none'"));
    assert.ok(csp.includes(`script-src 'nonce-${nonce}'`));
    assert.ok(!/unsafe-(inline|eval)/.test(csp));
    assert.ok(csp.includes('style-src https://ext.example'));
  });

  test('Copy SQL keeps placeholders and lists the values, one per line, safely quoted', () => {
    const text = sqlForCopy(QUERIES.topProducts, 'star-v1', { startDate: '2004-01-01', endDate: '2004-12-31', country: 'x\n drop table y', productLine: '', n: 3 });
    assert.ok(text.includes(':country = "x\\n drop table y"'));
    assert.ok(text.split('\n').every((line) => !line.startsWith(' drop')));
  });

  test('a lake is inflated when it has more fact rows than order lines or than the source had', () => {
    const base = { engine: 'duckdb', source: 'x', model: 'star-v1' as const, factRows: 10, orderLines: 10 };
    assert.equal(assessLake(base).inflated, false);
    assert.equal(assessLake({ ...base, factRows: 12 }).inflated, true);
    const withRun = { runId: 'r', ok: true, checks: [], sourceOrderLines: 9 };
    assert.equal(assessLake({ ...base, run: withRun }).inflated, true);
    const legacy = assessLake({ ...base, model: 'legacy' });
    assert.equal(legacy.inflated, false);
    assert.ok(legacy.warnings.some((w) => /postalCode/.test(w)));
  });
});
