/**
 * The benchmark harness end to end, so it does not rot: `npm run bench -- --smoke` (scale 1, one rep, pyspark and
 * one editor host included) into a temporary file. Asserts what the run wrote and that every answer check passed
 * (the DuckDB lake equals the pyspark lake, every dashboard question equals its MariaDB answer, every card
 * rendered); never a timing.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { questions } from '../../bench/lib/dashboard';
import { labTarget, repoRoot } from './fixture';

interface SmokeJson {
  mode: string;
  versions: Record<string, string>;
  checks: Array<{ section: string; what: string; ok: boolean; detail: string }>;
  editor: Array<{ ok: boolean }>;
}

function runBench(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot(), 'out', 'bench', 'run.js'), ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

suite('bench harness: npm run bench -- --smoke', function () {
  this.timeout(600_000);
  let tmp: string;

  suiteSetup(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-bench-smoke-'));
  });
  suiteTeardown(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('writes every section, with every answer check passed and no password in its output', async () => {
    const target = await labTarget();
    const out = path.join(tmp, 'results-smoke.md');
    const run = await runBench(['--smoke', '--out', out]);
    assert.equal(run.code, 0, `the smoke bench failed:\n${run.output.trimEnd().split('\n').slice(-30).join('\n')}`);
    assert.ok(!run.output.includes(target.password), 'the bench printed the source password');

    const md = fs.readFileSync(out, 'utf8');
    assert.ok(!md.includes(target.password), 'the results file holds the source password');
    for (const heading of ['## Machine and versions', '## 1. Pipeline', '## 2. Extraction against its ceiling', '## 3. Analytics',
      '## 4. Editor', '## 5. Scaling', '## Answers compared before any ratio']) {
      assert.ok(md.includes(heading), `no "${heading}" section in ${out}`);
    }
    assert.match(md, /load average \(1 \/ 5 \/ 15 min\) \| start [\d.]+ \/ [\d.]+ \/ [\d.]+; end /);

    const json = JSON.parse(fs.readFileSync(out.replace(/\.md$/, '.json'), 'utf8')) as SmokeJson;
    assert.equal(json.mode, 'smoke');
    assert.deepEqual(json.checks.filter((c) => !c.ok), [], 'answer checks failed');
    const sections = (name: string) => json.checks.filter((c) => c.section === name);
    assert.equal(sections('analytics').length, questions('2003-01-01', '2005-12-31').length, 'one answer check per dashboard question');
    assert.ok(sections('extraction').length > 0, 'the extracted rows were checked');
    assert.equal(json.editor.length, 1, 'one editor host ran');
    assert.ok(sections('editor').every((c) => c.ok) && sections('editor').length === 1);
    // pyspark is required in CI (as for the differential test); elsewhere the harness says why it was left out.
    if (json.versions.pyspark) assert.ok(sections('pipeline').length > 0, 'pyspark ran but its lake was not compared');
    else {
      assert.notEqual(process.env.CI, 'true', 'pyspark did not run in CI: bash scripts/setup.sh --test installs it');
      assert.match(md, /pyspark not measured: /);
    }

    const png = fs.readFileSync(out.replace(/\.md$/, '-scaling.png'));
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')], 'the scaling chart is a PNG');
    assert.ok(md.includes(`](${path.basename(out).replace(/\.md$/, '-scaling.png')})`), 'the chart is embedded');
  });
});
