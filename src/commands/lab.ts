import * as vscode from 'vscode';
import { localLabUnsupported } from '../core/lab/platform';
import type { LabServices } from '../services';
import { settingScope } from './settingsScope';
import { withCancellableProgress } from './progress';

/**
 * "Start Local Lab" / "Stop Local Lab": thin wrappers over core LocalLab (the same code as `lifecycle-lab lab`).
 * Core is imported on first use so activation does not load mysql2.
 */
export function registerLabCommands(services: LabServices): vscode.Disposable[] {
  const localLab = async () => {
    const { labFromConfig } = await import('../core/lab');
    return labFromConfig(services.config(), services.log, services.asset(), services.asset('data', 'mysqlsampledatabase.sql'));
  };

  const start = services.command('Start Local Lab', () => {
    // Said before any progress shows: on Windows there is nothing to start (AWS mode is offered instead).
    const unsupported = localLabUnsupported();
    if (unsupported) throw unsupported;
    return withCancellableProgress('Lifecycle Lab: starting the local lab', async (work) => {
      const lab = await localLab();
      try {
        const status = await lab.up(work);
        services.log.info(`Local lab is up on ${status.host}:${status.port} (pid ${status.pid}), ${status.database} ${status.seededFrom ?? ''}`);
        void vscode.window.showInformationMessage(`Local lab is up: MariaDB on ${status.host}:${status.port}, database ${status.database}.`);
      } finally {
        // Also after a cancel or failure: the server may have started or stopped.
        services.fireSourceChanged();
      }
    });
  });

  const stop = services.command('Stop Local Lab', async () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Lifecycle Lab: stopping the local lab' }, async () => {
      const lab = await localLab();
      try {
        const wasRunning = await lab.down();
        services.log.info(wasRunning ? 'Local lab stopped' : 'Local lab was not running');
      } finally {
        services.fireSourceChanged();
      }
    }));

  /**
   * Start Emulated AWS: the local lab (as Start Local Lab), then the emulator beside it (`lab up --aws`), then AWS mode
   * on its endpoint. The SDK's placeholder keys come from LabServices.config() while the endpoint is the emulator's.
   */
  const startAws = services.command('Start Emulated AWS', () => {
    const unsupported = localLabUnsupported();
    if (unsupported) throw unsupported;
    return withCancellableProgress('Lifecycle Lab: starting the emulated AWS', async (work) => {
      const lab = await localLab();
      let status;
      try {
        status = await lab.up(work);
      } finally {
        services.fireSourceChanged();
      }
      const { EmulatedAws, EMULATED_RDS_INSTANCE, findEmulatorRoot } = await import('../core/lab/emulatedAws');
      const config = services.config();
      const state = await new EmulatedAws(lab.labDir).up({
        labPort: status.port!, trinoUrl: config.aws.emulatorTrinoUrl || undefined, codeRoot: findEmulatorRoot(services.asset()), ...work,
      });
      // Discover RDS Instance finds de-c1w2-rds at the lab's MariaDB: its password (the lab's) goes to secret storage
      // under the endpoint discovery fills in, so the Source view connects without asking.
      const { readLabTarget } = await import('../core/lab/state');
      const target = await readLabTarget(lab.labDir);
      if (target) await services.setMysqlPasswordFor({ user: target.user, host: '127.0.0.1', port: target.port }, target.password);
      const settings = vscode.workspace.getConfiguration('lifecycleLab');
      await settings.update('aws.endpoint', state.endpoint, settingScope(services, 'aws.endpoint'));
      await settings.update('aws.region', 'us-east-1', settingScope(services, 'aws.region'));
      if (config.aws.rdsInstanceId !== EMULATED_RDS_INSTANCE) await settings.update('aws.rdsInstanceId', EMULATED_RDS_INSTANCE, settingScope(services, 'aws.rdsInstanceId'));
      await settings.update('mode', 'aws', settingScope(services, 'mode'));
      await updateEmulatorContext(true);
      services.log.info(`Emulated AWS on ${state.endpoint} (pid ${state.pid}): Glue runs on Spark ${state.sparkMaster}, Athena on Trino ${state.trino ?? '(starting)'}; RDS ${EMULATED_RDS_INSTANCE} -> 127.0.0.1:${status.port}. Settings: mode aws, aws.endpoint ${state.endpoint}, region us-east-1.`);
      void vscode.window.showInformationMessage(`Emulated AWS is up on ${state.endpoint} and the editor is in AWS mode. Discover RDS Instance finds ${EMULATED_RDS_INSTANCE} (the local lab).`, 'Discover RDS Instance')
        .then((choice) => choice && vscode.commands.executeCommand('lifecycleLab.source.discoverRds'));
      return state;
    });
  });

  /** Stop Emulated AWS: the emulator and all it started (the local lab runs on); offers local mode back. */
  const stopAws = services.command('Stop Emulated AWS', async () => {
    const lab = await localLab();
    const { EmulatedAws, usesEmulator } = await import('../core/lab/emulatedAws');
    const emulated = new EmulatedAws(lab.labDir);
    const endpoint = (await emulated.status()).state?.endpoint;
    const stopped = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Lifecycle Lab: stopping the emulated AWS' },
      () => emulated.down());
    await updateEmulatorContext(false);
    services.log.info(stopped ? `Emulated AWS stopped${endpoint ? ` (${endpoint})` : ''}` : 'The emulated AWS was not running');
    if (endpoint && usesEmulator(services.config(), endpoint)) {
      void vscode.window.showInformationMessage(`Emulated AWS stopped. The editor still points at ${endpoint}: switch back to local mode?`, SWITCH_TO_LOCAL)
        .then(async (choice) => { if (choice === SWITCH_TO_LOCAL) await switchToLocal(services, endpoint); })
        .then(undefined, (err: unknown) => services.showError('Switch to Local Mode', err));
    } else if (stopped) {
      void vscode.window.showInformationMessage('Emulated AWS stopped (the local lab runs on).');
    }
    return stopped;
  });

  const updateEmulatorContext = (running: boolean) => vscode.commands.executeCommand('setContext', 'lifecycleLab.emulatedAwsRunning', running);
  // Whether one runs from an earlier session (`lab up --aws`, or before a reload): Start or Stop in the Source view.
  void (async () => {
    try {
      const lab = await localLab();
      const { EmulatedAws } = await import('../core/lab/emulatedAws');
      await updateEmulatorContext((await new EmulatedAws(lab.labDir).status()).running);
    } catch {
      // Unreadable settings or state: Start shows, and says what is wrong when pressed.
    }
  })();

  return [
    vscode.commands.registerCommand('lifecycleLab.startLocalLab', start),
    vscode.commands.registerCommand('lifecycleLab.stopLocalLab', stop),
    vscode.commands.registerCommand('lifecycleLab.startEmulatedAws', startAws),
    vscode.commands.registerCommand('lifecycleLab.stopEmulatedAws', stopAws),
  ];
}

const SWITCH_TO_LOCAL = 'Switch to Local Mode';

/** Local mode again: the endpoint override and the emulated RDS source (the lab's own MariaDB) are cleared. */
async function switchToLocal(services: LabServices, endpoint: string): Promise<void> {
  const settings = vscode.workspace.getConfiguration('lifecycleLab');
  const config = services.config();
  const labPort = (await import('../core/lab/state').then((m) => m.readLabTarget(config.local.labDir)))?.port;
  if (config.aws.endpoint === endpoint) await settings.update('aws.endpoint', undefined, settingScope(services, 'aws.endpoint'));
  if (config.mysql.host === '127.0.0.1' && config.mysql.port === labPort) {
    for (const key of ['mysql.host', 'mysql.port', 'mysql.user']) await settings.update(key, undefined, settingScope(services, key));
  }
  await settings.update('mode', 'local', settingScope(services, 'mode'));
  services.log.info('Switched to local mode after the emulated AWS stopped');
}

