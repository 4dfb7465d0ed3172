import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_IDS } from '../../src/core/commandIds';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[] };
};

/**
 * Next steps and check fixes name editor commands by CommandId, the ids package.json contributes; a wrong id fails
 * tsc only while src/core/commandIds.ts is the list package.json has now.
 */
suite('command ids: src/core/commandIds.ts is package.json\'s contributes.commands', () => {
  test('the same ids, in the same order', () => {
    assert.deepEqual([...COMMAND_IDS], manifest.contributes.commands.map((c) => c.command),
      'package.json and src/core/commandIds.ts disagree: run `node scripts/command-ids.mjs` to regenerate it, then `npx tsc -p .`');
  });
});
