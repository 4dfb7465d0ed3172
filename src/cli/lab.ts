import { cancelOnSigint, stringOption, type CliArgs, type CliContext } from './context';
import { labFromConfig } from '../core/lab';
import { checkScale } from '../core/lab/generator';
import type { LabStatus } from '../core/lab/localLab';

/** `lifecycle-lab lab up [--scale N]`: the same LocalLab the editor commands and the tests use. */
export async function up(args: CliArgs, ctx: CliContext): Promise<number> {
  const scaleArg = stringOption(args, 'scale');
  const scale = scaleArg === undefined ? undefined : Number(scaleArg.trim() || Number.NaN);
  if (scale !== undefined) checkScale(scale, scaleArg);
  const lab = labFromConfig(ctx.config, ctx.log, __dirname);
  const status = await cancelOnSigint((signal) => lab.up({
    scale,
    signal,
    onProgress: (u) => { if (!ctx.json) process.stderr.write(`lab: ${u.message}\n`); },
  }));
  print(ctx, status);
  return 0;
}

export async function down(_args: CliArgs, ctx: CliContext): Promise<number> {
  const wasRunning = await labFromConfig(ctx.config, ctx.log, __dirname).down();
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, stopped: wasRunning }));
  else ctx.out(wasRunning ? 'Local lab stopped.' : 'Local lab was not running.');
  return 0;
}

export async function status(_args: CliArgs, ctx: CliContext): Promise<number> {
  print(ctx, await labFromConfig(ctx.config, ctx.log, __dirname).status());
  return 0;
}

export async function reset(_args: CliArgs, ctx: CliContext): Promise<number> {
  const lab = labFromConfig(ctx.config, ctx.log, __dirname);
  await lab.reset();
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, reset: true }));
  else ctx.out(`Local lab database removed (${lab.labDir}/mariadb). Run \`lifecycle-lab lab up\` to start fresh.`);
  return 0;
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
