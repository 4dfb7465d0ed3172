/**
 * What every `lifecycle-lab` command is given and shares: its context, the parsed arguments, usage errors and
 * Ctrl-C handling. Command modules import this, never `../cli`, so the imports run one way.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
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

/** Options as node:util parseArgs declares them: name -> { type: 'string' | 'boolean', short?, multiple? }. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** What was wrong with a command line, in parseArgs's words less its advice about `--` that does not fit every command. */
export class UsageProblem extends Error {}

/**
 * The one strict parser of the CLI and the benchmarks: every option must be in `options` with a value of its type,
 * free words only where `allowPositionals` says. Throws a UsageProblem naming what was wrong.
 */
export function parseOptions(args: readonly string[], options: OptionTable, allowPositionals = false): CliArgs {
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageProblem(message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '.'));
  }
}

/** A string option's value, or undefined when it was not given. */
export function stringOption(args: CliArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Whether a boolean option was given. */
export function booleanOption(args: CliArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A whole-number option (e.g. `--reps 3`), `fallback` when absent; anything else is a UsageProblem. */
export function countOption(args: CliArgs, name: string, fallback: number): number {
  const text = stringOption(args, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageProblem(`--${name} takes a whole number, not "${text}".`);
  return Number(text);
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
