/**
 * Runs a command and measures its wall time and the peak RSS of its whole process tree (the command and every
 * descendant: pyspark's JVM, the MariaDB clients the extractor starts). Linux only: the tree is read from /proc
 * (each process's parent from /proc/<pid>/stat, its resident pages from /proc/<pid>/statm) every `sampleMs`, and the
 * peak is the largest sum seen. Shared pages count once per process, as `ps` counts them.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

const PAGE_BYTES = 4096;

export interface MeasuredRun {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Largest sum of resident bytes over the process tree seen by the sampler (0 when /proc is unreadable). */
  peakTreeRssBytes: number;
}

/** Every pid whose ancestry reaches `root`, `root` included. */
function treeOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after it start at the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

function treeRssBytes(root: number): number {
  let sum = 0;
  for (const pid of treeOf(root)) {
    try {
      sum += Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
    } catch {
      // gone
    }
  }
  return sum;
}

export function runMeasured(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; sampleMs?: number } = {}): Promise<MeasuredRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const sample = () => {
      if (child.pid !== undefined && child.exitCode === null) peak = Math.max(peak, treeRssBytes(child.pid));
    };
    const sampler = setInterval(sample, options.sampleMs ?? 100);
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    const done = (code: number) => {
      clearInterval(sampler);
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, peakTreeRssBytes: peak });
    };
    child.on('error', (err) => { stderr += err.message; done(127); });
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}
