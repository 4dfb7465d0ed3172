import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PipelineSnapshot } from '../../src/commands/pipeline';
import type { LifecycleLabApi } from '../../src/extension';
import { LocalLab } from '../../src/core/lab/localLab';
import { processAlive, readLabState } from '../../src/core/lab/state';
import { readLakeLock } from '../../src/core/lake/lakeFiles';
import { lastRunRecord } from '../../src/core/lake/runLog';

import { EXTENSION_ID } from './activation';

async function lastRun(): Promise<PipelineSnapshot> {
  const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
  assert.ok(ext);
  return (await ext.activate()).pipeline.snapshot();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The pipeline's failure paths in the editor, on a lab of their own (lifecycleLab.local.labDir, Global target) whose
 * server the tests kill: the view, the terminal and a notification must all tell the truth, and the view must never
 * be left at "Running…".
 */
suite('Pipeline faults', function () {
  this.timeout(300_000);
  let api: LifecycleLabApi;
  let labDir: string;
  let lab: LocalLab;
  let previous: string | undefined;
  let errors: { message: string; buttons: string[] }[] = [];
  const original = vscode.window.showErrorMessage;
  const config = () => vscode.workspace.getConfiguration('lifecycleLab');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<LifecycleLabApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-faults-'));
    lab = new LocalLab({ labDir, dumpFile: api.services.asset('data', 'mysqlsampledatabase.sql') });
    // Enough rows that extraction takes a moment (orderdetails goes through the MariaDB client).
    await lab.up({ scale: 20 });
    previous = config().inspect<string>('local.labDir')?.globalValue;
    await config().update('local.labDir', labDir, vscode.ConfigurationTarget.Global);
    assert.equal(api.services.config().local.labDir, labDir);
    // Notifications are what the user sees of a failure: record them (and answer none).
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string, ...buttons: string[]) => {
      errors.push({ message, buttons });
      return Promise.resolve(undefined);
    };
  });

  suiteTeardown(async () => {
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
    try {
      await lab.down();
    } finally {
      const state = await readLabState(labDir);
      if (state && processAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
      await config().update('local.labDir', previous, vscode.ConfigurationTarget.Global);
      await fs.rm(labDir, { recursive: true, force: true });
    }
  });

  setup(() => {
    errors = [];
  });

  test('a source killed just after Run Pipeline: the run fails on the lost connection in the view, the terminal and a notification', async () => {
    const pid = (await lab.up()).pid!;
    const run = vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    // Kill as soon as the run is reading the source, about where the hostile try killed it.
    await waitFor('the run to start', async () => ((await lastRun()).running ? true : undefined));
    process.kill(pid, 'SIGKILL');
    await run;
    const snapshot = await lastRun();
    assert.equal(snapshot.running, false, 'the view is not left running');
    assert.equal(snapshot.lastRun?.ok, false);
    const failedStep = snapshot.steps.find((s) => s.state === 'failed');
    assert.ok(failedStep && ['source', 'extract'].includes(failedStep.step), JSON.stringify(snapshot.steps));
    assert.match(failedStep.summary ?? '', /(Lost the connection to|not reachable|refused the connection)/);
    assert.ok(snapshot.transcript.some((l) => l.startsWith('FAILED')), snapshot.transcript.join('\n'));
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0].message, /^Pipeline run failed: .*127\.0\.0\.1:\d+/);
    assert.ok(errors[0].buttons.includes('Start Local Lab'), errors[0].buttons.join(', '));
    assert.equal(await readLakeLock(api.services.config().local.lakeDir), undefined, 'the lake lock is released');
  });

  test('a lake held by another live run: the view says so, offers Retry, and never stays "Running…"', async () => {
    await lab.up();
    const lakeDir = api.services.config().local.lakeDir;
    await fs.mkdir(lakeDir, { recursive: true });
    const holder: ChildProcess = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const startedAt = '2026-11-30T07:00:00.000Z';
      await fs.writeFile(path.join(lakeDir, '.pipeline.lock'), JSON.stringify({ pid: holder.pid, hostname: os.hostname(), startedAt }));
      await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
      const snapshot = await lastRun();
      assert.equal(snapshot.running, false);
      assert.equal(snapshot.lastRun?.ok, false);
      assert.match(snapshot.lastRun?.message ?? '', new RegExp(`Another run \\(process ${holder.pid}, started ${startedAt}\\) is writing the lake`));
      assert.equal(errors.length, 1);
      assert.ok(errors[0].buttons.includes('Retry'), errors[0].buttons.join(', '));
      assert.equal((await readLakeLock(lakeDir))?.pid, holder.pid, 'the other run keeps its lock');
      await vscode.commands.executeCommand('lifecycleLab.pipeline.refresh');
      assert.equal((await lastRun()).running, false, 'still truthful after Refresh');
    } finally {
      holder.kill('SIGKILL');
      await fs.rm(path.join(lakeDir, '.pipeline.lock'), { force: true });
    }
  });

  test('runs from the CLI show in the view with the counts an editor run shows, failed ones too', async () => {
    await lab.up();
    const lakeDir = api.services.config().local.lakeDir;
    await vscode.commands.executeCommand('lifecycleLab.pipeline.run');
    const editor = await lastRun();
    assert.equal(editor.lastRun?.ok, true, editor.lastRun?.message);

    const cli = (...args: string[]) => new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [api.services.asset('bin', 'lifecycle-lab.js'), 'pipeline', 'run', ...args], {
        env: { ...process.env, LIFECYCLE_LAB_LOCAL_LABDIR: labDir, LIFECYCLE_LAB_MODE: 'local' }, stdio: 'ignore',
      });
      child.on('close', resolve);
    });
    assert.equal(await cli(), 0);
    const record = await lastRunRecord(lakeDir);
    assert.equal(record?.origin, 'cli');
    const fromCli = await waitFor('the CLI run in the view', async () => {
      await vscode.commands.executeCommand('lifecycleLab.pipeline.refresh');
      const s = await lastRun();
      return s.lastRun?.runId === record?.runId ? s : undefined;
    }, 30_000, 200);
    // One meaning per count, whichever front end ran it.
    assert.deepEqual(fromCli.steps.map((s) => [s.step, s.state, s.rows]), editor.steps.map((s) => [s.step, s.state, s.rows]));

    assert.equal(await cli('--database', 'no_such_database'), 1);
    const failed = await waitFor('the failed CLI run in the view', async () => {
      const s = await lastRun();
      return s.lastRun && !s.lastRun.ok ? s : undefined;
    }, 30_000, 200);
    assert.match(failed.lastRun?.message ?? '', /no_such_database/);
    assert.equal(failed.steps.find((s) => s.step === 'source')?.state, 'failed');
  });
});
