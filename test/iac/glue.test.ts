/**
 * The Glue job's Python: ruff, and pytest (one mocha test per pytest case, read from pytest's junit XML).
 * pytest's Spark cases need pyspark and Java 17; without them they skip, except in CI.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SOURCE_TABLES } from '../../src/core/lake/sourceSchema';
import { GLUE_DIR, inCi, onPath, pythonHas, requireTool, run, tail, type RunResult } from './tools';

const TESTS = path.join(GLUE_DIR, 'tests');

/** Test functions of glue/tests/test_*.py, read when mocha loads this file. */
function pytestCases(): { file: string; name: string }[] {
  const cases: { file: string; name: string }[] = [];
  for (const file of fs.readdirSync(TESTS).filter((f) => /^test_.*\.py$/.test(f)).sort()) {
    for (const m of fs.readFileSync(path.join(TESTS, file), 'utf8').matchAll(/^def (test_\w+)\(/gm)) cases.push({ file, name: m[1] });
  }
  return cases;
}

interface CaseResult { outcome: 'passed' | 'failed' | 'skipped'; detail: string }

function parseJunit(xml: string): Map<string, CaseResult> {
  const results = new Map<string, CaseResult>();
  for (const m of xml.matchAll(/<testcase ([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = /\bname="([^"]+)"/.exec(m[1])?.[1] ?? '';
    const body = m[3] ?? '';
    const outcome = /<(failure|error)\b/.test(body) ? 'failed' : /<skipped\b/.test(body) ? 'skipped' : 'passed';
    results.set(name, { outcome, detail: body.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&') });
  }
  return results;
}

suite('glue job (Python): ruff and pytest', function () {
  this.timeout(300_000);
  let pytest: Promise<{ run: RunResult; cases: Map<string, CaseResult> }> | undefined;

  function runPytest() {
    pytest ??= (async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-pytest-'));
      const xml = path.join(dir, 'junit.xml');
      const r = await run('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${xml}`, 'tests'],
        { cwd: GLUE_DIR, timeoutMs: 290_000 });
      const cases = fs.existsSync(xml) ? parseJunit(fs.readFileSync(xml, 'utf8')) : new Map<string, CaseResult>();
      fs.rmSync(dir, { recursive: true, force: true });
      return { run: r, cases };
    })();
    return pytest;
  }

  test('ruff check glue', async function () {
    requireTool(this, onPath('ruff'), 'ruff', 'bash scripts/setup.sh --test (pip install ruff)');
    const r = await run('ruff', ['check', '--no-cache', 'glue', 'test/iac']);
    assert.equal(r.code, 0, tail(r.output));
  });

  test('the job reads the same source columns and types as the local engine (sourceSchema.ts)', async () => {
    const r = await run('python3', ['-c', 'import json, glue_job; print(json.dumps(glue_job.SOURCE_TABLES))'], { cwd: GLUE_DIR });
    assert.equal(r.code, 0, r.stderr);
    const python = JSON.parse(r.stdout) as [string, [string, string][]][];
    assert.deepEqual(python, SOURCE_TABLES.map((t) => [t.name, t.columns.map((c) => [c.name, c.type])]));
  });

  const cases = pytestCases();
  test('pytest over glue/tests runs every case', async function () {
    requireTool(this, pythonHas('pytest'), 'pytest', 'bash scripts/setup.sh --test (pip install pytest)');
    const { run: r, cases: results } = await runPytest();
    assert.ok(results.size > 0, `pytest produced no results (exit ${r.code}):\n${tail(r.output)}`);
    assert.deepEqual(cases.map((c) => c.name).filter((n) => !results.has(n)), [], 'cases pytest did not report');
    const skipped = [...results].filter(([, v]) => v.outcome === 'skipped').map(([k]) => k);
    if (inCi) assert.deepEqual(skipped, [], 'skipped in CI (pyspark or Java missing?)');
    else if (skipped.length) console.log(`    ${skipped.length} pytest cases skipped: ${pythonHas('pyspark') ? '' : 'pip install pyspark==3.5.4 (Java 17) to run them'}`);
  });
  for (const c of cases) {
    test(`pytest ${c.file.replace(/\.py$/, '')}::${c.name}`, async function () {
      if (!pythonHas('pytest')) this.skip();
      const { run: r, cases: results } = await runPytest();
      const result = results.get(c.name);
      assert.ok(result, `pytest did not report ${c.name}:\n${tail(r.output)}`);
      if (result.outcome === 'skipped' && !inCi) this.skip();
      assert.equal(result.outcome, 'passed', result.detail.slice(0, 4000));
    });
  }
});
