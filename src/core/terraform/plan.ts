import { LabError } from '../errors';

export type ResourceAction = 'create' | 'update' | 'delete' | 'replace';

export interface PlannedResource {
  address: string;
  action: ResourceAction;
}

/** What a plan will do, counted the way Terraform's "Plan:" line counts (a replacement adds one and destroys one). */
export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  /** Resources with something to do, in the plan's order; no values: only addresses and actions. */
  resources: PlannedResource[];
}

interface PlanJson {
  format_version?: string;
  resource_changes?: { address?: string; mode?: string; change?: { actions?: string[] } }[];
}

function actionOf(actions: string[]): ResourceAction | undefined {
  const key = actions.join(',');
  if (key === 'create') return 'create';
  if (key === 'update') return 'update';
  if (key === 'delete') return 'delete';
  if (key === 'delete,create' || key === 'create,delete') return 'replace';
  return undefined; // no-op, read (data sources), forget
}

/**
 * The summary of `terraform show -json <planfile>`. That JSON holds every variable's value, the password included,
 * and resource attributes derived from it: only addresses and actions are read, so nothing else can be carried on.
 */
export function parsePlanJson(text: string): PlanSummary {
  let plan: PlanJson;
  try {
    plan = JSON.parse(text) as PlanJson;
  } catch (err) {
    throw new LabError('internal', 'terraform show -json did not print a JSON plan.', { cause: err instanceof Error ? new Error(err.message.slice(0, 80)) : undefined });
  }
  if (typeof plan !== 'object' || plan === null || !plan.format_version) {
    throw new LabError('internal', 'terraform show -json printed JSON that is not a plan (no format_version).');
  }
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0, replace: 0, resources: [] };
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data' || typeof rc.address !== 'string') continue;
    const action = actionOf(rc.change?.actions ?? []);
    if (!action) continue;
    summary.resources.push({ address: rc.address, action });
    if (action === 'create') summary.add++;
    else if (action === 'update') summary.change++;
    else if (action === 'delete') summary.destroy++;
    else {
      summary.replace++;
      summary.add++;
      summary.destroy++;
    }
  }
  return summary;
}

/** "Plan: 3 to add, 0 to change, 0 to destroy." (Terraform's own wording), or "No changes." */
export function formatPlanLine(summary: PlanSummary): string {
  if (summary.resources.length === 0) return 'No changes.';
  const replaced = summary.replace ? ` (${summary.replace} replaced)` : '';
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy${replaced}.`;
}

const VERB: Record<ResourceAction, string> = { create: 'create', update: 'update in place', delete: 'destroy', replace: 'replace (destroy, then create)' };

/** One line per resource, for a confirmation: "create  aws_s3_bucket.lake". */
export function describeResources(resources: PlannedResource[], max = 40): string {
  const lines = resources.slice(0, max).map((r) => `${VERB[r.action]}: ${r.address}`);
  if (resources.length > max) lines.push(`… and ${resources.length - max} more`);
  return lines.join('\n');
}

/** Managed resources of `terraform state list` (data sources left out: destroying removes none of them). */
export function parseStateList(text: string): string[] {
  const own = (address: string) => address.replace(/^(module\.[^.[]+(\[[^\]]*\])?\.)+/, '');
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !own(l).startsWith('data.'));
}
