import { cancelOnSigint, stringOption, usage, type CliArgs, type CliContext } from './context';
import { compareNamedLakes, comparisonLines, DEFAULT_DIFF_LIMIT, LAKE_NAME_HELP, parseLakeName } from '../core/compare';
import { findModelDir } from '../core/lake/model';

const USAGE = 'usage: lifecycle-lab lake diff <lakeA> <lakeB> [--limit N] [--json]';

/**
 * `lifecycle-lab lake diff <lakeA> <lakeB>`: the two lakes side by side, table by table (rows, money totals, keys only
 * on one side, the first `--limit N` differing rows of each kind). A lake is `local`, `aws`, `aws:<glue database>`,
 * `current` or a lake folder. Exit 0 when they are equal, 1 when they differ, 2 on bad usage. Ctrl-C stops it.
 */
export async function diff(args: CliArgs, ctx: CliContext): Promise<number> {
  if (args.positionals.length !== 2) {
    return usage(ctx, USAGE, `Name two lakes (${LAKE_NAME_HELP}); got ${args.positionals.length}.`);
  }
  const limitText = stringOption(args, 'limit');
  if (limitText !== undefined && (!/^\d+$/.test(limitText) || !Number.isSafeInteger(Number(limitText)))) {
    return usage(ctx, USAGE, `--limit takes a whole number of rows, not "${limitText}".`);
  }
  const [a, b] = args.positionals.map((name) => parseLakeName(name, ctx.config, process.cwd()));
  let last = '';
  const comparison = await cancelOnSigint((signal) => compareNamedLakes(a, b, ctx.config, {
    readPassword: () => Promise.resolve(process.env.LIFECYCLE_LAB_MYSQL_PASSWORD),
    modelDir: findModelDir(),
    log: ctx.log,
  }, {
    signal,
    limit: limitText === undefined ? DEFAULT_DIFF_LIMIT : Number(limitText),
    onProgress: (p) => {
      if (p.message !== last) ctx.log.debug(p.message);
      last = p.message;
    },
  }));
  if (ctx.json) ctx.out(JSON.stringify(comparison));
  else for (const line of comparisonLines(comparison)) ctx.out(line);
  return comparison.equal ? 0 : 1;
}
