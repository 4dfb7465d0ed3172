/**
 * The emulated AWS (emulator/): ruff, and its pytest cases that need no engine (emulator/tests/test_units.py).
 * The cases with Trino and Spark run in `npm run test:emulator` (they need scripts/setup-emulator.sh's downloads).
 */
import * as assert from 'node:assert/strict';
import { ROOT, onPath, pythonHas, requireTool, run, tail } from './tools';

suite('emulated AWS (Python): ruff and the engine-free pytest cases', function () {
  this.timeout(120_000);

  test('ruff check emulator', async function () {
    requireTool(this, onPath('ruff'), 'ruff', 'bash scripts/setup.sh --test (pip install ruff)');
    const r = await run('ruff', ['check', '--no-cache', 'emulator'], { cwd: ROOT });
    assert.equal(r.code, 0, tail(r.output));
  });

  test('pytest emulator/tests/test_units.py', async function () {
    requireTool(this, pythonHas('pytest') && pythonHas('moto'), 'pytest and moto', 'bash scripts/setup.sh --test');
    const r = await run('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'emulator/tests/test_units.py'],
      { cwd: ROOT, timeoutMs: 110_000 });
    assert.equal(r.code, 0, tail(r.output));
    // Every case ran: none may skip (they need nothing pretest does not install).
    assert.match(r.output, /\b\d+ passed\b/, tail(r.output));
    assert.doesNotMatch(r.output, /\bskipped\b/, tail(r.output));
  });
});
