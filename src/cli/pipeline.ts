import { withBackend, backendOptions } from './backend';
import { booleanOption, cancelOnSigint, type CliArgs, type CliContext } from './context';
import { LabError } from '../core/errors';
import { describeEvent } from '../core/run/describe';

/**
 * `lifecycle-lab pipeline run`: the configured mode's pipeline (the local engine, or the Glue job in AWS mode), as
 * Run Pipeline runs it. Progress lines go to stderr (stdout carries the result, one JSON object with --json).
 * Ctrl-C cancels cleanly: the previous lake stays. `--lake` and `--database` are the local engine's.
 */
export async function run(args: CliArgs, ctx: CliContext): Promise<number> {
  const allowShrink = booleanOption(args, 'allow-shrink');
  return withBackend(ctx, backendOptions(args, ['lake', 'database']), async (backend) => {
    const result = await cancelOnSigint((signal) => backend.pipeline.run({
      signal,
      origin: 'cli',
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
    const lake = backend.lake.location;
    if (ctx.json) {
      // An engine that reports states (Glue) has them instead of steps.
      ctx.out(JSON.stringify({ ok: true, lake, durationMs: Math.round(result.durationMs), steps: result.steps, ...(result.states ? { states: result.states } : {}), manifest: result.manifest }));
    } else {
      const fact = result.manifest.tables.fact_orders;
      ctx.out(`lake ${lake}: ${fact?.rows ?? 0} fact rows, total ${result.manifest.source.orderAmountTotal}, reconciliation passed`);
    }
    return 0;
  });
}
