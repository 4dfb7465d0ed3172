import type { CliContext } from '../cli';

/** Placeholder until the source area lands. */
export async function run(_args: string[], _ctx: CliContext): Promise<number> {
  process.stderr.write('lifecycle-lab source: not implemented yet\n');
  return 2;
}
