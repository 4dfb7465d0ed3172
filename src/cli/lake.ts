import { cancelOnSigint, lakeDirOption, type CliArgs, type CliContext } from './context';
import { formatLakeCheck, verifyLake } from '../core/lake/verify';

/**
 * `lifecycle-lab lake verify`: compares every file of the lake with the size and SHA-256 its run recorded in
 * `_manifest.json` (after restoring a swap a crash interrupted). Exit 0 when intact, 1 when a table is damaged
 * (each damaged table and file named, on stdout), 2 on bad usage. Ctrl-C stops the check.
 */
export async function verify(args: CliArgs, ctx: CliContext): Promise<number> {
  const lakeDir = lakeDirOption(args, ctx);
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
