/**
 * The import boundaries `npm run lint` enforces (eslint.config.mjs, from ../shared/docs/architecture.md), each shown
 * to fail on an import planted where it must not be: the planted source is linted as if it were that file, so the
 * tree is never changed. The tree itself passing is `npm run lint`'s job.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ESLint as ESLintType, Linter } from 'eslint';

const repoRoot = path.resolve(__dirname, '../../..');
// The config is an ES module; tsc would turn a plain import() into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** [the file the source is linted as, what it imports, the boundary it crosses]. */
const PLANTED: Array<[string, string, string]> = [
  ['src/core/lake/probe.ts', '../../commands/dashboardOptions', 'core imports the editor layer'],
  ['src/core/source/probe.ts', '../../views/sourceTree', 'core imports a view'],
  ['src/core/check/probe.ts', '../../webview/protocol', 'core imports a webview'],
  ['src/core/notebook/probe.ts', '../../notebook/controller', 'core imports the notebook controller (editor)'],
  ['src/core/lab/probe.ts', '../../extension', 'core imports extension.ts'],
  ['src/core/config/probe.ts', '../../services', 'core imports services.ts'],
  ['src/core/lake/probe2.ts', '../../cli/context', 'core imports the CLI'],
  ['src/core/dashboard/probe.ts', '../aws/athena', 'the dashboard imports the AWS engine'],
  ['src/core/query/probe.ts', '../aws/athena', 'the query engine imports the AWS engine'],
  ['src/core/lake/probe3.ts', '../dashboard/service', 'the local engine imports the dashboard'],
  ['src/core/lake/probe4.ts', '../backend', 'the local engine imports the backend factory'],
  ['src/core/run/probe.ts', '../lake/pipeline', 'the run vocabulary imports the local engine'],
  ['media/dashboard/probe.ts', '../../src/core/query/duckdb', 'a webview page imports core beyond its protocol vocabulary'],
  ['media/dashboard/probe2.ts', '../../src/commands/dashboard', 'a webview page imports the host'],
];

suite('lint: the import boundaries fail on a planted import', function () {
  this.timeout(120_000);
  let eslint: ESLintType;

  suiteSetup(async () => {
    const { importBoundaries } = await importEsm(pathToFileURL(path.join(repoRoot, 'eslint.config.mjs')).href) as { importBoundaries: Linter.Config[] };
    const { ESLint } = await import('eslint');
    eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: true, overrideConfig: importBoundaries });
  });

  async function ruleIds(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
    return result.messages.map((m) => m.ruleId ?? m.message);
  }

  for (const [file, target, boundary] of PLANTED) {
    test(`${boundary}: ${file} importing ${target}`, async () => {
      assert.deepEqual(await ruleIds(file, `import '${target}';\n`), ['import-x/no-restricted-paths']);
    });
  }

  test('the same files importing what they may pass (the vocabulary below them)', async () => {
    assert.deepEqual(await ruleIds('src/core/lake/probe.ts', "import '../run/events';\nimport '../errors';\n"), []);
    assert.deepEqual(await ruleIds('src/core/aws/probe.ts', "import '../backend/types';\n"), [], 'an engine implements the seam\'s interfaces');
    assert.deepEqual(await ruleIds('media/dashboard/probe.ts', "import '../../src/core/dashboard/model';\nimport '../../src/webview/protocol';\n"), []);
  });

  test('an import circle fails: run/checks.ts importing the pipeline that imports it', async () => {
    const file = 'src/core/run/checks.ts';
    const source = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    assert.deepEqual(await ruleIds(file, source), [], 'the file as it is');
    // The planted import also crosses the run-vocabulary boundary; the circle is reported on its own.
    // (A side-effect-only import is not followed for circles: the planted one uses what it imports.)
    const planted = `${source}\nimport { runPipeline } from '../lake/pipeline';\nexport const planted = runPipeline;\n`;
    assert.ok((await ruleIds(file, planted)).includes('import-x/no-cycle'));
  });
});
