import * as v from 'valibot';

/** A check of a run: reconciliation against the source, or a declared data test. */
export const ReconcileCheckSchema = v.object({
  /** Stable id, e.g. "fact_rows_match_source". */
  name: v.string(),
  ok: v.boolean(),
  expected: v.string(),
  actual: v.string(),
  message: v.string(),
  /** A declared data test of severity warn that found failing rows: reported, yet the run publishes. */
  warning: v.optional(v.boolean()),
});
export type ReconcileCheck = v.InferOutput<typeof ReconcileCheckSchema>;

/** A check the views list under its run: it failed, or it is a warn data test that found rows. */
export function isProblem(check: ReconcileCheck): boolean {
  return !check.ok || check.warning === true;
}

/** "13 checks passed" and, when warn tests found rows, "1 warned: <test ids>" (both engines' runs say it so). */
export function checksSummary(checks: readonly ReconcileCheck[]): string {
  const warned = checks.filter((c) => c.warning);
  return `${checks.length} checks passed${warned.length ? `, ${warned.length} warned: ${warned.map((c) => c.name).join(', ')}` : ''}`;
}
