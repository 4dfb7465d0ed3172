import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CancelledError, LabError } from '../errors';
import { createRedactor } from './redact';

// Where the module is found (and checked) lives in location.ts; these two are still reached through here.
export { checkModuleDir, MODULE_SETTING } from './location';

/** `terraform <args>` as one shell command line (each argument quoted for POSIX shells when it needs it). */
export function shellCommand(args: readonly string[]): string {
  const quote = (a: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['terraform', ...args].map(quote).join(' ');
}

/** The command lines each editor command runs in the Terraform terminal. */
export const TERMINAL_ARGS = {
  init: () => ['init', '-input=false'],
  plan: (planFile: string) => ['plan', '-input=false', `-out=${planFile}`],
  apply: (planFile: string) => ['apply', '-input=false', planFile],
  destroy: () => ['destroy', '-input=false', '-auto-approve'],
  outputs: () => ['output'],
};

export interface TerraformRunOptions {
  cwd: string;
  /** Added to this process's environment (TF_VAR_*, AWS_*). */
  env: Record<string, string>;
  /** Values removed from anything this returns or throws (the password). */
  secrets: readonly string[];
  signal?: AbortSignal;
  /** The terraform binary (tests); default `terraform` from PATH. */
  binary?: string;
}

/**
 * Runs terraform as a child process and returns its stdout. For the commands whose output holds secrets in clear
 * (`show -json`, `output -json`): that output is only parsed, never shown. A failure is a LabError whose message
 * carries terraform's stderr with the secrets removed.
 */
export function runTerraformCapture(args: readonly string[], options: TerraformRunOptions): Promise<string> {
  const redact = createRedactor(options.secrets);
  const what = `terraform ${args.filter((a) => !a.includes(path.sep)).join(' ')}`;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new CancelledError(what));
      return;
    }
    const child = spawn(options.binary ?? 'terraform', [...args, '-no-color'], {
      cwd: options.cwd, env: { ...process.env, ...options.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-4000); });
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(e.code === 'ENOENT'
        ? new LabError('config', 'The Terraform CLI was not found on PATH. Install Terraform 1.9 or later (https://developer.hashicorp.com/terraform/install) and reload the window.')
        : new LabError('internal', `${what} could not start: ${redact(e.message)}`));
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) reject(new CancelledError(what));
      else if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else {
        const detail = redact(err).trim().split('\n').filter((l) => l.trim() && !/^[│╷╵\s]*$/.test(l)).slice(-6).join(' ').replace(/[│╷╵]/g, '').replace(/\s+/g, ' ');
        reject(new LabError('internal', `${what} failed (exit ${code ?? 'signal'}): ${detail || 'no message'}`));
      }
    });
  });
}
