/**
 * `lifecycle-lab` command line: the same core code the editor uses, for scripts, tests and benchmarks.
 *   lifecycle-lab lab up|down|status|reset [--scale N] [--json]
 *   lifecycle-lab source tables [--json]
 *   lifecycle-lab pipeline run [--lake DIR] [--database DB] [--json]
 *   lifecycle-lab query "<SQL>" [--lake DIR] [--json]
 * Settings come from LIFECYCLE_LAB_<KEY> environment variables (e.g. LIFECYCLE_LAB_LOCAL_LABDIR, LIFECYCLE_LAB_MODE);
 * the MySQL password for a configured (non-lab) source from LIFECYCLE_LAB_MYSQL_PASSWORD.
 */
import { resolveLabConfig, SETTING_KEYS, type LabConfig, type RawSettings } from './core/config';
import { describeError, LabError } from './core/errors';
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
  query "<SQL>" [--lake D] DuckDB over the local lake (tables by name)
options: --json (machine-readable output), --verbose`;

/** Area modules are loaded on demand so `lab status` does not pay for DuckDB or the AWS SDK. */
const AREAS: Record<string, () => Promise<CliCommand>> = {
  lab: async () => (await import('./cli/lab')).run,
  source: async () => (await import('./cli/source')).run,
  pipeline: async () => (await import('./cli/pipeline')).run,
  query: async () => (await import('./cli/query')).run,
};

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RawSettings {
  const raw: RawSettings = {};
  for (const key of SETTING_KEYS) {
    const name = `LIFECYCLE_LAB_${key.replace(/\./g, '_').toUpperCase()}`;
    const v = env[name];
    if (v !== undefined) raw[key] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return raw;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--json' && a !== '--verbose');
  const [area, ...rest] = args;
  if (!area || area === '--help' || area === 'help' || !AREAS[area]) {
    process.stderr.write(`${USAGE}\n`);
    return area && area !== '--help' && area !== 'help' ? 2 : 0;
  }
  const ctx: CliContext = {
    config: resolveLabConfig(settingsFromEnv(), process.cwd()),
    log: stderrLogger(verbose),
    json,
    out: (line) => process.stdout.write(`${line}\n`),
  };
  try {
    const command = await AREAS[area]();
    return await command(rest, ctx);
  } catch (err) {
    if (json) ctx.out(JSON.stringify({ ok: false, error: { code: err instanceof LabError ? err.code : 'internal', message: describeError(err) } }));
    else process.stderr.write(`lifecycle-lab: ${describeError(err)}\n`);
    if (verbose && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

/** Reads `--name value` from args; returns undefined when absent. */
export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
