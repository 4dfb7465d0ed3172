import type { CliContext } from '../cli';
import { flag, usage } from '../cli';
import { LabError } from '../core/errors';
import { labFromConfig } from '../core/lab';
import type { LabStatus } from '../core/lab/localLab';

const USAGE = 'usage: lifecycle-lab lab up [--scale N] | down | status | reset  [--json]';

/** `lifecycle-lab lab up|down|status|reset`: the same LocalLab the editor commands and the tests use. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const [action] = args;
  const lab = labFromConfig(ctx.config, ctx.log, __dirname);
  switch (action) {
    case 'up': {
      const scaleArg = flag(args, 'scale');
      const scale = scaleArg === undefined ? undefined : Number(scaleArg);
      if (scaleArg !== undefined && (!Number.isInteger(scale) || (scale as number) < 1)) {
        throw new LabError('config', `--scale must be a whole number of at least 1 (got ${scaleArg}).`);
      }
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const status = await lab.up({
          scale,
          signal: controller.signal,
          onProgress: (u) => { if (!ctx.json) process.stderr.write(`lab: ${u.message}\n`); },
        });
        print(ctx, status);
      } finally {
        process.off('SIGINT', onSigint);
      }
      return 0;
    }
    case 'down': {
      const wasRunning = await lab.down();
      if (ctx.json) ctx.out(JSON.stringify({ ok: true, stopped: wasRunning }));
      else ctx.out(wasRunning ? 'Local lab stopped.' : 'Local lab was not running.');
      return 0;
    }
    case 'status': {
      print(ctx, await lab.status());
      return 0;
    }
    case 'reset': {
      await lab.reset();
      if (ctx.json) ctx.out(JSON.stringify({ ok: true, reset: true }));
      else ctx.out(`Local lab database removed (${lab.labDir}/mariadb). Run \`lifecycle-lab lab up\` to start fresh.`);
      return 0;
    }
    default:
      return usage(ctx, USAGE);
  }
}

function print(ctx: CliContext, s: LabStatus): void {
  if (ctx.json) {
    ctx.out(JSON.stringify({ ok: true, ...s }));
    return;
  }
  if (!s.running) {
    ctx.out(`Local lab: stopped (${s.initialised ? `data kept in ${s.dataDir}` : 'not initialised'}).`);
  } else {
    ctx.out(`Local lab: running MariaDB ${s.serverVersion ?? ''} on ${s.host}:${s.port} (pid ${s.pid}), user ${s.user ?? 'lab'} (password in ${s.labDir}/credentials.json).`);
    if (s.counts) {
      const counts = Object.entries(s.counts).map(([t, n]) => `${t} ${n}`).join(', ');
      ctx.out(`Database ${s.database}${s.seededFrom ? ` (${s.seededFrom})` : ''}: ${counts || 'no tables'}`);
    }
  }
  if (s.note) ctx.out(`Note: ${s.note}`);
}
