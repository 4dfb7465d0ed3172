import * as vscode from 'vscode';
import { LabServices } from './services';
import { registerGeneralCommands } from './commands/general';
import { registerLabCommands } from './commands/lab';
import { registerSourceView } from './commands/source';
import { registerPipeline } from './commands/pipeline';
import { registerDashboard } from './commands/dashboard';

/** What the extension exports, for tests and other extensions. */
export interface LifecycleLabApi {
  /** Milliseconds activate() took, measured inside the extension host. */
  activationMs: number;
  services: LabServices;
}

/**
 * Builds the editor services and registers each area. Nothing heavy happens here: MySQL, DuckDB and the
 * AWS SDK are loaded the first time a view or command needs them.
 */
export function activate(context: vscode.ExtensionContext): LifecycleLabApi {
  const started = performance.now();
  const services = new LabServices(context);
  active = services;
  context.subscriptions.push(
    services,
    ...registerGeneralCommands(services),
    ...registerLabCommands(services),
    ...registerSourceView(services),
    ...registerPipeline(services),
    ...registerDashboard(services),
  );
  const activationMs = performance.now() - started;
  services.log.info(`Lifecycle Lab activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, services };
}

let active: LabServices | undefined;

/**
 * Stops what holds shared state before the window goes: a pipeline run is cancelled and releases the lake lock
 * (a host killed outright stops the lock's heartbeat instead, and the lock goes stale). Disposables registered on
 * the context are released by the editor after this.
 */
export async function deactivate(): Promise<void> {
  await active?.shutdown();
  active = undefined;
}
