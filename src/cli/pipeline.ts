import { booleanOption, cancelOnSigint, lakeDirOption, stringOption, type CliArgs, type CliContext } from './context';
import { LabError } from '../core/errors';
import { findModelDir } from '../core/lake/model';
import { runPipeline } from '../core/lake/pipeline';
import { describeEvent } from '../core/lake/report';
import { resolveSourceTarget } from '../core/source/target';

/**
 * `lifecycle-lab pipeline run`: the local engine from the command line. Progress lines go to stderr (stdout
 * carries the result, one JSON object with --json). Ctrl-C cancels cleanly: the previous lake stays.
 */
export async function run(args: CliArgs, ctx: CliContext): Promise<number> {
  const target = await resolveSourceTarget(ctx.config, async () => process.env.LIFECYCLE_LAB_MYSQL_PASSWORD);
  if (!target) {
    throw new LabError('labNotRunning', 'The local lab is not running and no MySQL host is configured (LIFECYCLE_LAB_MYSQL_HOST).', {
      nextStep: { label: 'lifecycle-lab lab up', command: 'lifecycleLab.startLocalLab' },
    });
  }
  const lakeDir = lakeDirOption(args, ctx);
  const allowShrink = booleanOption(args, 'allow-shrink');
  const result = await cancelOnSigint((signal) => runPipeline({
    target,
    lakeDir,
    database: stringOption(args, 'database'),
    modelDir: findModelDir(),
    signal,
    log: ctx.log,
    origin: 'cli',
    stallTimeoutMs: ctx.config.pipeline.stallTimeoutMs,
    // The flag is the confirmation; without it a run that would lose most of the lake fails and keeps it.
    confirmShrink: allowShrink ? () => Promise.resolve(true) : undefined,
    onEvent: (event) => {
      if (ctx.json) return;
      const line = describeEvent(event);
      if (line) process.stderr.write(`${line.text}\n`);
    },
  })).catch((err: unknown) => {
    if (err instanceof LabError && err.code === 'lakeWouldShrink') {
      throw new LabError(err.code, err.message, { nextStep: { label: 'Pass --allow-shrink to replace it' }, cause: err });
    }
    throw err;
  });
  if (ctx.json) {
    ctx.out(JSON.stringify({ ok: true, lakeDir, durationMs: Math.round(result.durationMs), steps: result.steps, manifest: result.manifest }));
  } else {
    const fact = result.manifest.tables.fact_orders;
    ctx.out(`lake ${lakeDir}: ${fact?.rows ?? 0} fact rows, total ${result.manifest.source.orderAmountTotal}, reconciliation passed`);
  }
  return 0;
}
