import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabConfig } from '../core/config';
import { CancelledError, LabError } from '../core/errors';
import { checkModuleDir, runTerraformCapture, shellCommand, TERMINAL_ARGS } from '../core/terraform/cli';
import { outputsToSettings, type OutputsRead } from '../core/terraform/outputs';
import { describeResources, formatPlanLine, parsePlanJson, parseStateList, type PlanSummary, type ResourceAction } from '../core/terraform/plan';
import { deleteSecret, inspectSecret, SECRET_RECOVERY_DAYS, sourceSecretName, sourceSecretValue, storeSecret } from '../core/aws/secrets';
import { createRedactor } from '../core/terraform/redact';
import { protectStateFiles, removePlanFiles } from '../core/terraform/stateFiles';
import { describeMissing, terraformProcessEnv, terraformVariables, type MissingVariable, type RdsNetwork, type TerraformVariables } from '../core/terraform/variables';
import type { LabServices } from '../services';
import type { PipelineSection, PipelineTreeProvider } from '../views/pipelineTree';

export type TerraformVerb = 'init' | 'plan' | 'apply' | 'destroy' | 'outputs';

/** The questions the Terraform commands ask; tests replace them through the extension API (never in a command). */
export interface TerraformPrompts {
  /** A modal question; true when the user chose `action`. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  /** A value for a missing variable (the password masked); undefined when dismissed. */
  askValue(variable: MissingVariable): Promise<string | undefined>;
}

export interface TerraformRunResult {
  verb: TerraformVerb;
  commandLine: string;
  /** Undefined when the terminal has no shell integration (the result is unknown). */
  exitCode?: number;
  known: boolean;
  ok: boolean;
  summary?: PlanSummary;
  /** Settings written from `terraform output -json` after an apply (keys without `lifecycleLab.`). */
  settingsWritten?: string[];
  /** Destroy: when the password's secret, deleted with it, is gone for good (ISO time). */
  secretDeletionDate?: string;
}

/** What the API's `terraform.snapshot()` returns, for tests and scripts. */
export interface TerraformSnapshot {
  terminalName?: string;
  /** Everything the terminal's commands printed that shell integration reported (OSC 633 marks included). */
  transcript: string;
  lastPlan?: PlanSummary;
  runs: TerraformRunResult[];
  /** Warnings given about state files holding the password from an earlier run (each once). */
  warnings: string[];
}

const windowPrompts: TerraformPrompts = {
  async confirm(message, detail, action) {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
  },
  askValue(variable) {
    return Promise.resolve(vscode.window.showInputBox({
      title: `Terraform variable ${variable.name}`,
      prompt: variable.secret
        ? `${variable.description}: kept in the editor's secret storage and stored in AWS Secrets Manager for the Glue job; Terraform gets only the secret's ARN.`
        : `${variable.description}: saved in the workspace setting lifecycleLab.terraform.variables.`,
      password: variable.secret,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'A value is needed'),
    }));
  },
};

const SHELL_INTEGRATION_TIMEOUT_MS = 10_000;
/** A saved plan older than this is planned again before Apply (the account may have moved on). */
const PLAN_FRESH_MS = 30 * 60_000;
const TRANSCRIPT_MAX = 512 * 1024;

interface Prepared {
  config: LabConfig;
  moduleDir: string;
  vars: TerraformVariables;
  /** The environment Terraform runs with: TF_VAR_* (never the password), TF_IN_AUTOMATION, AWS_*. */
  env: Record<string, string>;
  /** The Secrets Manager secret the editor keeps the password in, when it does (no password_secret_arn of the user's). */
  secretName?: string;
  /** The password in secret storage, to find it in state files an earlier run left (never passed on). */
  stateSecrets: string[];
  /** Identifies module + environment, to reuse the terminal and to tell a saved plan is still for these inputs. */
  fingerprint: string;
}

/**
 * Terraform in the editor: each command runs the real terraform in one integrated terminal named "Terraform" in the
 * module's folder, with the variables only in that terminal's environment, and learns the exit code through shell
 * integration. The database password never reaches Terraform: before Plan, Apply and Destroy it goes from secret
 * storage to a Secrets Manager secret through the SDK, and Terraform gets the secret's ARN (password_secret_arn).
 * The commands whose output is machine-read (`show -json`, `output -json`, `state list`) run as child processes.
 */
export class TerraformController implements PipelineSection, vscode.Disposable {
  prompts: TerraformPrompts = windowPrompts;
  private terminal?: { terminal: vscode.Terminal; fingerprint: string };
  private transcript = '';
  private savedPlan?: { file: string; fingerprint: string; summary: PlanSummary; at: number };
  private lastPlan?: PlanSummary;
  private readonly runs: TerraformRunResult[] = [];
  private busy = false;
  private readonly warnings: string[] = [];
  private readonly warnedFiles = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly services: LabServices) {
    this.disposables.push(vscode.window.onDidCloseTerminal((t) => { if (t === this.terminal?.terminal) this.terminal = undefined; }));
    // Plans a window left behind when it went away without deactivating.
    const left = removePlanFiles(this.planDir());
    if (left.length) services.log.info(`Terraform: removed ${left.length} plan file(s) left by an earlier window.`);
  }

  snapshot(): TerraformSnapshot {
    return { terminalName: this.terminal?.terminal.name, transcript: this.transcript, lastPlan: this.lastPlan, runs: [...this.runs], warnings: [...this.warnings] };
  }

  async init(): Promise<TerraformRunResult | undefined> {
    return this.exclusive(async () => {
      // init reads no variable, but gets the same environment so the terminal is the one the next commands reuse.
      const prepared = await this.prepare(false);
      return this.finish(await this.runInTerminal(prepared, 'init', TERMINAL_ARGS.init()));
    });
  }

  async plan(): Promise<TerraformRunResult | undefined> {
    return this.exclusive(async () => this.planWith(await this.prepare(true)));
  }

  async apply(): Promise<TerraformRunResult | undefined> {
    return this.exclusive(async () => {
      const prepared = await this.prepare(true);
      let plan = this.savedPlan;
      if (!plan || plan.fingerprint !== prepared.fingerprint || Date.now() - plan.at > PLAN_FRESH_MS || !fs.existsSync(plan.file)) {
        const planned = await this.planWith(prepared, false);
        if (!planned.ok || !this.savedPlan) return planned;
        plan = this.savedPlan;
      }
      const { summary } = plan;
      if (summary.resources.length === 0) {
        this.discardPlan();
        const read = await this.readOutputsIntoSettings(prepared);
        void vscode.window.showInformationMessage(`Terraform: nothing to apply (no changes). ${describeWritten(read)}`);
        return this.finish({ verb: 'apply', commandLine: '', known: true, ok: true, exitCode: 0, summary, settingsWritten: Object.keys(read.settings) });
      }
      const confirmed = await this.prompts.confirm(
        `Apply this plan to ${path.basename(prepared.moduleDir)}/? ${formatPlanLine(summary)}`,
        `${describeResources(summary.resources)}\n\n${describeTarget(prepared)}`,
        'Apply');
      if (!confirmed) {
        this.services.log.info('Terraform apply: not confirmed, nothing applied.');
        return undefined;
      }
      let result: TerraformRunResult;
      try {
        result = await this.runInTerminal(prepared, 'apply', TERMINAL_ARGS.apply(plan.file));
      } finally {
        // Applied, failed or stale: a plan file is used once. It holds the variables' values, the password too.
        this.discardPlan();
      }
      result.summary = summary;
      if (result.ok) {
        const read = await this.readOutputsIntoSettings(prepared);
        result.settingsWritten = Object.keys(read.settings);
        void vscode.window.showInformationMessage(`Terraform apply succeeded (exit 0). ${describeWritten(read)}`);
        return this.finish(result, false);
      }
      return this.finish(result);
    });
  }

  async destroy(): Promise<TerraformRunResult | undefined> {
    return this.exclusive(async () => {
      const prepared = await this.prepare(true);
      const resources = parseStateList(await this.capture(prepared, ['state', 'list']));
      if (resources.length === 0) {
        void vscode.window.showInformationMessage(`Terraform: nothing to destroy (the state of ${path.basename(prepared.moduleDir)}/ holds no resources).`);
        return undefined;
      }
      const confirmed = await this.prompts.confirm(
        `Destroy ${resources.length} resource${resources.length === 1 ? '' : 's'} of ${path.basename(prepared.moduleDir)}/? They are deleted in the account, with their data.`,
        `${describeResources(resources.map((address) => ({ address, action: 'delete' as ResourceAction })))}\n\n${describeTarget(prepared)}`,
        'Destroy');
      if (!confirmed) {
        this.services.log.info('Terraform destroy: not confirmed, nothing destroyed.');
        return undefined;
      }
      this.discardPlan();
      const result = await this.runInTerminal(prepared, 'destroy', TERMINAL_ARGS.destroy());
      result.summary = { add: 0, change: 0, destroy: resources.length, replace: 0, resources: resources.map((address) => ({ address, action: 'delete' })) };
      this.finish(result);
      if (result.ok && prepared.secretName) await this.offerSecretDeletion(prepared, prepared.secretName, result);
      return result;
    });
  }

  async outputs(): Promise<TerraformRunResult | undefined> {
    return this.exclusive(async () => this.finish(await this.runInTerminal(await this.prepare(false), 'outputs', TERMINAL_ARGS.outputs())));
  }

  // ---- Pipeline view section: the last plan and run ----

  roots(): unknown[] {
    return this.lastPlan || this.runs.length ? ['terraform'] : [];
  }

  children(node: unknown): unknown[] {
    if (node !== 'terraform') return [];
    const last = this.runs.at(-1);
    return [...(last ? [{ run: last }] : []), ...(this.lastPlan?.resources ?? []).map((r) => ({ resource: r }))];
  }

  treeItem(node: unknown): vscode.TreeItem {
    if (node === 'terraform') {
      const item = new vscode.TreeItem('Terraform', vscode.TreeItemCollapsibleState.Expanded);
      item.description = this.lastPlan ? formatPlanLine(this.lastPlan) : undefined;
      item.iconPath = new vscode.ThemeIcon('cloud');
      item.id = 'terraform';
      item.contextValue = 'terraform';
      item.command = { title: 'Show Terminal', command: 'lifecycleLab.terraform.showTerminal' };
      return item;
    }
    const { run, resource } = node as { run?: TerraformRunResult; resource?: { address: string; action: ResourceAction } };
    if (run) {
      const item = new vscode.TreeItem(`${titleOf(run.verb)} ${run.known ? (run.ok ? 'succeeded' : 'failed') : 'sent (result unknown)'}`);
      item.description = run.known ? `exit ${run.exitCode}` : 'no shell integration';
      item.iconPath = !run.known ? new vscode.ThemeIcon('question') : run.ok
        ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')) : new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
      item.id = 'terraform/run';
      item.command = { title: 'Show Terminal', command: 'lifecycleLab.terraform.showTerminal' };
      return item;
    }
    const item = new vscode.TreeItem(resource!.address);
    item.description = resource!.action;
    item.iconPath = ACTION_ICONS[resource!.action];
    item.id = `terraform/resource/${resource!.address}`;
    return item;
  }

  showTerminal(): void {
    this.terminal?.terminal.show();
  }

  dispose(): void {
    this.discardPlan();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  // ---- internals ----

  /** One Terraform command at a time: a second one while the first runs just shows the terminal. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (this.busy) {
      this.terminal?.terminal.show(true);
      void vscode.window.showInformationMessage('A Terraform command is still running in the Terraform terminal.');
      return undefined;
    }
    this.busy = true;
    try {
      return await work();
    } finally {
      this.busy = false;
    }
  }

  /** Plans into the storage folder and reads the plan back; `offerApply`: the notification's Apply button. */
  private async planWith(prepared: Prepared, offerApply = true): Promise<TerraformRunResult> {
    this.discardPlan();
    const file = this.planFile(prepared.moduleDir);
    const result = await this.runInTerminal(prepared, 'plan', TERMINAL_ARGS.plan(file));
    if (!result.ok || !fs.existsSync(file)) return this.finish(result);
    fs.chmodSync(file, 0o600);
    // `show -json` prints every variable's value: parsed here for addresses and actions only.
    const summary = parsePlanJson(await this.capture(prepared, ['show', '-json', file]));
    this.savedPlan = { file, fingerprint: prepared.fingerprint, summary, at: Date.now() };
    this.lastPlan = summary;
    result.summary = summary;
    this.finish(result, false);
    void vscode.window.showInformationMessage(`Terraform ${formatPlanLine(summary)}`, ...(offerApply && summary.resources.length ? ['Apply'] : []))
      .then((choice) => { if (choice === 'Apply') void vscode.commands.executeCommand('lifecycleLab.terraform.apply'); });
    return result;
  }

  /**
   * The module, its variables (asking for missing ones when `ask`), and the environment Terraform gets. With `ask`
   * (Plan, Apply, Destroy) the password is put in its Secrets Manager secret first, unless the user gave their own
   * password_secret_arn: Terraform gets the ARN.
   */
  private async prepare(ask: boolean): Promise<Prepared> {
    let config = this.services.config();
    const moduleDir = checkModuleDir(config.terraform.moduleDir);
    let password = await this.services.getMysqlPassword();
    let network = await this.discoverNetwork(config);
    let vars = terraformVariables(config, { network, password });
    if (ask && vars.missing.length) {
      await this.askMissing(vars.missing, config);
      config = this.services.config();
      password = await this.services.getMysqlPassword();
      network = await this.discoverNetwork(config);
      vars = terraformVariables(config, { network, password });
      if (vars.missing.length) {
        throw new LabError('config', `Terraform still needs: ${describeMissing(vars.missing)}.`, { nextStep: vars.missing[0].fill });
      }
    }
    let secretName: string | undefined;
    if (!config.terraform.variables.password_secret_arn) {
      secretName = sourceSecretName(config.terraform.variables.project || DEFAULT_PROJECT);
      if (ask && password) vars = terraformVariables(config, { network, password, passwordSecretArn: await this.storePassword(config, secretName, password) });
    }
    const stateSecrets = password ? [password] : [];
    this.protectState(moduleDir, stateSecrets);
    const env = { ...terraformProcessEnv(config), ...vars.env };
    const fingerprint = createHash('sha256').update(JSON.stringify([moduleDir, Object.entries(env).sort()])).digest('hex');
    this.services.log.info(`Terraform in ${moduleDir}: variables ${Object.entries(vars.sources).map(([n, s]) => `${n} (${s})`).join(', ') || 'none'}`);
    return { config, moduleDir, vars, env, fingerprint, secretName, stateSecrets };
  }

  /** RDS discovery, only for what neither setting gives: it is an AWS call. */
  private async discoverNetwork(config: LabConfig): Promise<RdsNetwork | undefined> {
    const given = config.terraform.variables;
    if (given.vpc_id && given.subnet_id && given.db_sg_id) return undefined;
    try {
      const { discoverRdsNetwork } = await import('../core/terraform/discovery');
      return await discoverRdsNetwork(config.aws);
    } catch (err) {
      this.services.log.warn(`Terraform: RDS discovery of ${config.aws.rdsInstanceId} found nothing to fill the network variables: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /**
   * Creates or updates the secret `name` to hold {"username", "password"} through the SDK (never a terminal or a
   * file), after a confirmation whenever it changes anything; returns its ARN for password_secret_arn.
   */
  private async storePassword(config: LabConfig, name: string, password: string): Promise<string> {
    const value = sourceSecretValue(config.terraform.variables.username || config.mysql.user, password);
    const status = await inspectSecret(config.aws, name, value);
    if (status.state !== 'same') {
      const now = {
        missing: 'It does not exist yet: it is created.',
        different: 'It holds another password: the one in the editor\'s secret storage is stored as its new version.',
        scheduled: `It is scheduled for deletion${status.deletionDate ? ` (for good on ${status.deletionDate.toISOString().slice(0, 10)})` : ''}: it is restored and updated.`,
      }[status.state];
      const confirmed = await this.prompts.confirm(
        `Store the database password in AWS Secrets Manager as ${name}?`,
        `${now}\n\nTerraform gets only the secret's ARN (password_secret_arn), so the password is in no Terraform state, plan or terminal; the Glue job reads it at run time through its connection's SECRET_ID, and only the job's role may. It goes from the editor's secret storage straight to Secrets Manager (${describeRegion(config)}).`,
        STORE_ACTION);
      if (!confirmed) throw new CancelledError('Terraform (the database password is not stored in AWS)');
    }
    const project = config.terraform.variables.project || DEFAULT_PROJECT;
    const arn = await storeSecret(config.aws, status, value, `Lifecycle Lab ${project}: the source database's username and password, for the Glue connection (SECRET_ID)`,
      { Project: project, ManagedBy: 'lifecycle-lab' });
    this.services.log.info(`Terraform: the database password is in the Secrets Manager secret ${name} (${status.state === 'same' ? 'up to date' : status.state === 'missing' ? 'created' : 'updated'}); Terraform gets its ARN.`);
    return arn;
  }

  /** After a destroy: the secret is the editor's, so it offers to delete it too, with its recovery window. */
  private async offerSecretDeletion(prepared: Prepared, name: string, result: TerraformRunResult): Promise<void> {
    const confirmed = await this.prompts.confirm(
      `Also delete the secret ${name} that holds the database password?`,
      `Secrets Manager keeps a deleted secret for a ${SECRET_RECOVERY_DAYS}-day recovery window, then removes it for good. Until then \`aws secretsmanager restore-secret --secret-id ${name}\` brings it back, and the next Terraform Plan restores it. The password stays in the editor's secret storage.`,
      DELETE_SECRET_ACTION);
    if (!confirmed) {
      this.services.log.info(`Terraform destroy: the secret ${name} is kept.`);
      return;
    }
    const date = await deleteSecret(prepared.config.aws, name);
    result.secretDeletionDate = date?.toISOString();
    const when = date ? date.toISOString().slice(0, 10) : `in ${SECRET_RECOVERY_DAYS} days`;
    this.services.log.info(`Terraform destroy: the secret ${name} is scheduled for deletion (${when}).`);
    void vscode.window.showInformationMessage(`The secret ${name} is scheduled for deletion: gone for good on ${when}, restorable until then.`);
  }

  /** State files made private; a warning, once per file, for those holding the password from an earlier run. */
  private protectState(moduleDir: string, secrets: readonly string[]): void {
    const fresh = protectStateFiles(moduleDir, secrets).holdingSecrets.filter((f) => !this.warnedFiles.has(path.join(moduleDir, f)));
    if (!fresh.length) return;
    for (const f of fresh) this.warnedFiles.add(path.join(moduleDir, f));
    const message = `${fresh.join(' and ')} in ${path.basename(moduleDir)}/ ${fresh.length === 1 ? 'holds' : 'hold'} the database password from a run that gave it to Terraform. Made readable by you only (0600); delete ${fresh.length === 1 ? 'it' : 'them'} when no longer needed (Terraform now gets only the secret's ARN).`;
    this.warnings.push(message);
    this.services.log.warn(`Terraform: ${message}`);
    void vscode.window.showWarningMessage(message);
  }

  private async askMissing(missing: MissingVariable[], config: LabConfig): Promise<void> {
    const go = await this.prompts.confirm(
      `Terraform needs ${missing.length} value${missing.length === 1 ? '' : 's'} before it can run: ${missing.map((m) => m.name).join(', ')}.`,
      `${missing.map((m) => `${m.name}: ${m.description} (${m.fill.label}${m.fill.setting ? `, ${m.fill.setting}` : ''})`).join('\n')}\n\nEnter them now? The password goes to secret storage, the others to the workspace setting lifecycleLab.terraform.variables.`,
      'Enter Values');
    // Declined in the dialog that listed them: a cancel, not one more message.
    if (!go) throw new CancelledError(`Terraform (it needs ${missing.map((m) => m.name).join(', ')})`);
    const variables = { ...config.terraform.variables };
    for (const m of missing) {
      const value = (await this.prompts.askValue(m))?.trim();
      if (!value) throw new CancelledError(`Terraform (it needs ${m.name})`);
      if (m.secret) await this.services.setMysqlPassword(value);
      else variables[m.name] = value;
    }
    if (Object.keys(variables).length !== Object.keys(config.terraform.variables).length) {
      await vscode.workspace.getConfiguration('lifecycleLab').update('terraform.variables', variables, settingsTarget());
    }
  }

  private capture(prepared: Prepared, args: string[]): Promise<string> {
    return runTerraformCapture(args, { cwd: prepared.moduleDir, env: prepared.env, secrets: prepared.vars.secrets });
  }

  private async readOutputsIntoSettings(prepared: Prepared): Promise<OutputsRead> {
    const read = outputsToSettings(await this.capture(prepared, ['output', '-json']));
    const section = vscode.workspace.getConfiguration('lifecycleLab');
    const redact = createRedactor(prepared.vars.secrets);
    for (const [key, value] of Object.entries(read.settings)) {
      // A value that is a secret's (an output the module failed to mark sensitive) is never written.
      if (redact(value) !== value) {
        delete read.settings[key as keyof OutputsRead['settings']];
        this.services.log.warn(`Terraform output for ${key} holds a secret: not written to settings.`);
        continue;
      }
      await section.update(key, value, settingsTarget());
    }
    this.services.log.info(`Terraform outputs: ${read.names.join(', ') || 'none'}; settings updated: ${Object.keys(read.settings).join(', ') || 'none'}`);
    return read;
  }

  /**
   * Runs one terraform command line in the Terraform terminal. With shell integration the exit code is awaited;
   * without it (a shell VS Code cannot integrate with) the line is typed in and the result is unknown.
   */
  private async runInTerminal(prepared: Prepared, verb: TerraformVerb, args: string[]): Promise<TerraformRunResult> {
    const commandLine = shellCommand(args);
    const terminal = this.ensureTerminal(prepared);
    terminal.show(true);
    const shell = terminal.shellIntegration ?? await waitForShellIntegration(terminal, SHELL_INTEGRATION_TIMEOUT_MS);
    this.services.log.info(`Terraform: ${commandLine} (in ${prepared.moduleDir})`);
    if (!shell) {
      terminal.sendText(commandLine, true);
      return { verb, commandLine, known: false, ok: false };
    }
    const execution = shell.executeCommand(commandLine);
    // Read from the start, alongside waiting for the end: read after the end, the stream yields nothing.
    const reading = (async () => {
      for await (const chunk of execution.read()) this.transcript = (this.transcript + chunk).slice(-TRANSCRIPT_MAX);
    })().catch((err: unknown) => this.services.log.warn(`Terraform terminal output could not be read: ${String(err)}`));
    const exitCode = await new Promise<number | undefined>((resolve) => {
      const ended = vscode.window.onDidEndTerminalShellExecution((e) => {
        if (e.execution !== execution) return;
        ended.dispose();
        closed.dispose();
        resolve(e.exitCode);
      });
      const closed = vscode.window.onDidCloseTerminal((t) => {
        if (t !== terminal) return;
        ended.dispose();
        closed.dispose();
        resolve(undefined);
      });
    });
    // The stream ends with the command; should it not, a missing tail of the transcript must not hold the command.
    await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    // apply and destroy write the state (0644 by Terraform's default).
    this.protectState(prepared.moduleDir, prepared.stateSecrets);
    return { verb, commandLine, exitCode, known: exitCode !== undefined, ok: exitCode === 0 };
  }

  /** The Terraform terminal, made anew when the module or the environment changed (a terminal's env is fixed). */
  private ensureTerminal(prepared: Prepared): vscode.Terminal {
    if (this.terminal && this.terminal.fingerprint === prepared.fingerprint && vscode.window.terminals.includes(this.terminal.terminal)) {
      return this.terminal.terminal;
    }
    this.terminal?.terminal.dispose();
    const terminal = vscode.window.createTerminal({
      name: 'Terraform',
      cwd: prepared.moduleDir,
      // The variables live only here; none is a secret (the password is in Secrets Manager, Terraform gets its ARN).
      env: prepared.env,
      // bash: shell integration needs it (it is on every Linux and macOS machine).
      shellPath: fs.existsSync('/bin/bash') ? '/bin/bash' : undefined,
      iconPath: new vscode.ThemeIcon('cloud'),
      // Never stored for revival after a reload: a revived terminal would not have this environment.
      isTransient: true,
    });
    this.terminal = { terminal, fingerprint: prepared.fingerprint };
    return terminal;
  }

  private planDir(): string {
    return path.join((this.services.context.storageUri ?? this.services.context.globalStorageUri).fsPath, 'terraform');
  }

  private planFile(moduleDir: string): string {
    const dir = this.planDir();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return path.join(dir, `${createHash('sha256').update(moduleDir).digest('hex').slice(0, 16)}.tfplan`);
  }

  private discardPlan(): void {
    if (this.savedPlan) fs.rmSync(this.savedPlan.file, { force: true });
    this.savedPlan = undefined;
  }

  /** Records the run, refreshes the view and (unless the caller has its own message) notifies its outcome. */
  private finish(result: TerraformRunResult, notify = true): TerraformRunResult {
    if (!this.runs.includes(result)) this.runs.push(result);
    if (this.runs.length > 20) this.runs.shift();
    this.changed.fire();
    if (!notify) return result;
    const title = `Terraform ${titleOf(result.verb)}`;
    if (!result.known) {
      void vscode.window.showWarningMessage(`${title} was typed into the Terraform terminal, which has no shell integration: its result is unknown. Check the terminal.`, 'Show Terminal')
        .then((c) => { if (c) this.showTerminal(); });
    } else if (result.ok) {
      void vscode.window.showInformationMessage(`${title} succeeded (exit 0).`);
    } else {
      const hint = result.exitCode === 127 ? ' The terraform command was not found: install Terraform 1.9 or later.' : ' See the Terraform terminal.';
      void vscode.window.showErrorMessage(`${title} failed (exit ${result.exitCode}).${hint}`, 'Show Terminal')
        .then((c) => { if (c) this.showTerminal(); });
    }
    return result;
  }
}

const DEFAULT_PROJECT = 'de-c1w2';
const STORE_ACTION = 'Store Database Password in AWS';
const DELETE_SECRET_ACTION = 'Delete Secret';

function describeRegion(config: LabConfig): string {
  return `region ${config.aws.region}${config.aws.endpoint ? `, endpoint ${config.aws.endpoint}` : ''}`;
}

/** The last paragraph of Apply's and Destroy's confirmations: where, and where the password is. */
function describeTarget(prepared: Prepared): string {
  const password = prepared.secretName
    ? `The database password is in the Secrets Manager secret ${prepared.secretName}; Terraform gets only its ARN.`
    : 'The database password is in your secret password_secret_arn; Terraform gets only its ARN.';
  return `In ${describeRegion(prepared.config)}.\n${password}`;
}

const ACTION_ICONS: Record<ResourceAction, vscode.ThemeIcon> = {
  create: new vscode.ThemeIcon('add', new vscode.ThemeColor('testing.iconPassed')),
  update: new vscode.ThemeIcon('edit'),
  delete: new vscode.ThemeIcon('trash', new vscode.ThemeColor('testing.iconFailed')),
  replace: new vscode.ThemeIcon('replace', new vscode.ThemeColor('testing.iconQueued')),
};

function titleOf(verb: TerraformVerb): string {
  return verb === 'outputs' ? 'Show Outputs' : verb[0].toUpperCase() + verb.slice(1);
}

function describeWritten(read: OutputsRead): string {
  const keys = Object.keys(read.settings);
  return keys.length ? `Settings updated from its outputs: ${keys.map((k) => `lifecycleLab.${k}`).join(', ')}.` : 'No output to put in the settings.';
}

/** Workspace settings when a folder is open (the deployment belongs to the project), user settings otherwise. */
function settingsTarget(): vscode.ConfigurationTarget {
  return vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

function waitForShellIntegration(terminal: vscode.Terminal, timeoutMs: number): Promise<vscode.TerminalShellIntegration | undefined> {
  return new Promise((resolve) => {
    const done = (value: vscode.TerminalShellIntegration | undefined) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(value);
    };
    const listener = vscode.window.onDidChangeTerminalShellIntegration((e) => { if (e.terminal === terminal) done(e.shellIntegration); });
    const timer = setTimeout(() => done(terminal.shellIntegration), timeoutMs);
  });
}

/** The Terraform commands, and their section of the Pipeline view. */
export function registerTerraform(services: LabServices, pipelineTree: PipelineTreeProvider): { controller: TerraformController; disposables: vscode.Disposable[] } {
  const controller = new TerraformController(services);
  const disposables = [
    controller,
    pipelineTree.addSection(controller),
    vscode.commands.registerCommand('lifecycleLab.terraform.init', services.command('Terraform Init', () => controller.init())),
    vscode.commands.registerCommand('lifecycleLab.terraform.plan', services.command('Terraform Plan', () => controller.plan())),
    vscode.commands.registerCommand('lifecycleLab.terraform.apply', services.command('Terraform Apply', () => controller.apply())),
    vscode.commands.registerCommand('lifecycleLab.terraform.destroy', services.command('Terraform Destroy', () => controller.destroy())),
    vscode.commands.registerCommand('lifecycleLab.terraform.outputs', services.command('Terraform Show Outputs', () => controller.outputs())),
    vscode.commands.registerCommand('lifecycleLab.terraform.showTerminal', () => controller.showTerminal()),
  ];
  return { controller, disposables };
}
