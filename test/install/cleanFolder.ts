/**
 * The install test's steps inside the extension host (extensionTestsPath of a driver extension with no code, beside
 * the vsix installed in the editor's extensions folder; see scripts/run-install-test.mjs). It runs the commands a new
 * user runs from the palette, in their order, on the user's own folder, and writes one result per step to
 * EXT_TEST_RESULTS. The runner lists the folder before and after and checks that it holds nothing new.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DATASET_IDS } from '../../src/core/dashboard/model';
import type { LifecycleLabApi } from '../../src/extension';
import { awsModeFiles } from '../package/awsModeFiles';

interface StepResult {
  title: string;
  state: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

const STEP_TIMEOUT_MS = 240_000;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function run(): Promise<void> {
  const results: StepResult[] = [];
  const id = process.env.INSTALL_TEST_EXTENSION_ID ?? '';
  const extensionsDir = process.env.INSTALL_TEST_EXTENSIONS_DIR ?? '';
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  let api: LifecycleLabApi | undefined;

  const step = async (title: string, body: () => Promise<void>): Promise<boolean> => {
    const started = Date.now();
    try {
      await body();
      results.push({ title, state: 'passed', durationMs: Date.now() - started });
      return true;
    } catch (err) {
      results.push({ title, state: 'failed', durationMs: Date.now() - started, error: String((err as Error)?.stack ?? err) });
      return false;
    }
  };

  const steps: [string, () => Promise<void>][] = [
    ['the extension that runs is the installed vsix, in a folder of the user\'s own', async () => {
      const ext = vscode.extensions.getExtension<LifecycleLabApi>(id);
      if (!ext) throw new Error(`${id} is not installed`);
      if (!ext.extensionPath.startsWith(extensionsDir + path.sep)) throw new Error(`${id} runs from ${ext.extensionPath}, not the extensions folder ${extensionsDir}`);
      if (!folder || fs.existsSync(path.join(folder, 'package.json'))) throw new Error(`the workspace ${folder} is not a plain user folder`);
      api = await ext.activate();
    }],
    ['Start Local Lab: MariaDB with classicmodels answers', async () => {
      await vscode.commands.executeCommand('lifecycleLab.startLocalLab');
      // The command shows a failure as a message instead of throwing: the lab's target says whether it is up.
      if (!(await api!.services.sourceTarget())) throw new Error('the local lab is not running after Start Local Lab (see the Lifecycle Lab log)');
    }],
    ['Run Pipeline: the lake is written and reconciled', async () => {
      const lakeChanged = new Promise<void>((resolve) => {
        const sub = api!.services.onDidChangeLake(() => { sub.dispose(); resolve(); });
      });
      await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
      await Promise.race([lakeChanged, new Promise((_, reject) => setTimeout(() => reject(new Error('no lake change after Run Pipeline')), STEP_TIMEOUT_MS))]);
      const manifest = path.join(api!.services.config().local.lakeDir, 'gold', '_manifest.json');
      if (!fs.existsSync(manifest)) throw new Error(`no ${manifest} after Run Pipeline`);
    }],
    ['Open Dashboard: every card draws its data', async () => {
      await vscode.commands.executeCommand('lifecycleLab.dashboard.open');
      const reports = await waitFor('every dashboard card', async () => {
        const { reports } = await api!.dashboard.renderedState();
        return DATASET_IDS.every((d) => reports[d]) ? reports : undefined;
      });
      const notDrawn = DATASET_IDS.filter((d) => reports[d]?.state !== 'data').map((d) => `${d}: ${reports[d]?.state} ${reports[d]?.message ?? ''}`);
      if (notDrawn.length) throw new Error(`cards without data: ${notDrawn.join('; ')}`);
    }],
    ['Open Lab Notebook: lab.labnb opens from the extension\'s storage', async () => {
      const notebook = await vscode.commands.executeCommand<vscode.NotebookDocument | undefined>('lifecycleLab.notebook.openLab');
      if (!notebook) throw new Error('Open Lab Notebook opened nothing (see the Lifecycle Lab log)');
      if (notebook.uri.fsPath.startsWith(folder + path.sep)) throw new Error(`the lab notebook was written into the folder: ${notebook.uri.fsPath}`);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }],
    ['AWS mode: the Terraform module and the Glue job come from the install path; Terraform runs in the lab\'s folder', async () => {
      const ext = vscode.extensions.getExtension<LifecycleLabApi>(id)!;
      const location = api!.terraform.snapshot().location;
      if (!location) throw new Error('no Terraform module found (the snapshot has no location)');
      const within = (dir: string, root: string) => dir === root || dir.startsWith(root + path.sep);
      if (!location.shipped || location.sourceDir !== path.join(ext.extensionPath, 'terraform') || location.glueDir !== path.join(ext.extensionPath, 'glue')) {
        throw new Error(`the module is not the installed extension's: ${JSON.stringify(location)}`);
      }
      // Derived from the installed module's own text: every file it reads or uploads is in the install path.
      const needed = awsModeFiles(location.sourceDir, location.glueDir);
      const absent = needed.filter((f) => !fs.existsSync(path.join(ext.extensionPath, f)));
      if (absent.length) throw new Error(`the installed extension lacks ${absent.join(', ')}`);
      const labDir = api!.services.config().local.labDir;
      if (!within(location.workDir, labDir) || within(location.workDir, folder) || within(location.workDir, ext.extensionPath)) {
        throw new Error(`Terraform's working folder ${location.workDir} is not in the lab's folder ${labDir} (or is in the user's folder or the install path)`);
      }
      if (process.env.INSTALL_TEST_TERRAFORM !== '1') return;
      // Terraform itself (the runner found the CLI and a provider mirror): Init through the command, in the terminal.
      const result = await vscode.commands.executeCommand<{ ok: boolean; exitCode?: number } | undefined>('lifecycleLab.terraform.init');
      if (!result?.ok) throw new Error(`Terraform Init failed (exit ${result?.exitCode}): ${api!.terraform.snapshot().transcript.slice(-1500)}`);
      for (const f of ['main.tf', '.terraform.lock.hcl', '.terraform']) {
        if (!fs.existsSync(path.join(location.workDir, f))) throw new Error(`no ${f} in the working folder ${location.workDir} after Init`);
      }
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }],
  ];
  try {
    for (const [title, body] of steps) {
      // A step after a failed one would only fail for that reason.
      if (!(await step(title, body))) break;
    }
  } finally {
    // The server stops with the editor's run: nothing of it outlives the test (the runner checks its pid file too).
    if (api) await step('Stop Local Lab', async () => { await vscode.commands.executeCommand('lifecycleLab.stopLocalLab'); });
    const file = process.env.EXT_TEST_RESULTS;
    if (file) {
      fs.writeFileSync(file, JSON.stringify({
        passed: results.filter((r) => r.state === 'passed').length, failed: results.filter((r) => r.state === 'failed').length, results,
      }, null, 2));
    }
  }
  if (results.some((r) => r.state === 'failed')) throw new Error('an install step failed');
}
