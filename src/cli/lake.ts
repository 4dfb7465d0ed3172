import { backendOptions, withBackend } from './backend';
import { cancelOnSigint, type CliArgs, type CliContext } from './context';
import { formatLakeCheck } from '../core/lake/verify';

/**
 * `lifecycle-lab lake verify`: the configured mode's lake checked against what its run recorded (locally every
 * file's size and SHA-256 in `_manifest.json`, after restoring a swap a crash interrupted). Exit 0 when intact, 1 when
 * a table is damaged (each damaged table and file named, on stdout), 2 on bad usage. Ctrl-C stops the check.
 */
export async function verify(args: CliArgs, ctx: CliContext): Promise<number> {
  return withBackend(ctx, backendOptions(args), async (backend) => {
    let last = '';
    const result = await cancelOnSigint((signal) => backend.lake.verify({
      signal,
      onProgress: (p) => {
        if (p.message !== last) ctx.log.debug(p.message); // one line per file (--verbose)
        last = p.message;
      },
    }));
    if (ctx.json) {
      ctx.out(JSON.stringify({
        ok: result.ok,
        lake: backend.lake.location,
        recovered: result.recovered,
        manifest: result.manifest,
        checksums: result.checksums,
        tables: result.tables.map((t) => ({ table: t.table, ok: t.ok, files: t.files, bytes: t.bytes })),
        problems: result.problems,
        ...(result.notes ? { notes: result.notes } : {}),
      }));
    } else {
      for (const line of formatLakeCheck(result)) ctx.out(line);
      for (const note of result.notes ?? []) ctx.out(`Note: ${note}`);
    }
    return result.ok ? 0 : 1;
  });
}
