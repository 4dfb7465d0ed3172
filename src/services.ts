import * as vscode from 'vscode';
import * as path from 'node:path';
import { resolveLabConfig, SETTING_KEYS, settingEnvVar, type LabConfig, type MysqlTarget, type RawSettings } from './core/config';
import { describeError, isCancelled, toLabError } from './core/errors';
import type { LabBackend } from './core/backend/types';
import type { Logger } from './core/log';
import { withEmulatorCredentials } from './core/lab/emulatedAws';
import { editorLabLocation, readLabIndex, recordLabDir, type LabLocation } from './core/lab/location';
import { localLabUnsupported } from './core/lab/platform';
import { readLabTarget } from './core/lab/state';

/**
 * Editor-side services shared by every view and command: settings, secrets, the log, and change events.
 * Views and commands get this one object instead of long parameter lists.
 */
export class LabServices implements vscode.Disposable {
  readonly log: OutputLog;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly sourceChanged = new vscode.EventEmitter<void>();
  private readonly lakeChanged = new vscode.EventEmitter<void>();
  private readonly configChanged = new vscode.EventEmitter<void>();
  /** Fired when the source may look different: lab started/stopped/seeded, connection settings, password. */
  readonly onDidChangeSource = this.sourceChanged.event;
  /** Fired after the lake was (re)written. */
  readonly onDidChangeLake = this.lakeChanged.event;
  readonly onDidChangeConfig = this.configChanged.event;
  private readonly backendChanged = new vscode.EventEmitter<void>();
  /** Fired once after the settings changed the backend (the old one is being disposed). */
  readonly onDidChangeBackend = this.backendChanged.event;
  private current?: Promise<LabBackend>;
  /** Backends built so far (tests check that a settings change builds one, not several). */
  backendsCreated = 0;
  /** Work that must wind down before the window goes (a pipeline run holding the lake lock). */
  private readonly shutdownHooks = new Set<() => Promise<void>>();
  private location: LabLocation;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = new OutputLog(vscode.window.createOutputChannel('Lifecycle Lab', { log: true }));
    this.location = this.locateLab();
    this.disposables.push(this.log, this.sourceChanged, this.lakeChanged, this.configChanged, this.backendChanged);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('lifecycleLab')) return;
        if (e.affectsConfiguration('lifecycleLab.local.labDir')) this.location = this.locateLab();
        this.replaceBackend();
        void this.updateModeContext();
        this.configChanged.fire();
        if (e.affectsConfiguration('lifecycleLab.mode') || e.affectsConfiguration('lifecycleLab.mysql') ||
            e.affectsConfiguration('lifecycleLab.local') || e.affectsConfiguration('lifecycleLab.source')) {
          this.sourceChanged.fire();
        }
        if (e.affectsConfiguration('lifecycleLab.local') || e.affectsConfiguration('lifecycleLab.mode')) this.lakeChanged.fire();
      }),
    );
    this.disposables.push(this.onDidChangeSource(() => void this.updateLabRunningContext()));
    void this.updateModeContext();
    void this.updateLabRunningContext();
  }

  /** Registers work to stop on deactivate (window closed or reloaded); the returned disposable unregisters it. */
  onShutdown(hook: () => Promise<void>): vscode.Disposable {
    this.shutdownHooks.add(hook);
    return { dispose: () => this.shutdownHooks.delete(hook) };
  }

  /** Runs the shutdown hooks, waiting at most `timeoutMs` (the editor does not wait long for deactivate). */
  async shutdown(timeoutMs = 3_000): Promise<void> {
    const hooks = Promise.allSettled([...this.shutdownHooks].map((hook) => hook()));
    await Promise.race([hooks, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref?.())]);
  }

  /** Where this workspace's lab and lab notebook are (see core/lab/location.ts), as of the last settings change. */
  get labLocation(): LabLocation {
    return this.location;
  }

  /** Whether the open folder is the lab's own repository (its `.lab`, its workspace settings are the lab's). */
  get folderIsLabRepository(): boolean {
    return this.location.labRepository;
  }

  /** The extension's storage for this workspace (its global storage with no folder open). */
  get storageDir(): string {
    return (this.context.storageUri ?? this.context.globalStorageUri).fsPath;
  }

  /**
   * Finds the lab anew (after its folder moved) and tells everyone, as a settings change does: a new backend, the views
   * refreshed, the Start/Stop buttons.
   */
  relocateLab(): void {
    this.location = this.locateLab();
    this.replaceBackend();
    this.configChanged.fire();
    this.sourceChanged.fire();
    this.lakeChanged.fire();
  }

  /**
   * The lab's folder by the one rule, published where the command line looks: LIFECYCLE_LAB_LOCAL_LABDIR in this
   * window's terminals and the per-user index (for a CLI run outside the editor). The lab's own repository stays out
   * of the index: the CLI finds its `.lab` by the same rule.
   */
  private locateLab(): LabLocation {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const setting = vscode.workspace.getConfiguration('lifecycleLab').get<unknown>('local.labDir');
    const indexed = folder ? readLabIndex()[path.resolve(folder)] : undefined;
    const location = editorLabLocation({ setting: typeof setting === 'string' ? setting.trim() : '', folder, storageDir: this.storageDir, indexed });
    const variables = this.context.environmentVariableCollection;
    variables.description = 'Lifecycle Lab: where this workspace\'s local lab is, for the lifecycle-lab command line';
    variables.replace(settingEnvVar('local.labDir'), location.labDir);
    if (folder) {
      try {
        // The repository's entry is removed: a labDir setting the tests set for a while must not outlive them there.
        recordLabDir(folder, location.origin === 'lab-repository' ? undefined : location.labDir);
      } catch (err) {
        this.log.warn(`Could not record the lab folder in the per-user index (the CLI outside the editor will not find it): ${String(err)}`);
      }
    }
    this.log.info(`Local lab folder: ${location.labDir} (${location.origin})`);
    return location;
  }

  /** The workspace root that relative settings resolve against (extension storage when no folder is open). */
  get root(): string {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.context.globalStorageUri.fsPath;
  }

  /** The typed configuration, read fresh each time. Throws a LabError naming a bad setting. */
  config(): LabConfig {
    const section = vscode.workspace.getConfiguration('lifecycleLab');
    const raw: RawSettings = {};
    for (const key of SETTING_KEYS) raw[key] = section.get(key);
    // The emulated AWS takes any keys and the SDK needs some: placeholders only while the endpoint is the running emulator's.
    return withEmulatorCredentials(resolveLabConfig(raw, this.root, { labDir: this.location.labDir }));
  }

  /**
   * The mode's parts (source, pipeline runner, lake catalog, query engine), built from the settings on first use and
   * rebuilt after they change. Core is loaded lazily, so activation stays cheap. Throws a LabError for a bad setting.
   */
  backend(): Promise<LabBackend> {
    this.current ??= (async () => {
      const config = this.config();
      const { createBackend } = await import('./core/backend');
      this.backendsCreated++;
      return createBackend(config, { readPassword: () => this.getMysqlPassword(), modelDir: this.asset('glue', 'sql'), log: this.log });
    })();
    this.current.catch(() => { this.current = undefined; });
    return this.current;
  }

  /**
   * Settings changed: the next backend() builds a new backend and the old one is disposed. Work already running on
   * the old one either finishes there (a pipeline run) or is cancelled by its disposal (queries on its engine); none
   * of it moves to the new one halfway.
   */
  private replaceBackend(): void {
    const old = this.current;
    this.current = undefined;
    this.backendChanged.fire();
    void old?.then((b) => b.dispose(), () => undefined).catch((err: unknown) => this.log.warn(`Closing the previous backend: ${String(err)}`));
  }

  /** Password for a configured MySQL source, from SecretStorage (key per user@host:port). */
  async getMysqlPassword(): Promise<string | undefined> {
    return this.context.secrets.get(this.passwordKey());
  }

  async setMysqlPassword(password: string | undefined): Promise<void> {
    if (password === undefined) await this.context.secrets.delete(this.passwordKey());
    else await this.context.secrets.store(this.passwordKey(), password);
    this.sourceChanged.fire();
  }

  /** Stores the password for a source other than the configured one (the emulated RDS instance before discovery). */
  async setMysqlPasswordFor(endpoint: { user: string; host: string; port: number }, password: string): Promise<void> {
    await this.context.secrets.store(this.passwordKey(endpoint), password);
    this.sourceChanged.fire();
  }

  private passwordKey(endpoint?: { user: string; host: string; port: number }): string {
    const { user, host, port } = endpoint ?? this.config().mysql;
    return `lifecycleLab.mysql.password:${user}@${host || 'local-lab'}:${port}`;
  }

  /**
   * Where the backend's source lives now: the running local lab (local backend, no host set) or the configured host
   * with the stored password. Undefined when nothing is configured or the lab is not running.
   */
  async sourceTarget(): Promise<MysqlTarget | undefined> {
    return (await this.backend()).source.lookup();
  }

  fireSourceChanged(): void {
    this.sourceChanged.fire();
  }

  fireLakeChanged(): void {
    this.lakeChanged.fire();
  }

  private async updateModeContext(): Promise<void> {
    let panels = 'local';
    try {
      // The AWS panels (Discover RDS, Terraform, Preflight) go with an engine that keeps its runs in AWS.
      panels = (await this.backend()).pipeline.runHistory ? 'aws' : 'local';
    } catch {
      // An invalid setting is reported where it is used; the views keep the default layout.
    }
    await vscode.commands.executeCommand('setContext', 'lifecycleLab.mode', panels);
    // Where the local lab cannot run, the Source view says why and offers AWS mode instead of Start Local Lab.
    await vscode.commands.executeCommand('setContext', 'lifecycleLab.localLabUnsupported', !!localLabUnsupported());
  }

  /** Drives the Start/Stop Local Lab buttons; reading lab.json and probing the pid is cheap. */
  private async updateLabRunningContext(): Promise<void> {
    let running = false;
    try {
      running = (await readLabTarget(this.config().local.labDir)) !== undefined;
    } catch {
      // Unreadable state or settings: show Start, which reports the real problem when pressed.
    }
    await vscode.commands.executeCommand('setContext', 'lifecycleLab.labRunning', running);
  }

  /**
   * Wraps a command handler: an error becomes one message whose buttons can act (the next step's command or setting,
   * Show Log); a next step that is only advice is part of the text; a cancel is logged quietly. The handler's result
   * is handed back (undefined after an error), so other commands and tests can use it.
   */
  command<A extends unknown[], R>(name: string, handler: (...args: A) => R | Promise<R>): (...args: A) => Promise<R | undefined> {
    return async (...args: A) => {
      try {
        return await handler(...args);
      } catch (err) {
        await this.showError(name, err);
        return undefined;
      }
    };
  }

  async showError(what: string, err: unknown): Promise<void> {
    if (isCancelled(err)) {
      this.log.info(`${what}: cancelled`);
      return;
    }
    const e = toLabError(err);
    this.log.error(`${what} failed: ${describeError(e)}`, err);
    const step = e.nextStep;
    const actionable = !!step && (!!step.command || !!step.setting);
    // Core messages name no setting; the editor names it (and its button opens the Settings editor right there).
    const setting = step?.setting ? ` (setting ${step.setting})` : '';
    const advice = step && !actionable ? ` Next step: ${step.label}.` : '';
    const buttons = [actionable ? step.label : undefined, 'Show Log'].filter((b): b is string => !!b);
    const choice = await vscode.window.showErrorMessage(`${what} failed: ${e.message}${setting}${advice}`, ...buttons);
    if (choice === 'Show Log') this.log.show();
    else if (choice && actionable) {
      if (step.setting) await vscode.commands.executeCommand('workbench.action.openSettings', step.setting);
      else if (step.command) await vscode.commands.executeCommand(step.command);
    }
  }

  /** Absolute path inside the extension (media, glue/sql, data). */
  asset(...segments: string[]): string {
    return path.join(this.context.extensionPath, ...segments);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    void this.current?.then((b) => b.dispose(), () => undefined);
    this.current = undefined;
  }
}

/** The "Lifecycle Lab" output channel as a core Logger. */
export class OutputLog implements Logger, vscode.Disposable {
  constructor(private readonly channel: vscode.LogOutputChannel) {}
  debug(message: string): void { this.channel.debug(message); }
  info(message: string): void { this.channel.info(message); }
  warn(message: string): void { this.channel.warn(message); }
  error(message: string, err?: unknown): void {
    this.channel.error(err instanceof Error && err.stack ? `${message}\n${err.stack}` : message);
  }
  show(): void { this.channel.show(true); }
  dispose(): void { this.channel.dispose(); }
}
