/**
 * `lifecycle-lab` command line: the same core code the editor uses, for scripts, tests and benchmarks.
 * One table of commands; each is parsed strictly by node:util parseArgs (an unknown option, a stray word or an
 * option without its value is a usage error, exit 2). Settings come from LIFECYCLE_LAB_<KEY> environment variables
 * (e.g. LIFECYCLE_LAB_LOCAL_LABDIR, LIFECYCLE_LAB_MODE); the MySQL password for a configured (non-lab) source from
 * LIFECYCLE_LAB_MYSQL_PASSWORD.
 */
import type { CliCommand, CliContext, OptionTable } from './cli/context';
import { parseOptions, usage } from './cli/context';
import { labDirForCli, settingsFromEnv } from './cli/env';
import { cliErrorJson, describeCliError } from './cli/errors';
import { resolveLabConfig } from './core/config';
import { withEmulatorCredentials } from './core/lab/emulatedAws';
import { stderrLogger } from './core/log';

interface CommandSpec {
  /** The words that name it: area, then action where the area has several. */
  words: readonly [string] | readonly [string, string];
  /** What follows the words in the usage line. */
  synopsis: string;
  summary: string;
  options?: OptionTable;
  /** The name of the free-text argument the command takes (all remaining words), if any. */
  text?: string;
  /** Loaded on demand so `lab status` does not pay for DuckDB or the AWS SDK. */
  load: () => Promise<CliCommand>;
}

const LAKE: OptionTable = { lake: { type: 'string' } };

const COMMANDS: readonly CommandSpec[] = [
  { words: ['lab', 'up'], synopsis: '[--scale N] [--aws [--trino-url URL]]',
    summary: 'start the local MariaDB and seed classicmodels (xN generated data with --scale); --aws also the emulated AWS (moto, Glue on Spark, Athena on Trino)',
    options: { scale: { type: 'string' }, aws: { type: 'boolean' }, 'trino-url': { type: 'string' } }, load: async () => (await import('./cli/lab')).up },
  { words: ['lab', 'down'], synopsis: '[--aws]', summary: 'stop it and the emulated AWS (--aws: only the emulated AWS)',
    options: { aws: { type: 'boolean' } }, load: async () => (await import('./cli/lab')).down },
  { words: ['lab', 'status'], synopsis: '', summary: 'what runs where', load: async () => (await import('./cli/lab')).status },
  { words: ['lab', 'reset'], synopsis: '', summary: 'stop and delete the lab database; lab up starts fresh (the lake stays)',
    load: async () => (await import('./cli/lab')).reset },
  { words: ['source', 'tables'], synopsis: '[--database NAME]', summary: 'tables of the source database with row counts',
    options: { database: { type: 'string' } }, load: async () => (await import('./cli/source')).tables },
  { words: ['pipeline', 'run'], synopsis: '[--lake DIR] [--database DB] [--allow-shrink]',
    summary: 'the mode\'s pipeline: locally extract, transform, load and reconcile into the lake (--lake, --database: local only; --allow-shrink: replace a lake with one of less than half its fact rows), in AWS mode the Glue job',
    options: { ...LAKE, database: { type: 'string' }, 'allow-shrink': { type: 'boolean' } }, load: async () => (await import('./cli/pipeline')).run },
  { words: ['query'], synopsis: '"<SQL>" [--lake DIR] [--full] [--limit N]', text: 'SQL',
    summary: 'the mode\'s query engine over the lake (DuckDB locally, reading only the lake unless --full opens a full DuckDB session; Athena in AWS mode), one statement, tables by name; rows print as they are read, at most --limit N',
    options: { ...LAKE, full: { type: 'boolean' }, limit: { type: 'string' } }, load: async () => (await import('./cli/query')).run },
  { words: ['lake', 'verify'], synopsis: '[--lake DIR]', summary: 'check the lake against what its run recorded (locally every file\'s size and SHA-256; exit 1: damaged)',
    options: LAKE, load: async () => (await import('./cli/lake')).verify },
  { words: ['lake', 'diff'], synopsis: '<lakeA> <lakeB> [--limit N]', text: 'two lakes',
    summary: 'two lakes side by side, table by table: rows, money totals, keys only on one side, the first N differing rows (a lake: local, aws, aws:<glue database>, current or a folder; exit 1: they differ)',
    options: { limit: { type: 'string' } }, load: async () => (await import('./cli/lakeDiff')).diff },
  { words: ['lineage'], synopsis: '<table.column>', text: 'column', summary: 'where a model, lake or source column comes from and which columns, cards and notebook cells read it',
    load: async () => (await import('./cli/lineage')).run },
  { words: ['test'], synopsis: '[--lake DIR]',
    summary: "the declared data tests (glue/sql/schema.yml, glue/sql/tests) on the mode's lake, read-only; exit 1 when an 'error' test fails",
    options: LAKE, load: async () => (await import('./cli/test')).run },
  { words: ['check'], synopsis: '', summary: 'Check Lab: source, pipeline reconciliation, lake, dashboard (and AWS resources in aws mode); exit 1 when a check fails',
    load: async () => (await import('./cli/check')).run },
];

const GLOBAL: OptionTable = { json: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
const GLOBAL_FLAGS = new Set(['--json', '--verbose', '--help', '-h']);

function commandLine(spec: CommandSpec): string {
  return `${spec.words.join(' ')}${spec.synopsis ? ` ${spec.synopsis}` : ''}`;
}

function usageText(specs: readonly CommandSpec[]): string {
  const lines = specs.map((s) => {
    const left = commandLine(s);
    return left.length < 24 ? `  ${left.padEnd(24)} ${s.summary}` : `  ${left}\n  ${''.padEnd(24)} ${s.summary}`;
  });
  return `usage: lifecycle-lab <area> <action> [options]\n${lines.join('\n')}\noptions: --json (machine-readable output), --verbose, --help`;
}

/** The usage of one area's commands, one line each (all commands when the area is unknown). */
function areaUsage(area: string | undefined): string {
  const specs = COMMANDS.filter((s) => s.words[0] === area);
  if (!specs.length) return usageText(COMMANDS);
  const width = Math.max(...specs.map((s) => commandLine(s).length));
  return specs.map((s, i) => `${i ? '      ' : 'usage:'} lifecycle-lab ${commandLine(s).padEnd(width)}  ${s.summary}`).join('\n');
}

/** The command the leading words name, and the arguments left for its parser. */
function findCommand(argv: readonly string[]): { spec?: CommandSpec; rest: string[]; problem?: string } {
  const words = argv.filter((a) => !GLOBAL_FLAGS.has(a));
  const [area, action] = words;
  if (!area || area.startsWith('-')) return { rest: [], problem: area ? `Expected an area before '${area}'.` : 'No area given.' };
  const inArea = COMMANDS.filter((s) => s.words[0] === area);
  if (!inArea.length) return { rest: [], problem: `Unknown area '${area}'.` };
  const spec = inArea.length === 1 && inArea[0].words.length === 1 ? inArea[0] : inArea.find((s) => s.words[1] === action);
  if (!spec) return { rest: [], problem: action ? `Unknown action '${area} ${action}'.` : `'${area}' needs an action.` };
  const rest = [...argv];
  for (const word of spec.words) rest.splice(rest.indexOf(word), 1);
  return { spec, rest };
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const first = argv.find((a) => a !== '--json' && a !== '--verbose');
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stderr.write(`${usageText(COMMANDS)}\n`);
    return 0;
  }
  const { spec, rest, problem } = findCommand(argv);
  if (!spec) return usage({ json, out }, areaUsage(argv.find((a) => !GLOBAL_FLAGS.has(a))), problem);
  const specUsage = `usage: lifecycle-lab ${commandLine(spec)} [--json]`;
  let parsed;
  try {
    parsed = parseOptions(rest, { ...GLOBAL, ...spec.options }, spec.text !== undefined);
  } catch (err) {
    return usage({ json, out }, specUsage, (err as Error).message);
  }
  if (parsed.values.help) {
    process.stderr.write(`${specUsage}\n  ${spec.summary}\n`);
    return 0;
  }
  if (spec.text !== undefined && !parsed.positionals.join(' ').trim()) {
    return usage({ json, out }, specUsage, `No ${spec.text} given.`);
  }
  const verbose = parsed.values.verbose === true;
  try {
    // Inside the try: a bad LIFECYCLE_LAB_* value is a failure like any other (one JSON error under --json).
    const ctx: CliContext = {
      config: withEmulatorCredentials(resolveLabConfig(settingsFromEnv(), process.cwd(), { labDir: labDirForCli() })),
      log: stderrLogger(verbose),
      json,
      out,
    };
    const command = await spec.load();
    return await command({ values: parsed.values, positionals: parsed.positionals }, ctx);
  } catch (err) {
    if (json) out(JSON.stringify(cliErrorJson(err)));
    else process.stderr.write(`lifecycle-lab: ${describeCliError(err)}\n`);
    if (verbose && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

