import * as assert from 'node:assert/strict';
import { formatDuration } from '../../src/core/format';

suite('formatDuration: one form for every view, terminal and the CLI', () => {
  test('milliseconds below a second, seconds below two minutes, then minutes and seconds', () => {
    assert.equal(formatDuration(340.4), '340 ms');
    assert.equal(formatDuration(1500), '1.5 s');
    assert.equal(formatDuration(1500, 2), '1.50 s');
    assert.equal(formatDuration(45_000, 0), '45 s');
    assert.equal(formatDuration(119_600), '119.6 s');
    assert.equal(formatDuration(123_000, 0), '2 min 3 s');
    assert.equal(formatDuration(3_599_600, 0), '60 min 0 s');
  });
});
