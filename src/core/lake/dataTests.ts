import { LabError, throwIfCancelled } from '../errors';
import type { DataTest } from '../model/tests';
import type { QueryEngine, QueryValue } from '../query/engine';
import type { ReconcileCheck } from '../run/checks';
import type { DataTestResult } from '../run/manifest';


/** Failing rows a result keeps, to name them in the manifest, the views and the run's error. */
export const SAMPLE_ROWS = 5;

/** One declared test's outcome on a lake, as the run manifest records it. */

/**
 * Runs each test's compiled query on the engine (its models readable by name): the failing rows counted and the
 * first few kept. Every test runs, none short-circuits, so the manifest shows the whole picture.
 */
export async function runDataTests(engine: QueryEngine, tests: readonly DataTest[], signal?: AbortSignal): Promise<DataTestResult[]> {
  const results: DataTestResult[] = [];
  for (const test of tests) {
    throwIfCancelled(signal, 'Data tests');
    let count: number;
    let sample: Record<string, QueryValue>[];
    try {
      const counted = await engine.query(`select count(*) as failing from (${test.sql}) as failing_rows`, undefined, signal);
      count = Number(counted.rows[0]?.[0] ?? 0);
      sample = [];
      if (count > 0) {
        const rows = await engine.query(`select * from (${test.sql}) as failing_rows limit ${SAMPLE_ROWS}`, undefined, signal);
        sample = rows.rows.map((row) => Object.fromEntries(rows.columns.map((c, i) => [c.name, row[i]])));
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new LabError('queryFailed', `The data test ${test.id} (${test.file}) failed to run on ${engine.description}: ${(err as Error).message}`, {
        cause: err, nextStep: { label: `Fix the test in ${test.file}` },
      });
    }
    results.push({
      id: test.id, kind: test.kind, model: test.model, ...(test.column ? { column: test.column } : {}), severity: test.severity,
      status: count === 0 ? 'pass' : test.severity === 'error' ? 'fail' : 'warn',
      failingRows: count, sample,
    });
  }
  return results;
}

/** A sample row as one line: "productCode=S99_9999, productLine=Hovercraft". */
export function describeRow(row: Record<string, QueryValue>): string {
  return Object.entries(row).map(([k, value]) => `${k}=${value === null ? 'NULL' : String(value)}`).join(', ');
}

/** What a result says in one line: "pass" or its failing count with the first failing rows. */
export function describeTestResult(result: DataTestResult): string {
  if (result.status === 'pass') return `${result.model}${result.column ? `.${result.column}` : ''}: no failing rows`;
  const shown = result.sample.slice(0, 3).map((row) => `(${describeRow(row)})`).join(', ');
  const more = result.failingRows > 3 ? ', ...' : '';
  return `${result.failingRows} failing row${result.failingRows === 1 ? '' : 's'} in ${result.model}${result.column ? `.${result.column}` : ''}`
    + `${result.severity === 'warn' ? ' (severity warn)' : ''}: ${shown}${more}`;
}

/** A result as the run's check event (the terminal, the Pipeline view and the CLI list checks): a warn passes, marked. */
export function testCheck(result: DataTestResult): ReconcileCheck {
  return {
    name: result.id,
    ok: result.status !== 'fail',
    ...(result.status === 'warn' ? { warning: true } : {}),
    expected: '0',
    actual: String(result.failingRows),
    message: describeTestResult(result),
  };
}
