/**
 * What every `lifecycle-lab` command is given and shares: its context, the parsed arguments, usage errors and
 * Ctrl-C handling. Command modules import this, never `../cli`, so the imports run one way.
 */
import { cliErrorJson } from './errors';
import type { LabConfig } from '../core/config';
import type { Logger } from '../core/log';

export interface CliContext {
  config: LabConfig;
  log: Logger;
  json: boolean;
  /** Writes one line to stdout. */
  out(line: string): void;
}

/** A command's options and words after its name, as node:util parseArgs gave them (strict: nothing unknown). */
export interface CliArgs {
  values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  positionals: readonly string[];
}

export type CliCommand = (args: CliArgs, ctx: CliContext) => Promise<number>;

/** A string option's value, or undefined when it was not given. */
export function stringOption(args: CliArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Whether a boolean option was given. */
export function booleanOption(args: CliArgs, name: string): boolean {
  return args.values[name] === true;
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
