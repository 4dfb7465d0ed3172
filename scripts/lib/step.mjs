/**
 * One step of `npm test` as a child process, with a watchdog: a step still running after its limit (a test that never
 * ends, or a handle left open after the last test, which keeps mocha alive) is stopped, SIGTERM then SIGKILL, and
 * says so, so a hang fails the run with a clear message instead of running into CI's own limit.
 */
import { spawn } from 'node:child_process';

/**
 * Seconds a step may run before the watchdog stops it: TEST_STEP_TIMEOUT_S, default 25 min (above the extension-host
 * runner's own 20, so its clearer message comes first).
 */
export function stepLimitSeconds(env = process.env) {
  const raw = env.TEST_STEP_TIMEOUT_S;
  if (raw === undefined || raw === '') return 1500;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`TEST_STEP_TIMEOUT_S must be a positive number of seconds, not "${raw}"`);
  return s;
}

/**
 * Runs a command to its end or to the watchdog. `live` streams its output as well as capturing it.
 * Resolves { code, output, timedOut }; `code` is 128 when the process ended on a signal.
 */
export function runStep(cmd, args, { cwd, env = process.env, live = false, limitS = stepLimitSeconds(), graceMs = 10_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    let killTimer;
    const onData = (stream) => (chunk) => {
      output += chunk;
      if (live) stream.write(chunk);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    const watchdog = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    }, limitS * 1000);
    const done = (result) => {
      clearTimeout(watchdog);
      clearTimeout(killTimer);
      resolve({ ...result, timedOut });
    };
    child.on('error', (err) => done({ code: 127, output: `${output}\n${err.message}` }));
    child.on('close', (code, signal) => done({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** The line a step stopped by the watchdog adds to its failure. */
export function watchdogText(limitS) {
  return `still running after ${limitS} s: stopped by the watchdog (TEST_STEP_TIMEOUT_S). A test that never ends, or a ` +
    'handle left open after the last test (a server, a socket, a timer), keeps the process alive.';
}
