/**
 * `npm run bench -- --quick --baseline COMMIT`: the same benchmark for an older commit and for HEAD, in one run on one
 * machine. Each is built in a temporary git worktree (node_modules symlinked from this checkout when every package
 * the commit's lock file names is installed here at its version, else its own `npm ci`; then tsc); both use this
 * checkout's lab (.lab) and engines (vendor/). The sides run rep by rep, alternating which goes first (A B, B A, ...),
 * one rep each time; then every figure is printed for both with the ratio of the medians (HEAD / baseline: below 1
 * is faster or smaller at HEAD). Writes bench/results-<mode>-baseline.md (git-ignored) beside the sides' own results.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadText, machineLine } from './lib/machine';
import { fmtRatio, mdTable, median } from './lib/stats';

interface Side { label: string; root: string; figures: Array<Record<string, number>>; failedChecks: string[] }

/** The results JSON of one bench run (the fields compared; the same in every commit since the JSON was introduced). */
interface BenchJson {
  checks: Array<{ ok: boolean; what: string }>;
  pipeline: Array<{ scale: number; duckdb: Array<{ wallMs: number; peakRssBytes: number; value: { runMs: number; steps: Record<string, number> } }>;
    spark: Array<{ wallMs: number }>; ceiling1Ms: number[]; ceilingNMs: number[] }>;
  analytics: Array<{ name: string; lake: { median: number }; shown: { median: number } }>;
  dump: { runsMs: number[] };
  inMemoryCopy: Array<{ rssBeforeCopy: number; rssAfterCopy: number; copyMs: number }>;
  editor: Array<{ ok: boolean; activationMs?: number; activateCallMs?: number; sourceRootMs?: number; sourceConnectionMs?: number;
    sourceDatabaseMs?: number; sourceTableMs?: number; dashboardColdMs?: number; dashboardWarmMs?: number[] }>;
}

/** The figures of one run by name: times in ms, memory in MB. */
export function benchFigures(json: BenchJson): Record<string, number> {
  const f: Record<string, number> = {};
  const put = (name: string, value: number | undefined) => { if (value !== undefined && Number.isFinite(value)) f[name] = value; };
  for (const p of json.pipeline) {
    const d = p.duckdb[0];
    put(`x${p.scale} DuckDB pipeline, process wall ms`, d?.wallMs);
    put(`x${p.scale} DuckDB pipeline, run ms`, d?.value.runMs);
    put(`x${p.scale} DuckDB extract step ms`, d?.value.steps.extract);
    put(`x${p.scale} DuckDB peak RSS MB`, d && d.peakRssBytes / 1e6);
    put(`x${p.scale} pyspark wall ms`, p.spark[0]?.wallMs);
    put(`x${p.scale} extraction ceiling, 1 stream ms`, p.ceiling1Ms[0]);
    put(`x${p.scale} extraction ceiling, N streams ms`, p.ceilingNMs[0]);
  }
  for (const a of json.analytics) {
    put(`analytics ${a.name}: lake ms`, a.lake.median);
    put(`analytics ${a.name}: shown ms`, a.shown.median);
  }
  put('lab dump, warm run ms', json.dump.runsMs.length > 1 ? median(json.dump.runsMs.slice(1)) : undefined);
  const copy = json.inMemoryCopy[0];
  put('in-memory copy, RSS growth MB', copy && (copy.rssAfterCopy - copy.rssBeforeCopy) / 1e6);
  put('in-memory copy ms', copy?.copyMs);
  const e = json.editor.find((x) => x.ok);
  if (e) {
    put('editor: activate() ms', e.activationMs);
    put('editor: activate() call ms', e.activateCallMs);
    put('editor: Source root ms', e.sourceRootMs);
    put('editor: Source connection expand ms', e.sourceConnectionMs);
    put('editor: Source database expand ms', e.sourceDatabaseMs);
    put('editor: Source table expand ms', e.sourceTableMs);
    put('editor: Open Dashboard cold ms', e.dashboardColdMs);
    put('editor: Open Dashboard warm ms', e.dashboardWarmMs?.length ? median(e.dashboardWarmMs) : undefined);
  }
  return f;
}

function run(cmd: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}): \`${cmd} ${args.join(' ')}\` in ${cwd}`);
}

/** Whether every package the commit's lock file puts at the top of node_modules (but other platforms' optional ones) is installed here at that version. */
function sameNodeModules(repoRoot: string, commit: string): boolean {
  const lock = spawnSync('git', ['show', `${commit}:package-lock.json`], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (lock.status !== 0) return false;
  const packages = (JSON.parse(lock.stdout) as { packages?: Record<string, { version?: string; optional?: boolean }> }).packages ?? {};
  return Object.entries(packages).every(([key, pkg]) => {
    // Optional packages are other platforms' builds (DuckDB bindings, vsce-sign): installed only where they fit.
    if (!key.startsWith('node_modules/') || key.slice('node_modules/'.length).includes('/node_modules/') || !pkg.version || pkg.optional) return true;
    const installed = path.join(repoRoot, key, 'package.json');
    if (!fs.existsSync(installed)) return false;
    return (JSON.parse(fs.readFileSync(installed, 'utf8')) as { version?: string }).version === pkg.version;
  });
}

/** A worktree of `commit` under `dir`, built: dependencies, the lab and engines of this checkout, tsc. */
function prepareWorktree(repoRoot: string, commit: string, dir: string): void {
  run('git', ['worktree', 'add', '--detach', dir, commit], repoRoot, `git worktree add ${commit}`);
  if (sameNodeModules(repoRoot, commit)) fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  else run('npm', ['ci', '--no-audit', '--no-fund'], dir, `npm ci for ${commit}`);
  // The lab (MariaDB, its databases, the bench's lakes) and the downloaded engines are this checkout's, shared by both sides.
  for (const shared of ['.lab', 'vendor']) {
    if (fs.existsSync(path.join(repoRoot, shared)) && !fs.existsSync(path.join(dir, shared))) fs.symlinkSync(path.join(repoRoot, shared), path.join(dir, shared));
  }
  run(path.join(dir, 'node_modules', '.bin', 'tsc'), ['-p', '.'], dir, `tsc for ${commit}`);
}

const shortCommit = (repoRoot: string, rev: string) => spawnSync('git', ['rev-parse', '--short', rev], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();

/** The options both sides get: the caller's, less the comparison's own (--baseline, --reps, --out). */
function sideArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (['--baseline', '--reps', '--out'].includes(argv[i])) i++;
    else if (!/^--(baseline|reps|out)=/.test(argv[i])) out.push(argv[i]);
  }
  return out;
}

/** `argv` is the command line as typed (parsed by run.ts already), passed on to both sides less the comparison's own options. */
export async function compareWithBaseline(repoRoot: string, baseline: string, run: { reps: number; mode: string }, argv: readonly string[]): Promise<void> {
  const { reps, mode } = run;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-bench-baseline-'));
  const sides: Side[] = [
    { label: `baseline ${shortCommit(repoRoot, baseline)}`, root: path.join(tmp, 'baseline'), figures: [], failedChecks: [] },
    { label: `HEAD ${shortCommit(repoRoot, 'HEAD')}`, root: path.join(tmp, 'head'), figures: [], failedChecks: [] },
  ];
  const loadStart = loadText();
  const started = performance.now();
  try {
    prepareWorktree(repoRoot, baseline, sides[0].root);
    prepareWorktree(repoRoot, 'HEAD', sides[1].root);
    const common = sideArgs(argv);
    for (let rep = 0; rep < reps; rep++) {
      for (const side of rep % 2 ? [...sides].reverse() : sides) {
        console.log(`\n=== ${side.label}, rep ${rep + 1}/${reps} (load ${loadText()})`);
        const out = path.join(tmp, `${side === sides[0] ? 'baseline' : 'head'}-${rep + 1}.md`);
        // A failed answer check exits 1 but still writes its figures: it is reported, not fatal.
        spawnSync(process.execPath, [path.join(side.root, 'out', 'bench', 'run.js'), ...common, '--reps', '1', '--out', out], { cwd: side.root, stdio: 'inherit' });
        const jsonFile = out.replace(/\.md$/, '.json');
        if (!fs.existsSync(jsonFile)) throw new Error(`${side.label}: rep ${rep + 1} wrote no results (${jsonFile}); see its output above`);
        const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as BenchJson;
        side.figures.push(benchFigures(json));
        side.failedChecks.push(...json.checks.filter((c) => !c.ok).map((c) => `rep ${rep + 1}: ${c.what}`));
      }
    }
  } finally {
    for (const side of sides) spawnSync('git', ['worktree', 'remove', '--force', side.root], { cwd: repoRoot, stdio: 'ignore' });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const lines = renderComparison(sides, { mode, reps, loadStart, loadEnd: loadText(), seconds: (performance.now() - started) / 1000 });
  const outFile = path.join(repoRoot, 'bench', `results-${mode}-baseline.md`);
  fs.writeFileSync(outFile, lines.join('\n'));
  console.log(`\n${lines.join('\n')}\nwrote ${path.relative(repoRoot, outFile)}`);
}

function renderComparison(sides: Side[], run: { mode: string; reps: number; loadStart: string; loadEnd: string; seconds: number }): string[] {
  const [base, head] = sides;
  const names = [...new Set(sides.flatMap((s) => s.figures.flatMap((f) => Object.keys(f))))];
  const cell = (s: Side, name: string) => {
    const values = s.figures.map((f) => f[name]).filter((v): v is number => v !== undefined);
    if (!values.length) return { text: '–', median: Number.NaN };
    const m = median(values);
    const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
    return { text: `${fmt(m)} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`, median: m };
  };
  const rows = names.map((name) => {
    const [b, h] = [cell(base, name), cell(head, name)];
    return [name, b.text, h.text, fmtRatio(h.median / b.median)];
  });
  const failed = sides.filter((s) => s.failedChecks.length).map((s) => `${s.label}: ${s.failedChecks.join('; ')}`);
  return [`# Benchmark before/after (${run.mode}): ${base.label} against ${head.label}`, '',
    `\`npm run bench -- --${run.mode} --baseline ${base.label.split(' ')[1]}\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${run.seconds.toFixed(0)} s; ` +
    `${machineLine()}; load average ${run.loadStart} at the start, ${run.loadEnd} at the end. ` +
    `${run.reps} reps per side, one bench run each, alternating which side goes first; each figure is median (min–max) over the reps; ` +
    'the ratio is HEAD / baseline of the medians (below 1: faster or smaller at HEAD).', '',
    mdTable(['figure', base.label, head.label, 'HEAD / baseline'], rows), '',
    failed.length ? `Answer checks that failed: ${failed.join(' / ')}.` : 'Every answer check passed on both sides.', ''];
}
