import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabConfig } from '../core/config';
import { CancelledError, LabError } from '../core/errors';
import { runTerraformCapture, TERMINAL_ARGS } from '../core/terraform/cli';
import { strandedState, strandedStateError, syncWorkDir, terraformLocation, type TerraformLocation } from '../core/terraform/location';
import { outputsToSettings, type OutputsRead } from '../core/terraform/outputs';
import { describeResources, formatPlanLine, parsePlanJson, parseStateList, type PlanSummary, type ResourceAction } from '../core/terraform/plan';
import { sourceSecretName } from '../core/aws/secrets';
import { createRedactor } from '../core/terraform/redact';
import { protectStateFiles, removePlanFiles } from '../core/terraform/stateFiles';
import { describeMissing, terraformProcessEnv, terraformVariables, type MissingVariable, type RdsNetwork, type TerraformVariables } from '../core/terraform/variables';
import type { LabServices } from '../services';
import type { PipelineTreeProvider } from '../views/pipelineTree';
import { describeWritten, notifyRun, type TerraformRunResult, type TerraformVerb } from './terraformNotices';
import { terraformSettingsTarget, windowPrompts, type TerraformPrompts } from './terraformPrompts';
import { DEFAULT_PROJECT, describeRegion, offerSecretDeletion, storePassword } from './terraformSecret';
import { TerraformSection } from './terraformSection';
import { TerraformTerminal } from './terraformTerminal';

export type { TerraformRunResult, TerraformVerb } from './terraformNotices';
export type { TerraformPrompts } from './terraformPrompts';

/** What the API's `terraform.snapshot()` returns, for tests and scripts. */
export interface TerraformSnapshot {
  terminalName?: string;
  /** Everything the terminal's commands printed that shell integration reported (OSC 633 marks included). */
  transcript: string;
  lastPlan?: PlanSummary;
  runs: TerraformRunResult[];
  /** Warnings given about state files holding the password from an earlier run (each once). */
  warnings: string[];
  /** Where the module and the Glue job are read and where Terraform writes, for the settings now (undefined: no module). */
  location?: TerraformLocation;
}

/** A saved plan older than this is planned again before Apply (the account may have moved on). */
const PLAN_FRESH_MS = 30 * 60_000;

interface Prepared {
  config: LabConfig;
  /** The folder Terraform runs in and writes to: the lab's working copy of the shipped module, or the user's module. */
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
 * Terraform in the editor, the workflow: each command runs the real terraform in the Terraform terminal
 * (terraformTerminal.ts), asks what it must (terraformPrompts.ts), and says how it ended (terraformNotices.ts; the
 * Pipeline view's section is terraformSection.ts). The database password never reaches Terraform: before Plan, Apply
 * and Destroy it goes from secret storage to a Secrets Manager secret through the SDK, and Terraform gets the secret's
 * ARN (password_secret_arn; terraformSecret.ts).
 * The commands whose output is machine-read (`show -json`, `output -json`, `state list`) run as child processes.
 */
export class TerraformController implements vscode.Disposable {
  prompts: TerraformPrompts = windowPrompts;
  private readonly terminal: TerraformTerminal;
  private savedPlan?: { file: string; fingerprint: string; summary: PlanSummary; at: number };
  private lastPlan?: PlanSummary;
  private readonly runs: TerraformRunResult[] = [];
  private busy = false;
  private readonly warnings: string[] = [];
  private readonly warnedFiles = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** The Pipeline view's Terraform section. */
  readonly section = new TerraformSection(this.onDidChange, () => ({ lastPlan: this.lastPlan, runs: this.runs }));

  constructor(private readonly services: LabServices) {
    this.terminal = new TerraformTerminal(services.log);
    this.disposables.push(this.terminal);
    // Plans a window left behind when it went away without deactivating.
    const left = removePlanFiles(this.planDir());
    if (left.length) services.log.info(`Terraform: removed ${left.length} plan file(s) left by an earlier window.`);
  }

  snapshot(): TerraformSnapshot {
    let location: TerraformLocation | undefined;
    try {
      location = this.location(this.services.config());
    } catch {
      // no module: the commands say so when run
    }
    return { terminalName: this.terminal.name, transcript: this.terminal.transcript, lastPlan: this.lastPlan, runs: [...this.runs], warnings: [...this.warnings], location };
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
      // Asked before anything runs (once per folder of the user's): after an apply, a dismissed question would lose outputs.
      const target = await this.settingsTarget();
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
        const read = await this.readOutputsIntoSettings(prepared, target);
        void vscode.window.showInformationMessage(`Terraform: nothing to apply (no changes). ${describeWritten(read, target)}`);
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
        const read = await this.readOutputsIntoSettings(prepared, target);
        result.settingsWritten = Object.keys(read.settings);
        void vscode.window.showInformationMessage(`Terraform apply succeeded (exit 0). ${describeWritten(read, target)}`);
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
      if (result.ok && prepared.secretName) await offerSecretDeletion(this.services, this.prompts, prepared.config, prepared.secretName, result);
      return result;
    });
  }

  async outputs(): Promise<TerraformRunResult | undefined> {
    return this.exclusive(async () => this.finish(await this.runInTerminal(await this.prepare(false), 'outputs', TERMINAL_ARGS.outputs())));
  }

  showTerminal(): void {
    this.terminal.show();
  }

  dispose(): void {
    this.discardPlan();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  // ---- internals ----

  /** One Terraform command at a time: a second one while the first runs just shows the terminal. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (this.busy) {
      this.terminal.show(true);
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
    const location = this.location(config);
    const stranded = strandedState(location, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    if (stranded) throw strandedStateError(stranded, location);
    // The shipped module is copied into the lab's folder first: Terraform writes beside its configuration.
    const moduleDir = syncWorkDir(location);
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
      if (ask && password) vars = terraformVariables(config, { network, password, passwordSecretArn: await storePassword(this.services, this.prompts, config, secretName, password) });
    }
    const stateSecrets = password ? [password] : [];
    this.protectState(moduleDir, stateSecrets);
    // The shipped module's working copy is not beside glue/: its glue_dir is the extension's (a glue_dir of the user's wins).
    const env = { ...terraformProcessEnv(config), ...(location.glueDir ? { TF_VAR_glue_dir: location.glueDir } : {}), ...vars.env };
    const fingerprint = createHash('sha256').update(JSON.stringify([moduleDir, Object.entries(env).sort()])).digest('hex');
    this.services.log.info(`Terraform in ${moduleDir}${location.shipped ? ` (the module ${location.sourceDir}, the Glue job ${location.glueDir})` : ''}: variables ${Object.entries(vars.sources).map(([n, s]) => `${n} (${s})`).join(', ') || 'none'}`);
    return { config, moduleDir, vars, env, fingerprint, secretName, stateSecrets };
  }

  /** The module of the setting, else the one the extension ships, run in the lab's folder (core/terraform/location.ts). */
  private location(config: LabConfig): TerraformLocation {
    return terraformLocation(config.terraform.moduleDir, this.services.context.extensionPath, config.local.labDir);
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
      `${missing.map((m) => `${m.name}: ${m.description} (${m.fill.label}${m.fill.setting ? `, ${m.fill.setting}` : ''})`).join('\n')}\n\nEnter them now? The password goes to secret storage, the others to the setting lifecycleLab.terraform.variables.`,
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
      await vscode.workspace.getConfiguration('lifecycleLab').update('terraform.variables', variables, await this.settingsTarget());
    }
  }

  private capture(prepared: Prepared, args: string[]): Promise<string> {
    return runTerraformCapture(args, { cwd: prepared.moduleDir, env: prepared.env, secrets: prepared.vars.secrets });
  }

  /** Where Terraform's outputs and variables go (terraformPrompts.ts). */
  private settingsTarget(): Promise<vscode.ConfigurationTarget> {
    return terraformSettingsTarget(this.services, this.prompts);
  }

  private async readOutputsIntoSettings(prepared: Prepared, target: vscode.ConfigurationTarget): Promise<OutputsRead> {
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
      await section.update(key, value, target);
    }
    this.services.log.info(`Terraform outputs: ${read.names.join(', ') || 'none'}; settings updated: ${Object.keys(read.settings).join(', ') || 'none'}`);
    return read;
  }

  /** One command line in the Terraform terminal; apply and destroy write the state (0644 by Terraform's default). */
  private async runInTerminal(prepared: Prepared, verb: TerraformVerb, args: string[]): Promise<TerraformRunResult> {
    const run = await this.terminal.run(prepared, args);
    this.protectState(prepared.moduleDir, prepared.stateSecrets);
    return { verb, ...run };
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
    if (notify) notifyRun(result, () => this.showTerminal());
    return result;
  }
}


/** The last paragraph of Apply's and Destroy's confirmations: where, and where the password is. */
function describeTarget(prepared: Prepared): string {
  const password = prepared.secretName
    ? `The database password is in the Secrets Manager secret ${prepared.secretName}; Terraform gets only its ARN.`
    : 'The database password is in your secret password_secret_arn; Terraform gets only its ARN.';
  return `In ${describeRegion(prepared.config)}.\n${password}`;
}

/** The Terraform commands, and their section of the Pipeline view. */
export function registerTerraform(services: LabServices, pipelineTree: PipelineTreeProvider): { controller: TerraformController; disposables: vscode.Disposable[] } {
  const controller = new TerraformController(services);
  const disposables = [
    controller,
    pipelineTree.addSection(controller.section),
    vscode.commands.registerCommand('lifecycleLab.terraform.init', services.command('Terraform Init', () => controller.init())),
    vscode.commands.registerCommand('lifecycleLab.terraform.plan', services.command('Terraform Plan', () => controller.plan())),
    vscode.commands.registerCommand('lifecycleLab.terraform.apply', services.command('Terraform Apply', () => controller.apply())),
    vscode.commands.registerCommand('lifecycleLab.terraform.destroy', services.command('Terraform Destroy', () => controller.destroy())),
    vscode.commands.registerCommand('lifecycleLab.terraform.outputs', services.command('Terraform Show Outputs', () => controller.outputs())),
    vscode.commands.registerCommand('lifecycleLab.terraform.showTerminal', () => controller.showTerminal()),
  ];
  return { controller, disposables };
}
