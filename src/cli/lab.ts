import type { CliContext } from '../cli';

/** Placeholder until the lab area lands. */
export async function run(_args: string[], _ctx: CliContext): Promise<number> {
  process.stderr.write('lifecycle-lab lab: not implemented yet\n');
  return 2;
}
