import type { LakeProblem } from '../run/lakeCheck';
import type { LakeManifest } from '../run/manifest';
import type { LakeRunSummary, LakeStatus, ReconciliationCheck } from './model';

/** The Lake card's verdict: whether the lake's totals can be trusted, and if not, why (engine-neutral). */

/** Decides whether the totals can be trusted and says why not; `problems` are the damaged tables' files. */
export function assessLake(given: Omit<LakeStatus, 'inflated' | 'warnings' | 'damaged'> & { damaged?: string[] }, problems: LakeProblem[] = []): LakeStatus {
  const facts = { ...given, damaged: given.damaged ?? [] };
  const warnings: string[] = [];
  if (facts.damaged.length) {
    const what = facts.damaged.length === 1 ? `The lake table ${facts.damaged[0]} is damaged` : `The lake tables ${facts.damaged.join(', ')} are damaged`;
    const details = problems.slice(0, 3).map((p) => p.message).join(' ');
    warnings.push(`${what}: its files are not the ones the last run wrote${details ? ` (${details})` : ''}. ` +
      'Verify Lake names every damaged file; Run Pipeline rewrites the lake.');
  }
  if (facts.model === 'legacy') {
    warnings.push('This lake was written by the lab\'s original job: dim_locations is keyed by postalCode (no locationKey), so customers sharing a postal code multiply order lines.');
  }
  const { factRows, orderLines } = facts;
  if (factRows !== undefined && orderLines !== undefined && factRows > orderLines) {
    warnings.push(`fact_orders has ${factRows.toLocaleString('en-US')} rows for ${orderLines.toLocaleString('en-US')} distinct order lines: totals are inflated.`);
  }
  const sourceLines = facts.run?.sourceOrderLines;
  if (sourceLines !== undefined && factRows !== undefined && factRows !== sourceLines) {
    warnings.push(`fact_orders has ${factRows.toLocaleString('en-US')} rows but the source had ${sourceLines.toLocaleString('en-US')} order lines.`);
  }
  if (facts.run && !facts.run.ok) warnings.push('The last pipeline run reported failed reconciliation checks.');
  const inflated = factRows !== undefined && ((orderLines !== undefined && factRows > orderLines) || (sourceLines !== undefined && factRows > sourceLines));
  return { ...facts, inflated, warnings };
}

/** Pulls what the dashboard shows out of the manifest the pipeline wrote. */
export function summarizeManifest(manifest: LakeManifest | undefined): LakeRunSummary | undefined {
  if (!manifest) return undefined;
  const checks: ReconciliationCheck[] = (manifest.checks ?? []).map((c) => ({
    name: c.name,
    ok: c.ok,
    detail: c.message || `expected ${c.expected}, got ${c.actual}`,
  }));
  const orderLines = manifest.source?.counts?.orderdetails;
  return {
    runId: manifest.runId,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    model: manifest.model,
    engine: manifest.engine ? `${manifest.engine.name} ${manifest.engine.version}` : undefined,
    ok: manifest.ok,
    checks,
    sourceOrderLines: typeof orderLines === 'number' ? orderLines : undefined,
  };
}
