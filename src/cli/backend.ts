/**
 * The backend a `lifecycle-lab` command runs on: the one `createBackend` gives for the configured mode, as the
 * editor's. Command options that name local things (a lake folder, a full DuckDB session, the database the local
 * engine extracts) are settings of the local backend; in another mode the command says so instead of quietly
 * running somewhere else or ignoring them.
 */
import * as path from 'node:path';
import type { CliArgs, CliContext } from './context';
import { booleanOption, stringOption } from './context';
import { createBackend, type LabBackend } from '../core/backend';
import type { LabConfig } from '../core/config';
import { LabError } from '../core/errors';
import { findModelDir } from '../core/lake/model';

export interface CliBackendOptions {
  /** `--lake DIR`: the local lake folder instead of the configured one. */
  lakeDir?: string;
  /** `--database NAME`: the source database instead of the configured one. */
  database?: string;
  /** `--full`: a full DuckDB session over the local lake instead of the lake-only one. */
  fullQueryAccess?: boolean;
  /** The given flags that only the local backend takes, e.g. ["--lake"]. */
  localOnlyFlags: readonly string[];
}

/**
 * The backend options of a command's flags: `--lake DIR` (relative to the current directory), `--database NAME`,
 * `--full`. `localOnly` names the options that mean something only to the local backend for this command.
 */
export function backendOptions(args: CliArgs, localOnly: readonly string[] = ['lake', 'full']): CliBackendOptions {
  const lake = stringOption(args, 'lake');
  return {
    lakeDir: lake ? path.resolve(lake) : undefined,
    database: stringOption(args, 'database'),
    fullQueryAccess: booleanOption(args, 'full'),
    localOnlyFlags: localOnly.filter((name) => args.values[name] !== undefined && args.values[name] !== false).map((name) => `--${name}`),
  };
}

function configWith(config: LabConfig, options: CliBackendOptions): LabConfig {
  return {
    ...config,
    local: options.lakeDir ? { ...config.local, lakeDir: options.lakeDir } : config.local,
    mysql: options.database ? { ...config.mysql, database: options.database } : config.mysql,
  };
}

/** Runs `work` on the configured mode's backend and disposes the backend after it, however it ends. */
export async function withBackend<T>(ctx: CliContext, options: CliBackendOptions, work: (backend: LabBackend) => Promise<T>): Promise<T> {
  const backend = createBackend(configWith(ctx.config, options), {
    readPassword: () => Promise.resolve(process.env.LIFECYCLE_LAB_MYSQL_PASSWORD),
    modelDir: findModelDir(),
    log: ctx.log,
    queryAccess: options.fullQueryAccess ? 'full' : 'lake',
  });
  try {
    // Local-only flags name a folder or a local session: they need a lake that is a folder here.
    if (options.localOnlyFlags.length && backend.lake.folder === undefined) throw localOnly(backend, options.localOnlyFlags);
    return await work(backend);
  } finally {
    await backend.dispose();
  }
}

/** The error for local-only flags given in another mode: which mode, and what to do instead. */
function localOnly(backend: LabBackend, flags: readonly string[]): LabError {
  const named = flags.join(' and ');
  return new LabError('config',
    `${named} ${flags.length > 1 ? 'are' : 'is'} for the local lake, but this command runs on the ${backend.label} backend that LIFECYCLE_LAB_MODE selects (its lake is ${backend.lake.location}).`,
    { nextStep: { label: `Drop ${named}, or set LIFECYCLE_LAB_MODE=local to run on the local lake` } });
}
