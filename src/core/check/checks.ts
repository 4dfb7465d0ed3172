import type { CommandId } from '../commandIds';
import { describeError, toLabError, type NextStep } from '../errors';
import { CLASSICMODELS_TABLES, type TableCounts } from '../lab/db';
import { MODEL_TABLES, type DataTestResult, type LakeManifest } from '../run/manifest';
import { describeTestResult } from '../lake/dataTests';
import type { RunRecord } from '../run/runRecord';
import { shellStep } from '../shellSteps';

/**
 * Check Lab: the lab's state as a checklist, each item with pass/fail (or skip: not configured), what was found and
 * how to fix it. The checks are plain logic over probes (what the source, lake, pipeline and AWS say), so the editor,
 * the CLI and the tests run the same list; src/core/check/probes.ts builds the probes from a backend.
 */
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckFix {
  /** What to do, e.g. "Run Pipeline". */
  label: string;
  /** The editor command that does it. */
  command?: CommandId;
  /** The same from the command line (the command's counterpart in core/shellSteps.ts, or the check's own). */
  cli?: string;
}

export interface CheckItem {
  id: string;
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: CheckFix;
}

export interface CheckReport {
  /** No item failed (skipped ones do not count). */
  ok: boolean;
  /** The backend checked, as the UI names it ("local", "AWS"). */
  mode: string;
  items: CheckItem[];
}

export interface SourceCounts {
  /** e.g. "classicmodels on 127.0.0.1:3307 (local lab)". */
  where: string;
  counts: Partial<TableCounts>;
  /** The counts the source should hold (the dump's, or a generated lab's); a table absent here only has to be non-empty. */
  expected: Partial<TableCounts>;
}

export interface GlueRunSummary {
  id: string;
  state: string;
  startedOn?: string;
  error?: string;
}

/** What the checks ask; each may throw a LabError, which fails its item with the error's message and next step. */
export interface CheckProbes {
  /** The backend's label ("local", "AWS"). */
  label: string;
  /** What to do when there is no source (Start Local Lab, Discover RDS Instance): the backend's own next step. */
  sourceMissing: NextStep;
  /** The source's exact row counts; throws when there is no source or it does not answer. */
  sourceCounts(): Promise<SourceCounts>;
  manifest(): Promise<LakeManifest | undefined>;
  lastRun(): Promise<RunRecord | undefined>;
  /** Rows of one lake table through the query engine (throws when the table is not there). */
  lakeRows(table: string): Promise<number>;
  /** Each dashboard question with the rows it answered (throws for the first that fails). */
  dashboardAnswers(): Promise<Array<{ question: string; rows: number }>>;
  /** What an AWS backend adds; absent for one without AWS. */
  aws?: {
    /** The Terraform outputs the editor reads, as settings (empty value: not set). */
    outputs(): Array<{ output: string; setting: string; value: string }>;
    /** The Glue job's latest run; undefined when it never ran. */
    lastGlueRun(): Promise<GlueRunSummary | undefined>;
    /** The Athena workgroup's state (ENABLED, DISABLED). */
    workgroupState(): Promise<string>;
  };
}

/** A fix that is an editor command: the editor's label here, its command line from the one table (core/shellSteps.ts). */
function commandFix(label: string, command: CommandId): CheckFix {
  const cli = shellStep(command)?.run;
  return { label, command, ...(cli ? { cli } : {}) };
}

const FIX = {
  runPipeline: commandFix('Run Pipeline', 'lifecycleLab.pipeline.run'),
  openDashboard: commandFix('Open Dashboard', 'lifecycleLab.dashboard.open'),
  terraformApply: commandFix('Terraform Apply, then set the outputs in the settings', 'lifecycleLab.terraform.apply'),
  openSettings: commandFix('Open Settings', 'lifecycleLab.openSettings'),
  // No editor command resets the lab: this fix is the shell's only.
  reseed: { label: 'Reset the lab and start it again (reloads the dump)', cli: 'lifecycle-lab lab reset && lifecycle-lab lab up' },
} satisfies Record<string, CheckFix>;

const n = (v: number) => v.toLocaleString('en-US');

function fromError(err: unknown, fallback: CheckFix | undefined): { detail: string; fix?: CheckFix } {
  const e = toLabError(err);
  const step = e.nextStep;
  const fix = step?.command ? commandFix(step.label, step.command) : fallback;
  return { detail: step && !step.command ? describeError(e) : e.message, ...(fix ? { fix } : {}) };
}

async function item(id: string, name: string, fallbackFix: CheckFix | undefined, check: () => Promise<Omit<CheckItem, 'id' | 'name'>>): Promise<CheckItem> {
  try {
    return { id, name, ...(await check()) };
  } catch (err) {
    return { id, name, status: 'fail', ...fromError(err, fallbackFix) };
  }
}

async function sourceItem(probes: CheckProbes): Promise<CheckItem> {
  const missing = probes.sourceMissing;
  const fix = missing.command ? commandFix(missing.label, missing.command) : undefined;
  return item('source', `Source reachable with its ${CLASSICMODELS_TABLES.length} tables`, fix, async () => {
    const source = await probes.sourceCounts();
    const wrong = CLASSICMODELS_TABLES.flatMap((t) => {
      const got = source.counts[t];
      const want = source.expected[t];
      if (got === undefined) return [`${t} is missing`];
      if (want !== undefined && got !== want) return [`${t} has ${n(got)} rows, expected ${n(want)}`];
      if (want === undefined && got === 0) return [`${t} is empty`];
      return [];
    });
    if (wrong.length) return { status: 'fail', detail: `${source.where}: ${wrong.join('; ')}.`, fix: FIX.reseed };
    const lines = source.counts.orderdetails ?? 0;
    return { status: 'pass', detail: `${source.where}: ${CLASSICMODELS_TABLES.length} tables with the expected counts (orderdetails ${n(lines)}).` };
  });
}

async function pipelineItem(probes: CheckProbes): Promise<CheckItem> {
  return item('pipeline', 'Pipeline ran and reconciled', FIX.runPipeline, async () => {
    const [manifest, last] = await Promise.all([probes.manifest(), probes.lastRun().catch(() => undefined)]);
    if (!manifest) {
      const why = last ? `The last run ${last.status === 'ok' ? 'left no manifest' : `${last.status}: ${last.message}`}.` : 'The pipeline has never published a lake.';
      return { status: 'fail', detail: why, fix: FIX.runPipeline };
    }
    const factRows = manifest.tables.fact_orders?.rows;
    const orderLines = manifest.source.counts.orderdetails;
    const failed = manifest.checks.filter((c) => !c.ok);
    const amount = manifest.checks.find((c) => c.name === 'order_amount_matches_source');
    const problems = [
      ...(manifest.ok ? [] : ['the run reported failed reconciliation']),
      ...failed.map((c) => c.message),
      ...(factRows === undefined || factRows !== orderLines ? [`fact_orders has ${factRows ?? 'no'} rows for ${orderLines ?? 'unknown'} source order lines`] : []),
      ...(amount ? [] : ['the manifest has no total-sales check']),
    ];
    if (problems.length) return { status: 'fail', detail: `Run ${manifest.runId}: ${problems.join('; ')}.`, fix: FIX.runPipeline };
    const newerFailure = last && last.status !== 'ok' && last.runId !== manifest.runId && last.finishedAt > manifest.finishedAt;
    if (newerFailure) {
      return {
        status: 'fail', fix: FIX.runPipeline,
        detail: `The last run ${last.status} (${last.message}); the lake still holds run ${manifest.runId} of ${manifest.finishedAt}, which reconciled.`,
      };
    }
    return {
      status: 'pass',
      detail: `Run ${manifest.runId} (${manifest.finishedAt}): ${n(factRows)} fact rows = ${n(orderLines)} order lines; total sales ${amount!.actual} = source ${amount!.expected}, to the cent.`
        + dataTestsDetail(manifest.tests),
    };
  });
}

/** What the published run's declared data tests found: how many passed, and each warning with its failing rows. */
function dataTestsDetail(tests: DataTestResult[] | undefined): string {
  if (!tests?.length) return '';
  const warned = tests.filter((t) => t.status === 'warn');
  const passed = tests.filter((t) => t.status === 'pass').length;
  return ` Data tests: ${passed} passed${warned.length ? `, ${warned.length} warned: ${warned.map((t) => `${t.id} (${describeTestResult(t)})`).join('; ')}` : ''}.`;
}

async function lakeItem(probes: CheckProbes): Promise<CheckItem> {
  return item('lake', `Lake has its ${MODEL_TABLES.length} tables`, FIX.runPipeline, async () => {
    const manifest = await probes.manifest().catch(() => undefined);
    const rows = await Promise.all(MODEL_TABLES.map(async (t) => {
      try {
        return { table: t, rows: await probes.lakeRows(t) };
      } catch (err) {
        return { table: t, error: toLabError(err).message };
      }
    }));
    const problems = rows.flatMap((r) => {
      if ('error' in r) return [`${r.table}: ${r.error}`];
      const recorded = manifest?.tables[r.table]?.rows;
      if (recorded !== undefined && recorded !== r.rows) return [`${r.table} has ${n(r.rows ?? 0)} rows, its run recorded ${n(recorded)}`];
      return r.rows === 0 ? [`${r.table} is empty`] : [];
    });
    if (problems.length) return { status: 'fail', detail: problems.join('; '), fix: FIX.runPipeline };
    return { status: 'pass', detail: rows.map((r) => `${r.table} ${n(r.rows ?? 0)}`).join(', ') };
  });
}

async function dashboardItem(probes: CheckProbes, lakeOk: boolean): Promise<CheckItem> {
  const name = 'The dashboard\'s questions answer';
  if (!lakeOk) return { id: 'dashboard', name, status: 'skip', detail: 'Needs the lake (see above).', fix: FIX.runPipeline };
  return item('dashboard', name, FIX.openDashboard, async () => {
    const answers = await probes.dashboardAnswers();
    const empty = answers.filter((a) => a.rows === 0);
    if (empty.length) return { status: 'fail', detail: `No rows for ${empty.map((a) => a.question).join(', ')}.`, fix: FIX.runPipeline };
    return { status: 'pass', detail: answers.map((a) => `${a.question} (${n(a.rows)})`).join(', ') };
  });
}

async function awsItems(aws: NonNullable<CheckProbes['aws']>): Promise<CheckItem[]> {
  const outputs = aws.outputs();
  const missing = outputs.filter((o) => !o.value);
  const terraform: CheckItem = missing.length
    ? { id: 'terraform', name: 'Terraform outputs in the settings', status: 'fail', detail: `Not set: ${missing.map((o) => `${o.setting} (output ${o.output})`).join(', ')}.`, fix: FIX.terraformApply }
    : { id: 'terraform', name: 'Terraform outputs in the settings', status: 'pass', detail: outputs.map((o) => `${o.output} = ${o.value}`).join(', ') };
  const job = outputs.find((o) => o.output === 'job_name')?.value;
  const workgroup = outputs.find((o) => o.output === 'athena_workgroup')?.value;
  const glue = job
    ? await item('glue', 'Glue job\'s last run SUCCEEDED', FIX.runPipeline, async () => {
      const run = await aws.lastGlueRun();
      if (!run) return { status: 'fail', detail: `The job ${job} has never run.`, fix: FIX.runPipeline };
      const when = run.startedOn ? ` (started ${run.startedOn})` : '';
      return run.state === 'SUCCEEDED'
        ? { status: 'pass', detail: `Run ${run.id}${when} SUCCEEDED.` }
        : { status: 'fail', detail: `Run ${run.id}${when} is ${run.state}${run.error ? `: ${run.error}` : ''}.`, fix: FIX.runPipeline };
    })
    : { id: 'glue', name: 'Glue job\'s last run SUCCEEDED', status: 'skip' as const, detail: 'No Glue job name is set.', fix: FIX.openSettings };
  const athena = workgroup
    ? await item('athena', 'Athena workgroup reachable', FIX.terraformApply, async () => {
      const state = await aws.workgroupState();
      return state === 'ENABLED'
        ? { status: 'pass', detail: `Workgroup ${workgroup} is ENABLED.` }
        : { status: 'fail', detail: `Workgroup ${workgroup} is ${state}: queries cannot run in it.`, fix: commandFix('Enable the workgroup in the Athena console, or Terraform Apply', 'lifecycleLab.terraform.apply') };
    })
    : { id: 'athena', name: 'Athena workgroup reachable', status: 'skip' as const, detail: 'No Athena workgroup is set.', fix: FIX.openSettings };
  return [terraform, glue, athena];
}

/** Runs every check (none stops the others) and returns the checklist in a fixed order. */
export async function checkLab(probes: CheckProbes): Promise<CheckReport> {
  const [source, pipeline, lake] = await Promise.all([sourceItem(probes), pipelineItem(probes), lakeItem(probes)]);
  const dashboard = await dashboardItem(probes, lake.status === 'pass');
  const items = [source, pipeline, lake, dashboard, ...(probes.aws ? await awsItems(probes.aws) : [])];
  return { ok: items.every((i) => i.status !== 'fail'), mode: probes.label, items };
}

/** The checklist as text lines (CLI, log): one line per item, its fix under a failed one. */
export function formatCheckReport(report: CheckReport): string[] {
  const mark: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };
  const lines = report.items.flatMap((i) => {
    const fix = i.status !== 'pass' && i.fix ? [`       fix: ${i.fix.label}${i.fix.cli ? ` (${i.fix.cli})` : ''}`] : [];
    return [`${mark[i.status]}  ${i.name}: ${i.detail}`, ...fix];
  });
  const failed = report.items.filter((i) => i.status === 'fail').length;
  lines.push(failed ? `${failed} of ${report.items.length} checks failed (${report.mode} mode).` : `Lab checked: all ${report.items.filter((i) => i.status === 'pass').length} checks passed (${report.mode} mode).`);
  return lines;
}
