import * as assert from 'node:assert/strict';
import { displayCell, GRID_CELL_DISPLAY_CHARS, parseGridToHost } from '../../src/webview/gridProtocol';

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
    assert.deepEqual(parseGridToHost({ type: 'rendered', rowCount: 2, nullCells: 1, truncatedCells: 0, firstRow: ['1', 'NULL'] }),
      { type: 'rendered', rowCount: 2, nullCells: 1, truncatedCells: 0, firstRow: ['1', 'NULL'] });
    for (const bad of [null, 'ready', {}, { type: 'runSql', sql: 'DROP TABLE x' }, { type: 'rendered', rowCount: '2' }, { type: 'rendered', rowCount: 1, nullCells: 0, truncatedCells: 0, firstRow: [1] }]) {
      assert.equal(parseGridToHost(bad), undefined, JSON.stringify(bad));
    }
  });
});
