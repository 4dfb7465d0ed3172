/**
 * One run of a tests module in a throwaway code-server opened by Debian's Chromium, as the extension-test and the
 * install-test runners make it: a temp folder of the run's own (the editor's user data, extensions, XDG folders, the
 * code-server log, the browser console, the results file), code-server started in it and healthy, Chromium launched;
 * however the run ends, both stopped, the logs copied to the runner's log folder and the temp folder removed. Ctrl-C
 * does the same in a hurry (exitOnInterrupt).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, killGroup, launchChromium, startCodeServer, tail, waitForHealth, writeUserSettings } from './codeServer.mjs';

/** The runs an interrupt must clean up: made and not finished yet. */
const live = new Set();

export class WorkbenchRun {
  /** Makes the run's temp folder (`os.tmpdir()/<prefix>XXXXXX`) with empty logs. */
  constructor(prefix) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs = {
      userData: path.join(this.tmp, 'user-data'), extensions: path.join(this.tmp, 'extensions'), config: path.join(this.tmp, 'config.yaml'),
      xdg: path.join(this.tmp, 'xdg'), tmp: path.join(this.tmp, 'tmp'),
    };
    // Logs are written in the run's own folder (parallel runs don't mix) and copied to the runner's at the end.
    this.serverLog = path.join(this.tmp, 'code-server.log');
    this.consoleLog = path.join(this.tmp, 'browser-console.log');
    fs.writeFileSync(this.serverLog, '');
    fs.writeFileSync(this.consoleLog, '');
    this.resultsFile = path.join(this.tmp, 'results.json');
    this.child = undefined;
    this.browser = undefined;
    live.add(this);
  }

  /**
   * Writes the editor's user `settings`, starts code-server on a free port (`env` added to its environment; `cwd` its
   * working folder), waits until it answers (a minute at the most, never past `deadline`) and launches Chromium.
   * Resolves with the port.
   */
  async start({ root, settings, env = {}, logLevel, cwd, deadline }) {
    writeUserSettings(this.dirs.userData, settings);
    const port = await freePort();
    this.child = startCodeServer({ root, port, dirs: this.dirs, logFile: this.serverLog, logLevel, env, ...(cwd ? { cwd } : {}) });
    await waitForHealth(port, Math.min(deadline, Date.now() + 60_000), this.child);
    this.browser = await launchChromium();
    return port;
  }

  /** Closes the browser and stops code-server's whole process group; the temp folder stays. */
  async stop() {
    const { browser, child } = this;
    this.browser = undefined;
    this.child = undefined;
    if (browser) await browser.close().catch(() => {});
    if (child) await killGroup(child);
  }

  /** The tails of both logs, for a failure's report. */
  logTails() {
    return `--- code-server log (tail) ---\n${tail(this.serverLog)}\n--- browser console (tail) ---\n${tail(this.consoleLog, 20)}`;
  }

  /** Stops what runs, calls `cleanup(tmp)` (what the run started in its folder), keeps the logs in `logDir`, removes the folder. */
  async finish(logDir, cleanup = () => {}) {
    await this.stop();
    cleanup(this.tmp);
    fs.mkdirSync(logDir, { recursive: true });
    for (const log of [this.serverLog, this.consoleLog]) fs.copyFileSync(log, path.join(logDir, path.basename(log)));
    fs.rmSync(this.tmp, { recursive: true, force: true, maxRetries: 3 });
    live.delete(this);
  }
}

/**
 * On Ctrl-C or SIGTERM mid-run there is no time for the graceful path: code-server's group is killed, `cleanup(tmp)`
 * called, the temp folder removed, the summary line a runner ends with printed, and the process exits with 130.
 */
export function exitOnInterrupt(cleanup = () => {}) {
  const onInterrupt = () => {
    for (const run of live) {
      if (run.child) { try { process.kill(-run.child.pid, 'SIGKILL'); } catch { /* gone */ } }
      cleanup(run.tmp);
      fs.rmSync(run.tmp, { recursive: true, force: true });
    }
    console.log('0 passed, 1 failed');
    process.exit(130);
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
}
