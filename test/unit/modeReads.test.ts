import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Modes are configuration, not code paths: createBackend (src/core/backend/) turns the mode setting into code and
 * nothing else reads it. A new `config.mode` (or `config().mode`) outside core/backend and config.ts fails here.
 */
const SRC = path.resolve(__dirname, '../../../src');
const MODE_READ = /\bconfig(?:\(\))?\.mode\b|\.mode\s*===?\s*'(?:local|aws)'|'(?:local|aws)'\s*===?\s*\S*\.mode\b/;
const ALLOWED = ['core/backend/', 'core/config.ts'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

export function modeReads(files: Array<{ file: string; text: string }>): string[] {
  return files.flatMap(({ file, text }) => text.split('\n').flatMap((line, i) =>
    (MODE_READ.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//') ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
}

suite('the mode is read in core/backend only', () => {
  test('the check finds a read of the mode (planted)', () => {
    assert.deepEqual(modeReads([{ file: 'views/x.ts', text: 'const a = 1;\nif (services.config().mode === \'aws\') show();' }]),
      ["views/x.ts:2: if (services.config().mode === 'aws') show();"]);
    assert.equal(modeReads([{ file: 'core/y.ts', text: 'if (config.mode === \'local\') x();' }]).length, 1);
    assert.equal(modeReads([{ file: 'core/y.ts', text: 'const m = stat.mode & 0o777;' }]).length, 0);
  });

  test('no file outside core/backend and config.ts reads config.mode', () => {
    const files = sourceFiles(SRC)
      .map((full) => ({ file: path.relative(SRC, full).split(path.sep).join('/'), text: fs.readFileSync(full, 'utf8') }))
      .filter(({ file }) => !ALLOWED.some((a) => file.startsWith(a)));
    assert.deepEqual(modeReads(files), []);
  });
});
