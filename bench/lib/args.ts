/**
 * The benchmarks' command lines, parsed by the CLI's own parser (src/cli/context.ts: node:util parseArgs, strict):
 * each script declares its options in one table; an unknown option, a missing value or a word that is not a
 * number where one is expected prints the problem and the usage and exits 2 before anything is measured.
 */
import { booleanOption, countOption, parseOptions, stringOption, UsageProblem, type CliArgs, type OptionTable } from '../../src/cli/context';

export { booleanOption, countOption, stringOption, type CliArgs, type OptionTable };

/** This script's arguments (after `node script.js`) against its table; a wrong command line exits 2 with `usage`. */
export function scriptArgs(usage: string, options: OptionTable, argv: readonly string[] = process.argv.slice(2)): CliArgs {
  try {
    return parseOptions(argv, { help: { type: 'boolean', short: 'h' }, ...options });
  } catch (err) {
    if (!(err instanceof UsageProblem)) throw err;
    exitWithUsage(usage, err.message);
  }
}

/** Prints the problem (if any) and the usage to stderr and exits: 2 for a problem, 0 for --help. */
export function exitWithUsage(usage: string, problem?: string): never {
  process.stderr.write(`${problem ? `${problem}\n` : ''}usage: ${usage}\n`);
  process.exit(problem ? 2 : 0);
}

/**
 * Reads whole-number options inside `read`, turning a UsageProblem (e.g. `--reps ten`) into the usage exit. Also
 * handles --help.
 */
export function withUsage<T>(usage: string, args: CliArgs, read: () => T): T {
  if (booleanOption(args, 'help')) exitWithUsage(usage);
  try {
    return read();
  } catch (err) {
    if (err instanceof UsageProblem) exitWithUsage(usage, err.message);
    throw err;
  }
}
