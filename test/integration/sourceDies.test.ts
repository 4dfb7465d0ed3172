import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MysqlTarget } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { LocalLab } from '../../src/core/lab/localLab';
import { readLabTarget } from '../../src/core/lab/state';
import { leftoverRunDirs, readLakeLock } from '../../src/core/lake/lakeFiles';
import { manifestPath } from '../../src/core/lake/manifest';
import { findModelDir } from '../../src/core/lake/model';
import { runPipeline } from '../../src/core/lake/pipeline';
import type { PipelineEvent } from '../../src/core/run/events';
import { lastRunRecord } from '../../src/core/lake/runLog';
import { dumpFile, repoRoot } from './fixture';

/** Big enough that orderdetails (~60k rows) goes through the client route, small enough to generate in seconds. */
const SCALE = 20;

type KillPoint = (event: PipelineEvent) => boolean;
const KILL_POINTS: Record<string, KillPoint> = {
  'as the run starts (source step)': (e) => e.kind === 'stepStarted' && e.step === 'source',
  'as extraction starts': (e) => e.kind === 'stepStarted' && e.step === 'extract',
  'mid-extract, after the first table': (e) => e.kind === 'table' && e.step === 'extract',
};

/**
 * The source's MariaDB is killed (SIGKILL) while a run reads it: the run must fail promptly with the
 * source-unreachable message, never crash the process on an unhandled driver error, never hang, and leave the lake as
 * it was: no lock, no temp folder, the previous manifest untouched, the failure in the run log. A lab of its own, so
 * the shared one is never killed.
 */
suite('a source that dies mid-run', function () {
  this.timeout(300_000);
  let labDir: string;
  let lakeDir: string;
  let lab: LocalLab;
  let previousManifest: string;

  let serverPid: number | undefined;

  /** Brings the lab (back) up and notes its server's pid, so the kill itself is immediate. */
  async function target(): Promise<MysqlTarget> {
    serverPid = (await lab.up()).pid;
    const t = await readLabTarget(labDir);
    assert.ok(t && serverPid, 'the lab runs');
    return t;
  }

  function killServer(): boolean {
    process.kill(serverPid!, 'SIGKILL');
    return true;
  }

  async function assertLakeUntouched(): Promise<void> {
    assert.equal(await readLakeLock(lakeDir), undefined, 'the lock is released');
    assert.deepEqual(await leftoverRunDirs(lakeDir), [], 'no temp folders are left');
    assert.equal(await fs.readFile(manifestPath(lakeDir), 'utf8'), previousManifest, 'the previous lake is kept');
    const last = await lastRunRecord(lakeDir);
    assert.equal(last?.status, 'failed', 'the failure is in the run log');
  }

  suiteSetup(async () => {
    labDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-dies-'));
    lakeDir = path.join(labDir, 'lake');
    lab = new LocalLab({ labDir, dumpFile: dumpFile() });
    await lab.up({ scale: SCALE });
    await runPipeline({ target: await target(), lakeDir, modelDir: findModelDir(__dirname) });
    previousManifest = await fs.readFile(manifestPath(lakeDir), 'utf8');
  });

  suiteTeardown(async () => {
    await lab?.down().catch(() => undefined);
    if (labDir) await fs.rm(labDir, { recursive: true, force: true });
  });

  for (const route of ['client', 'driver'] as const) {
    for (const [when, killAt] of Object.entries(KILL_POINTS)) {
      test(`${route} route: killed ${when}, the run fails promptly naming the lost source and keeps the lake`, async () => {
        const t = await target();
        let killed = false;
        await assert.rejects(runPipeline({
          target: t, lakeDir, modelDir: findModelDir(__dirname), extractWith: route,
          // A stall would be caught by the watch too (as a timeout, which the assertion below refuses); a short one
          // keeps a regression from hanging the suite.
          stallTimeoutMs: 20_000,
          onEvent: (e) => { if (!killed && killAt(e)) killed = killServer(); },
        }), (err: unknown) => {
          assert.ok(err instanceof LabError, `a LabError, got ${String(err)}`);
          // unreachable, not the stall timer's timeout: the loss itself was noticed, without waiting.
          assert.equal(err.code, 'unreachable', `code ${err.code}: ${err.message}`);
          assert.match(err.message, /127\.0\.0\.1:\d+/, 'names the source');
          return true;
        });
        assert.ok(killed, 'the kill point was reached');
        await assertLakeUntouched();
      });
    }
  }

  test('the CLI: a killed source ends the run with the message and exit code 1, no crash, nothing left behind', async () => {
    for (const marker of [/Source/, /Extract/, /orderdetails|customers|products/]) {
      await target();
      const cli = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'lifecycle-lab.js'), 'pipeline', 'run'], {
        cwd: repoRoot(),
        env: { ...process.env, LIFECYCLE_LAB_LOCAL_LABDIR: labDir, LIFECYCLE_LAB_MODE: 'local' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let killed = false;
      cli.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!killed && marker.test(stderr)) {
          killed = killServer();
        }
      });
      const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
      assert.ok(killed, `the CLI printed ${marker} before the kill:\n${stderr}`);
      assert.equal(code, 1, `exit code 1 after ${marker}:\n${stderr}`);
      assert.doesNotMatch(stderr, /Unhandled 'error' event|ECONNRESET\n\s+at /, 'no crash');
      assert.match(stderr, /lifecycle-lab: .*(Lost the connection to the source|not reachable|refused|could not be reached|stopped)/i, stderr);
      await assertLakeUntouched();
    }
  });
});
