import { cancelOnSigint, lakeDirArg, usage, type CliContext } from '../cli';
import { formatLakeCheck, verifyLake } from '../core/lake/verify';

const USAGE = 'usage: lifecycle-lab lake verify [--lake DIR] [--json]';

/**
 * `lifecycle-lab lake verify`: compares every file of the lake with the size and SHA-256 its run recorded in
 * `_manifest.json` (after restoring a swap a crash interrupted). Exit 0 when intact, 1 when a table is damaged
 * (each damaged table and file named, on stdout), 2 on bad usage. Ctrl-C stops the check.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  if (args[0] !== 'verify') {
    return usage(ctx, USAGE);
  }
  const lakeDir = lakeDirArg(args, ctx);
  let last = '';
  const result = await cancelOnSigint((signal) => verifyLake(lakeDir, {
    signal,
    onProgress: (p) => {
      if (p.message !== last) ctx.log.debug(p.message); // one line per file (--verbose)
      last = p.message;
    },
  }));
  if (ctx.json) {
    ctx.out(JSON.stringify({
      ok: result.ok,
      lakeDir,
      recovered: result.recovered,
      manifest: result.manifest,
      checksums: result.checksums,
      tables: result.tables.map((t) => ({ table: t.table, ok: t.ok, files: t.files, bytes: t.bytes })),
      problems: result.problems,
    }));
  } else {
    for (const line of formatLakeCheck(result)) ctx.out(line);
  }
  return result.ok ? 0 : 1;
}
