/**
 * The one benchmark: every figure side by side, on one machine and one set of data, in one run.
 *   npm run bench [-- --quick | --smoke] [--reps N] [--out FILE.md] [--no-spark] [--no-editor] [--build] [--streams N]
 *                 [--generator | --no-generator] [--generator-scale N] [--analytics-scale N] [--editor-hosts N]
 *                 [--source-cap SECONDS] [--baseline COMMIT] [--editor-only]
 * full:  pipeline at scale 1, 100, 1000 (DuckDB engine vs pyspark), scaling at 1, 10, 100, 1000, analytics at 1000,
 *        3 editor hosts; writes bench/results.md (+ .json, + the scaling chart PNG).
 * quick: pyspark against DuckDB at scale 1, scaling (and the extraction ceiling) at 1, 10, 100, analytics at 10, 1 editor
 *        host, no generator run: under 3 minutes; writes bench/results-quick.md (git-ignored).
 * smoke: scale 1 (and 10 for the scaling chart, DuckDB only), 1 rep, analytics at 1, 1 editor host: npm test's check that
 *        the harness works end to end (test/integration/benchSmoke.test.ts); its figures mean nothing.
 * --baseline COMMIT: the same sections for that commit (built in a temporary git worktree) and for HEAD, interleaved
 *        rep by rep in one run, each figure side by side with its ratio (bench/compare.ts).
 * Every figure is min / median / max over the reps, and reps are interleaved (A B A B) so both sides of a ratio see
 * the same machine. Before a ratio is reported, both sides' answers are compared; a mismatch is reported instead.
 * --editor-only: section 4 alone (--editor-hosts hosts, --reps warm opens each), written in place of section 4 of the
 *        existing page (results.md unless --out), with the run's date and load average; the other sections stay as
 *        they were.
 * Starts the local lab when it is not running (`npm run lab -- up`); the editor part runs dist/ (built when missing).
 * Each section is a file of its own under bench/sections/: it measures, then renders its table.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLabTarget } from '../src/core/lab/state';
import { CLIENT_STREAMS } from '../src/core/lake/sourceSteps';
import { booleanOption, countOption, scriptArgs, stringOption, withUsage, type OptionTable } from './lib/args';
import { sourcePool, ensureSource } from './lib/dashboard';
import { codeVersion, loadText, machineLine, versionOf } from './lib/machine';
import { mdTable } from './lib/stats';
import { measureAnalytics, renderAnalytics } from './sections/analytics';
import type { BenchContext, BenchMode } from './sections/context';
import { measureEditor, renderEditor } from './sections/editor';
import { renderGoals } from './sections/goals';
import { measureLabDump, renderLabDump } from './sections/labDump';
import { measurePipelines, renderExtraction, renderPipeline } from './sections/pipeline';
import { sparkAvailable } from './sections/pipelineRuns';
import { renderScaling } from './sections/scaling';

const repoRoot = path.resolve(__dirname, '../..');
const USAGE = 'npm run bench -- [--quick | --smoke] [--reps N] [--out FILE.md] [--no-spark] [--no-editor] [--build] [--streams N] '
  + '[--generator | --no-generator] [--generator-scale N] [--analytics-scale N] [--editor-hosts N] [--source-cap SECONDS] [--baseline COMMIT] [--editor-only]';

/** Every option of `npm run bench`, parsed strictly by the CLI's parser. */
export const BENCH_OPTIONS: OptionTable = {
  quick: { type: 'boolean' }, smoke: { type: 'boolean' }, reps: { type: 'string' }, out: { type: 'string' },
  'no-spark': { type: 'boolean' }, 'no-editor': { type: 'boolean' }, build: { type: 'boolean' }, streams: { type: 'string' },
  generator: { type: 'boolean' }, 'no-generator': { type: 'boolean' }, 'generator-scale': { type: 'string' },
  'analytics-scale': { type: 'string' }, 'editor-hosts': { type: 'string' }, 'source-cap': { type: 'string' },
  baseline: { type: 'string' }, 'editor-only': { type: 'boolean' },
};

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const args = scriptArgs(USAGE, BENCH_OPTIONS);
  const flag = (name: string) => booleanOption(args, name);
  const smoke = flag('smoke');
  const quick = flag('quick') || smoke;
  const mode: BenchMode = smoke ? 'smoke' : quick ? 'quick' : 'full';
  const baseline = stringOption(args, 'baseline');
  if (baseline) {
    const { compareWithBaseline } = await import('./compare');
    const reps = withUsage(USAGE, args, () => countOption(args, 'reps', 3));
    await compareWithBaseline(repoRoot, baseline, { reps, mode }, process.argv.slice(2));
    return;
  }
  const settings = withUsage(USAGE, args, () => ({
    analyticsScale: countOption(args, 'analytics-scale', smoke ? 1 : quick ? 10 : 1000),
    reps: countOption(args, 'reps', smoke ? 1 : 3),
    editorHosts: flag('no-editor') ? 0 : countOption(args, 'editor-hosts', quick ? 1 : 3),
    // At least 2: the N-stream ceiling shows what parallel streams could give even when the extractor runs one.
    streams: countOption(args, 'streams', Math.max(2, CLIENT_STREAMS)),
    capS: countOption(args, 'source-cap', 300),
    generatorScale: countOption(args, 'generator-scale', 1000),
  }));
  // quick: pyspark at scale 1 only (one JVM start per rep is most of its time: x100 too would take a minute more).
  const pipelineScales = quick ? [1] : [1, 100, 1000];
  const scalingScales = smoke ? [1, 10] : quick ? [1, 10, 100] : [1, 10, 100, 1000];
  const { analyticsScale, reps } = settings;
  const outMd = path.resolve(stringOption(args, 'out') ?? path.join(repoRoot, 'bench', smoke ? 'results-smoke.md' : quick ? 'results-quick.md' : 'results.md'));
  const outJson = outMd.replace(/\.md$/, '.json');
  const outPng = outMd.replace(/\.md$/, '-scaling.png');
  let target = await readLabTarget(path.join(repoRoot, '.lab'));
  if (!target) {
    // After `npm test` (which stops the lab it started) or on a fresh machine: start it the way the README does.
    log('the local lab is not running: starting it (npm run lab -- up)');
    const up = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'lifecycle-lab.js'), 'lab', 'up'], { cwd: repoRoot, stdio: 'inherit' });
    target = up.status === 0 ? await readLabTarget(path.join(repoRoot, '.lab')) : undefined;
    if (!target) throw new Error('The local lab could not be started: run `npm run lab -- up` to see why.');
  }
  const noSpark = flag('no-spark') ? '--no-spark given' : sparkAvailable(repoRoot);
  const started = new Date();
  const loadStart = loadText();
  const benchStarted = performance.now();
  log(`bench (${mode}): ${machineLine()}; load average ${loadStart}; reps ${reps}, interleaved`);
  const work = path.join(repoRoot, '.lab', 'bench', 'run');
  fs.mkdirSync(work, { recursive: true });

  const admin = await sourcePool(target, target.database, 600);
  const ctx: BenchContext = { repoRoot, target, admin, mode, quick, smoke, reps, work, checks: [], versions: { code: codeVersion(repoRoot), node: process.version }, log };
  try {
    if (flag('editor-only')) {
      await editorOnly(ctx, settings.editorHosts, flag('build'), outMd, started);
      return;
    }
    await recordVersions(ctx);
    // Sources: classicmodels_xN for every scale any section uses (the generator, seed 1, when missing or off).
    const allScales = [...new Set([...pipelineScales, ...scalingScales, analyticsScale])].sort((a, b) => a - b);
    for (const scale of allScales) await ensureSource(target, scale, `classicmodels_x${scale}`, admin, log);

    const pipeline = await measurePipelines(ctx, { pipelineScales, scalingScales, streams: settings.streams, noSpark });
    const analytics = await measureAnalytics(ctx, analyticsScale, settings.capS);
    const dump = await measureLabDump(ctx, analytics.lakeDir, analyticsScale,
      { run: flag('generator') || (!quick && !flag('no-generator')), scale: settings.generatorScale });
    const editor = await measureEditor(ctx, settings.editorHosts, flag('build'));

    const load = { start: loadStart, end: loadText() };
    const seconds = (performance.now() - benchStarted) / 1000;
    const lines: string[] = [`# Benchmark results (${mode})`, '',
      `\`npm run bench${mode === 'full' ? '' : ` -- --${mode}`}\`, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${seconds.toFixed(0)} s. ` +
      'Every figure is median (min–max) over the reps; reps are interleaved (A B A B) so both sides of a ratio see the same machine. ' +
      'A ratio is reported only when both sides returned the same answer (checked below).', '',
      '## Machine and versions', '',
      mdTable(['', ''], [
        ['machine', machineLine()],
        ['load average (1 / 5 / 15 min)', `start ${load.start}; end ${load.end}`],
        ['reps', `${reps} (editor: ${settings.editorHosts} host${settings.editorHosts === 1 ? '' : 's'}, ${Math.max(reps, 1)} warm opens each)`],
        ...Object.entries(ctx.versions).map(([k, v]) => [k, v]),
      ]), '',
      ...renderPipeline(pipeline),
      ...renderExtraction(pipeline),
      ...renderAnalytics(analytics),
      ...renderEditor(editor),
      ...await renderScaling(pipeline, outPng),
      ...renderLabDump(dump),
      ...renderGoals(pipeline, analytics, dump, load)];

    const failed = ctx.checks.filter((c) => !c.ok);
    lines.push('## Answers compared before any ratio', '', failed.length ? `**${failed.length} check(s) failed**: ${failed.map((c) => c.what).join('; ')}.` : `All ${ctx.checks.length} checks passed.`, '',
      mdTable(['section', 'check', 'ok', 'detail'], ctx.checks.map((c) => [c.section, c.what, c.ok ? 'yes' : '**NO**', c.detail.replace(/\|/g, '/')])), '');
    // The full run's page ends with the hand-written analysis of its figures (where the time goes, what limits each goal).
    const notes = path.join(repoRoot, 'bench', 'results-notes.md');
    if (mode === 'full' && fs.existsSync(notes)) lines.push(fs.readFileSync(notes, 'utf8'));
    fs.writeFileSync(outMd, lines.join('\n'));
    fs.writeFileSync(outJson, JSON.stringify({
      mode, date: started.toISOString(), seconds, machine: machineLine(), load, versions: ctx.versions, reps,
      sections: { pipeline: pipelineScales, extraction: pipeline.topScale, analytics: analyticsScale, editor: editor.hosts.length, scaling: scalingScales },
      checks: ctx.checks, analytics: analytics.questions, editor: editor.hosts, dump: { runsMs: dump.dumpRuns }, inMemoryCopy: dump.copies,
      generator: { scale: dump.generator.scale, ms: dump.generator.ms },
      pipeline: [...pipeline.results.values()].map((r) => ({ scale: r.scale, sourceRows: r.sourceRows, duckdb: r.duck, spark: r.spark, ceiling1Ms: r.ceiling1, ceilingNMs: r.ceilingN })),
    }, null, 2));
    log(`\n${lines.filter((l) => l.startsWith('|') || l.startsWith('#')).join('\n')}`);
    log(`\nwrote ${path.relative(repoRoot, outMd)} (${seconds.toFixed(0)} s; load ${load.start} -> ${load.end}); ${failed.length ? `${failed.length} answer check(s) FAILED` : 'all answer checks passed'}`);
    if (failed.length) process.exitCode = 1;
  } finally {
    await admin.end();
  }
}

/** Section 4 measured alone and put in place of section 4 of the page at `outMd` (the rest of the page is kept). */
async function editorOnly(ctx: BenchContext, hosts: number, build: boolean, outMd: string, started: Date): Promise<void> {
  const loadStart = loadText();
  const editor = await measureEditor(ctx, Math.max(hosts, 1), build);
  const section = renderEditor(editor);
  section.splice(4, 0, `Measured alone (\`npm run bench -- --editor-only --editor-hosts ${Math.max(hosts, 1)} --reps ${ctx.reps}\`), ` +
    `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, code ${ctx.versions.code}; load average (1 / 5 / 15 min) at the start ${loadStart}, ` +
    `at the end ${loadText()} on ${machineLine()}. The other sections are from the page's full run.`, '');
  const page = fs.existsSync(outMd) ? fs.readFileSync(outMd, 'utf8') : '';
  const from = page.indexOf('## 4. Editor');
  const to = from < 0 ? -1 : page.indexOf('\n## ', from + 1);
  const text = from < 0 ? `${page}\n${section.join('\n')}` : `${page.slice(0, from)}${section.join('\n')}${to < 0 ? '' : page.slice(to)}`;
  fs.writeFileSync(outMd, text);
  log(`\n${section.filter((l) => l.startsWith('|') || l.startsWith('#')).join('\n')}`);
  const failed = ctx.checks.filter((c) => !c.ok);
  log(`\nwrote section 4 of ${path.relative(ctx.repoRoot, outMd)}; ${failed.length ? `${failed.length} check(s) FAILED: ${failed.map((c) => c.detail).join('; ')}` : 'every host rendered every card'}`);
  if (failed.length) process.exitCode = 1;
}

/** The versions of what the figures come from: MariaDB, DuckDB, java, the MariaDB client (pyspark's once it ran). */
async function recordVersions(ctx: BenchContext): Promise<void> {
  const [v] = await ctx.admin.query({ sql: 'select version()', rowsAsArray: true });
  ctx.versions.MariaDB = String((v as unknown[][])[0][0]);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  ctx.versions.DuckDB = String((await c.runAndReadAll('select version()')).getRows()[0][0]);
  c.closeSync();
  inst.closeSync();
  ctx.versions.java = versionOf('java', ['-version']);
  ctx.versions['mariadb client'] = versionOf('mariadb', ['--version']);
}

if (require.main === module) main().catch((err) => { console.error(`bench failed: ${err instanceof Error ? err.message : err}`); process.exitCode = 1; });
