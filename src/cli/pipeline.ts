import type { CliContext } from '../cli';

/** Placeholder until the pipeline area lands. */
export async function run(_args: string[], _ctx: CliContext): Promise<number> {
  process.stderr.write('lifecycle-lab pipeline: not implemented yet\n');
  return 2;
}
