/**
 * `lifecycle-lab` command line: the same core code the editor uses, for scripts, tests and benchmarks.
 *   lifecycle-lab lab up|down|status|reset [--scale N] [--json]
 *   lifecycle-lab source tables [--json]
 *   lifecycle-lab pipeline run [--lake DIR] [--database DB] [--json]
 *   lifecycle-lab query "<SQL>" [--lake DIR] [--full] [--json]
 *   lifecycle-lab lake verify [--lake DIR] [--json]
 *   lifecycle-lab check [--json]
 * Settings come from LIFECYCLE_LAB_<KEY> environment variables (e.g. LIFECYCLE_LAB_LOCAL_LABDIR, LIFECYCLE_LAB_MODE);
 * the MySQL password for a configured (non-lab) source from LIFECYCLE_LAB_MYSQL_PASSWORD.
 */
import * as path from 'node:path';
import { cliErrorJson, describeCliError } from './cli/errors';
import { resolveLabConfig, SETTING_KEYS, settingEnvVar, type LabConfig, type RawSettings } from './core/config';
import { stderrLogger, type Logger } from './core/log';

export interface CliContext {
  config: LabConfig;
  log: Logger;
  json: boolean;
  /** Writes one line to stdout. */
  out(line: string): void;
}

export type CliCommand = (args: string[], ctx: CliContext) => Promise<number>;

const USAGE = `usage: lifecycle-lab <area> <action> [options]
  lab up [--scale N]       start the local MariaDB and seed classicmodels (xN generated data with --scale)
  lab down                 stop it
  lab status               what runs where
  lab reset                stop and delete the lab database; lab up starts fresh (the lake stays)
  source tables            tables of the source database with row counts
  pipeline run [--lake D] [--database DB]
                           extract, transform, load and reconcile into the local lake
  query "<SQL>" [--lake D] [--full]
                           DuckDB over the local lake (tables by name; reads only the lake unless --full)
  lake verify [--lake D]   check every lake file against the size and SHA-256 its run recorded (exit 1: damaged)
  check                    Check Lab: source, pipeline reconciliation, lake, dashboard (and AWS resources in aws mode); exit 1 when a check fails
options: --json (machine-readable output), --verbose`;

/** Area modules are loaded on demand so `lab status` does not pay for DuckDB or the AWS SDK. */
const AREAS: Record<string, () => Promise<CliCommand>> = {
  lab: async () => (await import('./cli/lab')).run,
  source: async () => (await import('./cli/source')).run,
  pipeline: async () => (await import('./cli/pipeline')).run,
  query: async () => (await import('./cli/query')).run,
  lake: async () => (await import('./cli/lake')).run,
  check: async () => (await import('./cli/check')).run,
};

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RawSettings {
  const raw: RawSettings = {};
  for (const key of SETTING_KEYS) {
    const v = env[settingEnvVar(key)];
    if (v !== undefined) raw[key] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return raw;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const args = argv.filter((a) => a !== '--json' && a !== '--verbose');
  const [area, ...rest] = args;
  if (area === '--help' || area === 'help') {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  if (!area || !Object.hasOwn(AREAS, area)) return usage({ json, out }, USAGE, area ? `Unknown area '${area}'.` : 'No area given.');
  try {
    // Inside the try: a bad LIFECYCLE_LAB_* value is a failure like any other (one JSON error under --json).
    const ctx: CliContext = {
      config: resolveLabConfig(settingsFromEnv(), process.cwd()),
      log: stderrLogger(verbose),
      json,
      out,
    };
    const command = await AREAS[area]();
    return await command(rest, ctx);
  } catch (err) {
    if (json) out(JSON.stringify(cliErrorJson(err)));
    else process.stderr.write(`lifecycle-lab: ${describeCliError(err)}\n`);
    if (verbose && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

/**
 * A usage error: the usage text on stderr, and under --json also one JSON error object (code `usage`) on
 * stdout. Returns the exit code, 2.
 */
export function usage(ctx: Pick<CliContext, 'json' | 'out'>, text: string, problem?: string): number {
  process.stderr.write(`${problem ? `lifecycle-lab: ${problem}\n` : ''}${text}\n`);
  if (ctx.json) {
    ctx.out(JSON.stringify(cliErrorJson(new Error(problem ? `${problem} ${text}` : text), 'usage')));
  }
  return 2;
}

/** Reads `--name value` from args; returns undefined when absent. */
export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The lake folder: `--lake DIR` (relative to the current directory) or the configured one. */
export function lakeDirArg(args: string[], ctx: CliContext): string {
  const given = flag(args, 'lake');
  return given ? path.resolve(given) : ctx.config.local.lakeDir;
}

/** Runs long work that Ctrl-C cancels cleanly (the work sees its signal abort and tidies up) instead of killing it. */
export async function cancelOnSigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
