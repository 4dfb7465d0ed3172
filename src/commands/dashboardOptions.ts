/**
 * The arguments of Open Dashboard (`lifecycleLab.dashboard.open`), which come untyped from other commands, tests and
 * tree items: a `topProducts` filter to apply once the page is up, checked by one schema. Other values (a tree item,
 * nothing) open the dashboard as it is; a `topProducts` that is not a well-formed filter is refused, naming the field.
 */
import * as v from 'valibot';
import { TOP_N_MAX, TOP_N_MIN } from '../core/dashboard/parameters';
import { LabError } from '../core/errors';
import type { DashboardOpenOptions } from '../webview/dashboardPanel';

// Each message completes "<field> must be …".
const isoDate = v.pipe(v.string('a date written YYYY-MM-DD'), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD'),
  v.check((d) => !Number.isNaN(Date.parse(d)), 'a real date'));
const label = v.pipe(v.string('text'), v.maxLength(200, 'at most 200 characters'));
const topN = `a whole number from ${TOP_N_MIN} to ${TOP_N_MAX}`;

const TopProductsSchema = v.strictObject({
  startDate: v.optional(isoDate),
  endDate: v.optional(isoDate),
  country: v.optional(label),
  productLine: v.optional(label),
  n: v.optional(v.pipe(v.number(topN), v.integer(topN), v.minValue(TOP_N_MIN, topN), v.maxValue(TOP_N_MAX, topN))),
}, 'an object of startDate, endDate, country, productLine and n only');

/** Open Dashboard's options from its untyped argument; throws a `config` LabError naming the field that is wrong. */
export function parseDashboardOpenOptions(raw: unknown): DashboardOpenOptions {
  if (!raw || typeof raw !== 'object' || !('topProducts' in raw) || raw.topProducts === undefined) return {};
  const parsed = v.safeParse(TopProductsSchema, raw.topProducts);
  if (parsed.success) return { topProducts: parsed.output };
  const issue = parsed.issues[0];
  const field = v.getDotPath(issue);
  throw new LabError('config', `Open Dashboard was given a Top-N filter it cannot apply: ${field ? `topProducts.${field}` : 'topProducts'} must be ${issue.message} (got ${issue.received.slice(0, 60)}).`, {
    nextStep: { label: 'Open the dashboard without options and set the filter in its Top-N controls' },
  });
}
