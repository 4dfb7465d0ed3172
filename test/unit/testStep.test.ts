/**
 * The watchdog of `npm test`'s steps (scripts/lib/step.mjs): a step that ends is reported as it ended; one still
 * running at its limit is stopped, even when it ignores SIGTERM, and reported as stopped.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

interface StepResult { code: number; output: string; timedOut: boolean }
interface StepModule {
  runStep(cmd: string, args: string[], options: { limitS?: number; graceMs?: number }): Promise<StepResult>;
  stepLimitSeconds(env: Record<string, string | undefined>): number;
}

const repoRoot = path.resolve(__dirname, '../../..');
// The module is ESM; tsc would turn a plain import() into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<StepModule>;

suite('npm test: the step watchdog', () => {
  let step: StepModule;
  suiteSetup(async () => {
    step = await importEsm(pathToFileURL(path.join(repoRoot, 'scripts', 'lib', 'step.mjs')).href);
  });

  test('a step that ends in time keeps its exit code and output', async () => {
    const r = await step.runStep(process.execPath, ['-e', 'console.log("hello"); process.exitCode = 3'], { limitS: 30 });
    assert.deepEqual(r, { code: 3, output: 'hello\n', timedOut: false });
  });

  test('a step still running at its limit is stopped, SIGKILL after the grace when it ignores SIGTERM', async () => {
    const t0 = Date.now();
    const script = 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("started"); setInterval(() => {}, 1000)';
    const r = await step.runStep(process.execPath, ['-e', script], { limitS: 1, graceMs: 300 });
    assert.equal(r.timedOut, true);
    assert.equal(r.code, 128);
    assert.match(r.output, /started/);
    assert.ok(Date.now() - t0 < 20_000, `stopped after ${Date.now() - t0} ms`);
  });

  test('the limit comes from TEST_STEP_TIMEOUT_S, and a bad value is refused by name', () => {
    assert.equal(step.stepLimitSeconds({}), 1500);
    assert.equal(step.stepLimitSeconds({ TEST_STEP_TIMEOUT_S: '90' }), 90);
    assert.throws(() => step.stepLimitSeconds({ TEST_STEP_TIMEOUT_S: 'soon' }), /TEST_STEP_TIMEOUT_S/);
    assert.throws(() => step.stepLimitSeconds({ TEST_STEP_TIMEOUT_S: '0' }), /positive/);
  });
});
