/**
 * Shared helpers for test/iac: running the real tools (terraform, checkov, ruff, pytest, pyspark), the project's
 * own Terraform CLI configuration (provider from the machine's filesystem mirror, offline), and the rule that in
 * CI (CI=true) a missing tool fails instead of skipping.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (this file runs from out/test/iac). */
export const ROOT = path.resolve(__dirname, '../../..');
export const TERRAFORM_DIR = path.join(ROOT, 'terraform');
export const GLUE_DIR = path.join(ROOT, 'glue');
export const CHECKOV = path.join(ROOT, '.venv', 'checkov', 'bin', 'checkov');
export const inCi = process.env.CI === 'true';
/** What the editor reads from the module with `terraform output -json`. */
export const EDITOR_OUTPUTS = ['athena_result_location', 'athena_workgroup', 'catalog_database', 'job_name', 'lake_path', 'role_arn'];

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came. */
  output: string;
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
}

/** Runs a command to completion (never rejects; a spawn error is exit code 127). */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c; output += c; });
    child.stderr.on('data', (c: Buffer) => { stderr += c; output += c; });
    child.stdin.end(options.input ?? '');
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${err.message}`, output: `${output}${err.message}`, ms: Date.now() - t0 });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, output, ms: Date.now() - t0 });
    });
  });
}

export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * A missing tool: fails in CI, otherwise skips the suite with a line saying how to enable it.
 * Call from a suiteSetup/before hook with its `this`.
 */
export function requireTool(ctx: Mocha.Context, available: boolean, what: string, enable: string): void {
  if (available) return;
  if (inCi) throw new Error(`${what} is not available (CI=true, so this must run): ${enable}`);
  console.log(`    skipped: ${what} is not available. To enable: ${enable}`);
  ctx.skip();
}

/** The last `lines` lines of a tool's output, for assertion messages. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Terraform

const MIRROR_CANDIDATES = ['/opt/tf-plugins', '/usr/share/terraform/plugins', '/usr/local/share/terraform/plugins',
  path.join(os.homedir(), '.terraform.d', 'plugins')];

function holdsAws(root: string): boolean {
  return fs.existsSync(path.join(root, 'registry.terraform.io', 'hashicorp', 'aws'));
}

/**
 * The root of a provider filesystem mirror holding hashicorp/aws (the folder that holds registry.terraform.io):
 * LAB_TF_PROVIDER_MIRROR, a usual location, or a search of the file system.
 */
export function findProviderMirror(): string | undefined {
  const given = process.env.LAB_TF_PROVIDER_MIRROR;
  if (given) return holdsAws(given) ? given : undefined;
  const known = MIRROR_CANDIDATES.find(holdsAws);
  if (known) return known;
  const found = spawnSync('sh', ['-c', "find / -name 'terraform-provider-aws*' -not -path '/proc/*' -not -path '*/.terraform/*' 2>/dev/null | head -1"],
    { encoding: 'utf8', timeout: 60_000 }).stdout.trim();
  // <root>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_v...
  const root = found ? path.resolve(path.dirname(found), '../../../../..') : '';
  return root && holdsAws(root) ? root : undefined;
}

let cliConfig: { file: string; mirror: string } | undefined;

/**
 * The environment for every terraform command of these tests: the project's own CLI configuration (never the
 * user's), taking hashicorp/aws from the mirror and anything else directly; no checkpoint calls; no prompts.
 */
export function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  if (!cliConfig) {
    const mirror = findProviderMirror();
    if (!mirror) throw new Error('No Terraform provider mirror with hashicorp/aws was found; set LAB_TF_PROVIDER_MIRROR to its root');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-tfcli-'));
    const file = path.join(dir, 'terraform.tfrc');
    fs.writeFileSync(file, `# Written by test/iac/tools.ts: the AWS provider from the local mirror, offline.
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`);
    cliConfig = { file, mirror };
  }
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig.file, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  // Nothing of a developer's own AWS setup may leak into these runs.
  for (const k of Object.keys(env)) if (k.startsWith('AWS_') || k.startsWith('TF_VAR_')) delete env[k];
  return { ...env, ...extra };
}

/** Test-only provider settings merged over terraform/versions.tf's provider block for runs against moto. */
export const MOTO_OVERRIDE = `# TEST-ONLY (test/iac/tools.ts, for runs against moto): moto's fake keys, and few retries so a gap in moto fails fast.
provider "aws" {
  access_key  = "test"
  secret_key  = "test"
  max_retries = 2
}
`;

/**
 * Merged over the module's copy in runs whose subject is not the buckets' lifecycle rules. The AWS provider reads each
 * bucket's rules back until they are equal three times in a row, at least 10 s apart (on AWS too): tens of seconds of
 * every apply. test/iac/terraformMoto.test.ts applies the rules and reads them back; the other applies leave them out.
 */
export const WITHOUT_LIFECYCLE_RULES = `# TEST-ONLY (test/iac/tools.ts): the buckets' lifecycle rules are applied and checked by test/iac's moto run.
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = {}
}
`;

/**
 * A copy of terraform/*.tf in `dir` (nothing lands in the repository), with MOTO_OVERRIDE beside it unless `moto` is
 * false, and WITHOUT_LIFECYCLE_RULES when `lifecycleRules` is false.
 */
export function copyModule(dir: string, options: { moto?: boolean; lifecycleRules?: boolean } = {}): void {
  for (const f of fs.readdirSync(TERRAFORM_DIR).filter((n) => n.endsWith('.tf'))) fs.copyFileSync(path.join(TERRAFORM_DIR, f), path.join(dir, f));
  if (options.moto ?? true) fs.writeFileSync(path.join(dir, 'moto_override.tf'), MOTO_OVERRIDE);
  if (!(options.lifecycleRules ?? true)) fs.writeFileSync(path.join(dir, 'lifecycle_override.tf'), WITHOUT_LIFECYCLE_RULES);
}

export function terraformAvailable(): boolean {
  return onPath('terraform') && findProviderMirror() !== undefined;
}

export const TERRAFORM_ENABLE = 'install the Terraform CLI (1.9+) and a provider filesystem mirror holding hashicorp/aws '
  + '(or set LAB_TF_PROVIDER_MIRROR to its root)';

export function terraform(args: string[], options: RunOptions & { dir?: string } = {}): Promise<RunResult> {
  return run('terraform', [`-chdir=${options.dir ?? TERRAFORM_DIR}`, ...args, ...(args[0] === 'fmt' ? [] : ['-no-color'])],
    { env: options.env ?? terraformEnv(), timeoutMs: options.timeoutMs ?? 300_000, cwd: options.cwd });
}

let initOnce: Promise<RunResult> | undefined;

/** `terraform init` in terraform/, once per process (fmt, validate and test share it). */
export function initModule(): Promise<RunResult> {
  initOnce ??= terraform(['init', '-input=false', '-backend=false']);
  return initOnce;
}

// ---------------------------------------------------------------------------------------------------------
// Python

const imports = new Map<string, boolean>();

/** Whether python3 can import a module (asked once per module and process). */
export function pythonHas(module: string): boolean {
  if (!imports.has(module)) imports.set(module, spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0);
  return imports.get(module)!;
}

/** The `JOB_ARGUMENTS` tuple of glue/glue_job.py, as Python sees it. */
export function scriptJobArguments(): string[] {
  const out = spawnSync('python3', ['-c', 'import json, glue_job; print(json.dumps(list(glue_job.JOB_ARGUMENTS)))'],
    { cwd: GLUE_DIR, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`reading JOB_ARGUMENTS failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as string[];
}
