import * as assert from 'node:assert/strict';
import { LabError } from '../src/core/errors';

export { freePort } from '../src/core/lab/loopbackPorts';

/** Awaits work that must fail with a LabError of the given code; returns the error for further checks. */
export async function expectLabError(work: Promise<unknown>, code: string): Promise<LabError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof LabError, `expected a LabError, got ${String(err)}`);
    assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected a LabError '${code}', but the work succeeded`);
}
