/**
 * Shared fixture for integration tests: the project-local lab under `<repo>/.lab`, brought up idempotently
 * with the same core code as `lifecycle-lab lab up`. Tests must not modify `classicmodels`; use a scratch database.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { MysqlTarget } from '../../src/core/config';
import { stderrLogger } from '../../src/core/log';
import { LocalLab } from '../../src/core/lab/localLab';
import { readLabTarget } from '../../src/core/lab/state';

/** The repository root (this file runs from out/test/integration). */
export function repoRoot(): string {
  return path.resolve(__dirname, '../../..');
}

export function repoLabDir(): string {
  return path.join(repoRoot(), '.lab');
}

export function dumpFile(): string {
  return path.join(repoRoot(), 'data', 'mysqlsampledatabase.sql');
}

let pending: Promise<MysqlTarget> | undefined;

/**
 * The running lab's MysqlTarget, with classicmodels holding the lab dump (reseeded if someone left generated
 * data there). Called once per process; later calls reuse the first.
 */
export function labTarget(): Promise<MysqlTarget> {
  pending ??= (async () => {
    const lab = new LocalLab({ labDir: repoLabDir(), dumpFile: dumpFile(), log: stderrLogger(false) });
    await lab.up({ scale: 1 });
    const target = await readLabTarget(repoLabDir());
    if (!target) throw new Error(`The lab under ${repoLabDir()} came up but readLabTarget found no running lab`);
    return target;
  })();
  pending.catch(() => { pending = undefined; });
  return pending;
}

/** Runs `lifecycle-lab <args>` from the compiled sources (the same main() as bin/lifecycle-lab.js) in the repo root. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = path.join(repoRoot(), 'out', 'src', 'cli.js');
  const script = `require(${JSON.stringify(main)}).main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: repoRoot(), env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
