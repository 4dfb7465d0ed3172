import * as assert from 'node:assert/strict';
import { capCell, cellHover, displayCell, GRID_CELL_DISPLAY_CHARS, GRID_CELL_SEND_CHARS, GRID_HOVER_CHARS, parseGridToHost } from '../../src/webview/gridProtocol';

suite('source: preview grid protocol', () => {
  test('NULL reads as NULL, the empty string stays empty', () => {
    assert.deepEqual(displayCell(null), { text: 'NULL', isNull: true, truncated: false });
    assert.deepEqual(displayCell(''), { text: '', isNull: false, truncated: false });
    assert.deepEqual(displayCell('NULL'), { text: 'NULL', isNull: false, truncated: false }, 'the text NULL is not a null');
  });

  test('long text is cut to the display width with an ellipsis, on code points', () => {
    const exact = 'x'.repeat(GRID_CELL_DISPLAY_CHARS);
    assert.equal(displayCell(exact).truncated, false);
    const long = displayCell('y'.repeat(GRID_CELL_DISPLAY_CHARS + 1));
    assert.equal(long.truncated, true);
    assert.equal(Array.from(long.text).length, GRID_CELL_DISPLAY_CHARS);
    assert.ok(long.text.endsWith('…'));
    const emoji = displayCell('😀'.repeat(10), 5);
    assert.equal(emoji.text, '😀😀😀😀…');
  });

  test('only well-formed page messages are accepted', () => {
    assert.deepEqual(parseGridToHost({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseGridToHost({ type: 'loadMore', extra: 1 }), { type: 'loadMore' });
    const rendered = { type: 'rendered', rowCount: 2, nullCells: 1, truncatedCells: 1, cutCells: 1, firstCutHover: 'x… (cut)', firstRow: ['1', 'NULL'] };
    assert.deepEqual(parseGridToHost(rendered), rendered);
    assert.deepEqual(parseGridToHost({ ...rendered, html: '<b>' }), rendered, 'unknown fields are dropped');
    assert.deepEqual(parseGridToHost({ type: 'openValue', row: 3, column: 1 }), { type: 'openValue', row: 3, column: 1 });
    for (const bad of [null, 'ready', {}, { type: 'runSql', sql: 'DROP TABLE x' }, { type: 'rendered', rowCount: '2' }, { type: 'rendered', rowCount: 1, nullCells: 0, truncatedCells: 0, cutCells: 0, firstCutHover: '', firstRow: [1] },
      { type: 'openValue', row: -1, column: 0 }, { type: 'openValue', row: 0.5, column: 0 }, { type: 'openValue', row: '0', column: 0 }, { type: 'openValue', row: 0 }]) {
      assert.equal(parseGridToHost(bad), undefined, JSON.stringify(bad));
    }
  });

  test('a value longer than the grid sends is cut, and the grid knows its whole length', () => {
    const value = 'v'.repeat(100 * 1024);
    const capped = capCell(value);
    assert.equal(capped.length, value.length);
    assert.equal(capped.cell, value.slice(0, GRID_CELL_SEND_CHARS));
    assert.deepEqual(capCell('short'), { cell: 'short' });
    assert.deepEqual(capCell(null), { cell: null });
    assert.deepEqual(capCell('x'.repeat(GRID_CELL_SEND_CHARS)), { cell: 'x'.repeat(GRID_CELL_SEND_CHARS) });
    const pair = capCell('ab😀', 3);
    assert.equal(pair.cell, 'ab', 'a surrogate pair is never split');
  });

  test('the hover of a cut value says it is cut (and offers the full value) instead of promising it', () => {
    const value = 'v'.repeat(100 * 1024);
    const hover = cellHover(capCell(value).cell!, value.length);
    assert.match(hover, /\(cut at 64 K characters of 102,400; click to open the full value\)$/);
    assert.ok(hover.length < GRID_HOVER_CHARS + 100, `the hover holds the start only (${hover.length} characters)`);
    assert.match(cellHover('w'.repeat(200)), /\(200 characters; click to open the full value\)$/);
    assert.doesNotMatch(cellHover('w'.repeat(200)), /cut at/);
  });
});

suite('lake preview: a cut cell read whole again', function () {
  this.timeout(30_000);

  test('lakeCellValue reads the cell at the preview position, whole', async () => {
    const fs = await import('node:fs/promises');
    const { buildTestLake, CUSTOMERS, PRODUCTS } = await import('./dashboardLakeFixture');
    const { DuckDbLakeEngine } = await import('../../src/core/query/duckdb');
    const { lakeCellValue } = await import('../../src/core/query/lakeCell');
    const lakeDir = await buildTestLake({ manifest: { runId: 'test' } });
    const engine = new DuckDbLakeEngine(lakeDir);
    try {
      const page = await engine.query('select cast(columns(*) as varchar) from "dim_products" limit 100 offset 0');
      const column = page.columns.findIndex((c) => c.name === 'productDescription');
      for (let row = 0; row < PRODUCTS.length; row++) {
        assert.equal(await lakeCellValue(engine, 'dim_products', 'productDescription', row), page.rows[row][column], `row ${row}`);
      }
      const nullRow = CUSTOMERS.findIndex((c) => c.addressLine2 === null);
      assert.ok(nullRow >= 0);
      assert.equal(await lakeCellValue(engine, 'dim_customers', 'addressLine2', nullRow), null, 'NULL stays null');
      await assert.rejects(lakeCellValue(engine, 'dim_products', 'productDescription', PRODUCTS.length), /no longer in the lake/);
      await assert.rejects(lakeCellValue(engine, 'x"; drop', 'a', 0), /"x"; drop" is not a lake table name\./);
    } finally {
      await engine.close();
      await fs.rm(lakeDir, { recursive: true, force: true });
    }
  });
});
