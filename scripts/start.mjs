#!/usr/bin/env node
/**
 * `npm start` (after `prestart` ran scripts/setup.sh): build, bring the local lab up, run the pipeline once, and
 * serve VS Code in the browser (code-server on 127.0.0.1) with this extension loaded, the repo opened as the
 * workspace and local mode set. Ctrl-C stops code-server and the lab.
 *   LAB_PORT   port for code-server (default 8080; the next free one if taken)
 * Editor state lives in .lab/code-server/ (git-ignored) and survives restarts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroup, OFFLINE_EDITOR_SETTINGS, startCodeServer, waitForHealth, workbenchUrl } from './lib/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = path.join(root, '.lab', 'code-server');
const cli = path.join(root, 'bin', 'lifecycle-lab.js');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

const say = (msg) => console.log(`start: ${msg}`);
const warn = (msg) => console.log(`start: WARNING: ${msg}`);

function runStep(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Whether the local lab runs now, from `lifecycle-lab lab status --json`. */
function labRunning() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'lab', 'status', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', () => resolve(false));
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '').running === true);
      } catch {
        resolve(false);
      }
    });
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function pickPort() {
  const wanted = Number(process.env.LAB_PORT || 8080);
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 65535) throw new Error(`LAB_PORT=${process.env.LAB_PORT} is not a port number`);
  for (let port = wanted; port < Math.min(wanted + 100, 65536); port++) {
    if (await portFree(port)) {
      if (port !== wanted) say(`port ${wanted} is in use; using ${port}`);
      return port;
    }
  }
  throw new Error(`no free port in ${wanted}..${wanted + 99}; set LAB_PORT to a free port`);
}

/** User settings: our defaults where the user has not chosen otherwise, and always local mode. */
function writeUserSettings(userData) {
  const file = path.join(userData, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let current = {};
  try {
    current = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    // missing, or hand-edited with comments: start from our defaults
  }
  const settings = {
    ...OFFLINE_EDITOR_SETTINGS,
    // The lab's datadir, lake and this editor state change constantly; watching them is wasted work.
    'files.watcherExclude': { '**/.lab/**': true, '**/node_modules/**': true },
    ...current,
    'lifecycleLab.mode': 'local',
  };
  fs.writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

/** Loads the extension from the repo itself: a link named the way an installed extension's folder is. */
function linkExtension(extensionsDir) {
  fs.mkdirSync(extensionsDir, { recursive: true });
  const name = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
  let stale = false;
  for (const entry of fs.readdirSync(extensionsDir)) {
    // Another version of this extension, or a link to this repo under an older publisher id (two ids, one extension).
    const linksHere = (() => {
      try {
        return fs.readlinkSync(path.join(extensionsDir, entry)) === root;
      } catch {
        return false;
      }
    })();
    if ((entry.startsWith(`${manifest.publisher}.${manifest.name}-`) || linksHere) && entry !== name) {
      fs.rmSync(path.join(extensionsDir, entry), { recursive: true, force: true });
      stale = true;
    }
  }
  // extensions.json is the editor's index of that folder; it is rebuilt from the folder when missing.
  if (stale) fs.rmSync(path.join(extensionsDir, 'extensions.json'), { force: true });
  const link = path.join(extensionsDir, name);
  let target;
  try {
    target = fs.readlinkSync(link);
  } catch {
    target = undefined;
  }
  if (target !== root) {
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(root, link, 'dir');
    fs.rmSync(path.join(extensionsDir, 'extensions.json'), { force: true });
  }
}

async function main() {
  say('building the extension (webpack)');
  if (await runStep(process.execPath, [path.join(root, 'node_modules', 'webpack', 'bin', 'webpack.js'), '--mode', 'production', '--no-stats']) !== 0) {
    throw new Error('the build failed (see above); fix it and run `npm start` again');
  }

  // A lab that already ran before `npm start` (another terminal, a test run) is left running on exit.
  const labWasRunning = await labRunning();
  say(labWasRunning ? 'the local lab is already running' : 'bringing the local lab up');
  let labUp = false;
  if (await runStep(process.execPath, [cli, 'lab', 'up']) === 0) labUp = true;
  else warn('`lifecycle-lab lab up` failed (see above); serving the editor anyway: use "Start Local Lab" in the Source view to retry');

  if (labUp) {
    say('running the pipeline once');
    if (await runStep(process.execPath, [cli, 'pipeline', 'run']) !== 0) {
      warn('`lifecycle-lab pipeline run` failed (see above); serving the editor anyway: use "Run Pipeline" in the Pipeline view to retry');
    }
  }

  const dirs = {
    userData: path.join(stateDir, 'user-data'), extensions: path.join(stateDir, 'extensions'), config: path.join(stateDir, 'config.yaml'),
    xdg: stateDir,
    // Sockets need a short path, so the temp dir stays in the system temp folder (removed on exit).
    tmp: fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-start-')),
  };
  writeUserSettings(dirs.userData);
  linkExtension(dirs.extensions);

  const port = await pickPort();
  const logFile = path.join(stateDir, 'code-server.log');
  fs.rmSync(logFile, { force: true });
  const server = startCodeServer({ root, port, dirs, logFile, ignoreLastOpened: false });

  let stopping;
  const stop = (reason, code) => {
    stopping ??= (async () => {
      say(`${reason}: stopping code-server and the lab`);
      await killGroup(server);
      // Also when `lab up` failed here: the lab may have been started from the editor since.
      if (labWasRunning) say('leaving the local lab running: it was running before `npm start` (stop it with `npm run lab -- down`)');
      else await runStep(process.execPath, [cli, 'lab', 'down']);
      fs.rmSync(dirs.tmp, { recursive: true, force: true });
      say('stopped');
      process.exit(code);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void stop('interrupted', 0));
  process.on('SIGTERM', () => void stop('terminated', 0));
  server.on('exit', (code, signal) => {
    if (!stopping) void stop(`code-server exited (${signal ?? code}; log: ${path.relative(root, logFile)})`, 1);
  });

  try {
    await waitForHealth(port, Date.now() + 60_000, server);
  } catch (err) {
    console.error(fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n'));
    await stop(`code-server did not start (${err.message})`, 1);
    return;
  }
  const url = workbenchUrl(port, root);
  say(`VS Code with Lifecycle Lab is at ${url}`);
  say(`code-server log: ${path.relative(root, logFile)}. Press Ctrl-C to stop everything.`);
}

main().catch((err) => {
  console.error(`start: ERROR: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
