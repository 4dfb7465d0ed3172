/**
 * Entry point the extension host calls (extensionTestsPath): runs every *.test.js beside this file with mocha (tdd)
 * and writes per-test results to EXT_TEST_RESULTS, because the host's exit code carries no counts.
 * EXT_TEST_GREP narrows the run to matching test titles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { recordActivation } from './activation';

export interface ExtensionTestResult {
  title: string;
  state: 'passed' | 'failed';
  durationMs?: number;
  error?: string;
}

export interface ExtensionTestResults {
  passed: number;
  failed: number;
  results: ExtensionTestResult[];
}

function writeResults(file: string, results: ExtensionTestResult[]): void {
  const summary: ExtensionTestResults = {
    passed: results.filter((r) => r.state === 'passed').length,
    failed: results.filter((r) => r.state === 'failed').length,
    results,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(summary, null, 2));
}

export async function run(): Promise<void> {
  await recordActivation();
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  const grep = process.env.EXT_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  const resultsFile = process.env.EXT_TEST_RESULTS ?? path.resolve(__dirname, '../../../.ext-test-results.json');
  const results: ExtensionTestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      writeResults(resultsFile, results);
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: unknown) => {
      const e = err as { stack?: string } | undefined;
      results.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: String(e?.stack ?? err) });
    });
  });
}
