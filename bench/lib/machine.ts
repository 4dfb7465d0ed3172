/** What the figures were measured on: the machine, its load, the versions of what ran, and the code's commit. */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';

export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory`;
}

/** The load average (1 / 5 / 15 min). */
export const loadText = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

/** The first line a tool prints for its version flag, or 'not found'. */
export function versionOf(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return ((r.stdout || '') + (r.stderr || '')).trim().split('\n')[0] || 'not found';
}

/** The commit measured, marked when the working tree differs from it (the figures are then of uncommitted code). */
export function codeVersion(repoRoot: string): string {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim();
  if (!rev) return 'not a git checkout';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim();
  return dirty ? `${rev} with uncommitted changes` : rev;
}
