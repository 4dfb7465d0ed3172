#!/usr/bin/env node
/**
 * The extension-host suite through @vscode/test-electron, for machines with internet (it downloads VS Code 1.103.2,
 * the VS Code of the code-server in scripts/editor/, into .vscode-test/). Same tests and index as scripts/run-extension-tests.mjs; on headless Linux run it under
 * `xvfb-run -a`. Build first: `npx webpack --mode production && npx tsc -p .`.
 * Prints one line per test, then `N passed, N failed` last.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { OFFLINE_EDITOR_SETTINGS, writeUserSettings } from './lib/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-electron-'));
const resultsFile = path.join(tmp, 'results.json');
const userData = path.join(tmp, 'user-data');
writeUserSettings(userData, OFFLINE_EDITOR_SETTINGS);

const launchArgs = [root, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userData,
  '--extensions-dir', path.join(tmp, 'extensions')];
if (process.getuid?.() === 0) launchArgs.push('--no-sandbox');

let code = 1;
try {
  await runTests({
    version: '1.103.2',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'extension', 'index.js'),
    launchArgs,
    // The extension exports its test API (and the dashboard keeps its hooks) only with this switch on.
    extensionTestsEnv: { EXT_TEST_RESULTS: resultsFile, EXT_TEST_GREP: process.env.EXT_TEST_GREP ?? '', LIFECYCLE_LAB_TEST_HOOKS: '1' },
  });
  code = 0;
} catch (err) {
  console.error(`test-electron: ${err instanceof Error ? err.message : err}`);
}

let passed = 0;
let failed = 0;
if (fs.existsSync(resultsFile)) {
  const { results } = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  for (const r of results) {
    console.log(`${r.state === 'passed' ? 'PASS' : 'FAIL'} extension: ${r.title}`);
    if (r.error) console.log(r.error.split('\n').map((l) => `    ${l}`).join('\n'));
    if (r.state === 'passed') passed++;
    else failed++;
  }
}
if (code !== 0 && failed === 0) failed = 1;
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = code === 0 && failed === 0 && passed > 0 ? 0 : 1;
