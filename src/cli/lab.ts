import { booleanOption, cancelOnSigint, stringOption, type CliArgs, type CliContext } from './context';
import { LabError } from '../core/errors';
import { labFromConfig } from '../core/lab';
import { checkScale } from '../core/lab/generator';
import type { LabStatus } from '../core/lab/localLab';
import { EmulatedAws, findEmulatorRoot, type EmulatorState, type EmulatorStatus } from '../core/lab/emulatedAws';

/** `lifecycle-lab lab up [--scale N]`: the same LocalLab the editor commands and the tests use. */
export async function up(args: CliArgs, ctx: CliContext): Promise<number> {
  const scaleArg = stringOption(args, 'scale');
  const scale = scaleArg === undefined ? undefined : Number(scaleArg.trim() || Number.NaN);
  if (scale !== undefined) checkScale(scale, scaleArg);
  const trinoUrl = stringOption(args, 'trino-url');
  const aws = booleanOption(args, 'aws');
  if (trinoUrl && !aws) throw new LabError('config', '--trino-url goes with --aws (the emulated AWS\'s Athena engine).');
  const lab = labFromConfig(ctx.config, ctx.log, __dirname);
  const progress = (u: { message: string }) => { if (!ctx.json) process.stderr.write(`lab: ${u.message}\n`); };
  const status = await cancelOnSigint((signal) => lab.up({ scale, signal, onProgress: progress }));
  if (!aws) {
    print(ctx, status);
    return 0;
  }
  const emulator = await cancelOnSigint((signal) => new EmulatedAws(lab.labDir).up({
    labPort: status.port!, trinoUrl, codeRoot: findEmulatorRoot(__dirname), signal, onProgress: progress,
  }));
  print(ctx, status, { running: true, state: emulator });
  return 0;
}

export async function down(args: CliArgs, ctx: CliContext): Promise<number> {
  const lab = labFromConfig(ctx.config, ctx.log, __dirname);
  const awsStopped = await new EmulatedAws(lab.labDir).down();
  if (booleanOption(args, 'aws')) {
    if (ctx.json) ctx.out(JSON.stringify({ ok: true, emulatorStopped: awsStopped }));
    else ctx.out(awsStopped ? 'Emulated AWS stopped (the local lab runs on).' : 'The emulated AWS was not running.');
    return 0;
  }
  const wasRunning = await lab.down();
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, stopped: wasRunning, emulatorStopped: awsStopped }));
  else {
    if (awsStopped) ctx.out('Emulated AWS stopped.');
    ctx.out(wasRunning ? 'Local lab stopped.' : 'Local lab was not running.');
  }
  return 0;
}

export async function status(_args: CliArgs, ctx: CliContext): Promise<number> {
  const lab = labFromConfig(ctx.config, ctx.log, __dirname);
  print(ctx, await lab.status(), await new EmulatedAws(lab.labDir).status());
  return 0;
}

export async function reset(_args: CliArgs, ctx: CliContext): Promise<number> {
  const lab = labFromConfig(ctx.config, ctx.log, __dirname);
  await lab.reset();
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, reset: true }));
  else ctx.out(`Local lab database removed (${lab.labDir}/mariadb). Run \`lifecycle-lab lab up\` to start fresh.`);
  return 0;
}

function print(ctx: CliContext, s: LabStatus, aws?: EmulatorStatus): void {
  if (ctx.json) {
    ctx.out(JSON.stringify({ ok: true, ...s, ...(aws ? { emulatedAws: aws } : {}) }));
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
  if (aws?.running && aws.state) printEmulator(ctx, aws.state);
  else if (aws?.note) ctx.out(`Emulated AWS: stopped (${aws.note}).`);
}

function printEmulator(ctx: CliContext, e: EmulatorState): void {
  ctx.out(`Emulated AWS: running (pid ${e.pid}) on ${e.endpoint}: moto (every AWS API), Glue runs on Spark ${e.sparkMaster}, Athena on Trino ${e.trino ?? '(starting)'}; RDS instance de-c1w2-rds -> the local lab.`);
  ctx.out(`  Use it: LIFECYCLE_LAB_MODE=aws LIFECYCLE_LAB_AWS_ENDPOINT=${e.endpoint} (placeholder keys are used while it runs), or the editor's Start Emulated AWS.`);
}
