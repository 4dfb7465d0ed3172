#!/usr/bin/env node
/**
 * `npm run test:install`: Lifecycle Lab as a new user gets it. The linux-x64 vsix (built by scripts/package.mjs) is
 * installed into a bare code-server (its own user data, extensions and XDG folders, all in a temp dir) and a folder of
 * the user's own is opened. A driver extension with no code of its own (test/install/cleanFolder.ts is its tests
 * module) runs Start Local Lab, Run Pipeline, Open Dashboard (every card drawn) and Open Lab Notebook on the
 * installed extension, checks that AWS mode's Terraform module and Glue job resolve from the install path (and, with the
 * Terraform CLI and a provider mirror on the machine, runs Terraform Init, whose files go to the lab's folder), then
 * Stop Local Lab. The user's folder and the installed extension's folder are listed recursively before and after: any
 * new file or folder in either fails the run. Prints one line per check and `N passed, N failed` last; exits 0 only
 * when all passed.
 *   node scripts/run-install-test.mjs [--no-build] [--vsix FILE]
 *     --no-build   package dist/ as it is (npm test has just built it)
 *     --vsix FILE  test this vsix instead of packaging one (e.g. one built from an older commit)
 *   INSTALL_TEST_TIMEOUT_S  watchdog (default 600)
 *   INSTALL_TEST_LOG        where code-server's log and the browser console go (default .cache/install-test-logs)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { codeServerEntry, codeServerMissing, codeServerNode, OFFLINE_EDITOR_SETTINGS, runTestsInWorkbench, tail, workbenchUrl } from './lib/codeServer.mjs';
import { exitOnInterrupt, WorkbenchRun } from './lib/workbenchRun.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const timeoutS = Number(process.env.INSTALL_TEST_TIMEOUT_S || 600);
const logDir = path.resolve(process.env.INSTALL_TEST_LOG || path.join(root, '.cache', 'install-test-logs'));
const driverTests = path.join(root, 'out', 'test', 'install', 'cleanFolder.js');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const extensionId = `${manifest.publisher}.${manifest.name}`;
const started = Date.now();
const lines = [];
let passed = 0;
let failed = 0;

function record(ok, title, detail) {
  if (ok) passed++;
  else failed++;
  lines.push(`${ok ? 'PASS' : 'FAIL'} install: ${title}`);
  if (!ok && detail) lines.push(String(detail).trimEnd().split('\n').map((l) => `    ${l}`).join('\n'));
}

/** Every file and folder under `dir`, as relative paths (folders end in /), sorted. */
function listTree(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const rel = path.relative(dir, path.join(d, entry.name));
      if (entry.isDirectory()) {
        out.push(`${rel}/`);
        walk(path.join(d, entry.name));
      } else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/** A MariaDB the extension started under `dir` and did not stop (a failed run): stopped here, by its pid file. */
function stopLeftoverServers(dir) {
  const pidFiles = [];
  const walk = (d) => {
    let entries = [];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && !e.isSymbolicLink()) walk(p);
      else if (e.name === 'mysqld.pid') pidFiles.push(p);
    }
  };
  walk(dir);
  for (const file of pidFiles) {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    let cmdline = '';
    try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    // Only a server on a datadir of this run's temp dir.
    if (!cmdline.includes(dir)) continue;
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    lines.push(`NOTE install: stopped a MariaDB left running (pid ${pid}, ${path.relative(dir, file)})`);
  }
}

/**
 * Terraform for the driver's Init step: the CLI on PATH and the machine's provider mirror (test/iac/tools.ts, compiled
 * to out/), through the test's own CLI configuration, offline; without them the step checks the module's location only.
 */
function terraformForTest() {
  try {
    const tools = createRequire(import.meta.url)(path.join(root, 'out', 'test', 'iac', 'tools.js'));
    if (!tools.terraformAvailable()) return { why: 'no terraform on PATH or no provider mirror' };
    const { TF_CLI_CONFIG_FILE } = tools.terraformEnv();
    return { env: { INSTALL_TEST_TERRAFORM: '1', TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE: '1', AWS_EC2_METADATA_DISABLED: 'true' } };
  } catch (err) {
    return { why: err instanceof Error ? err.message : String(err) };
  }
}

function buildVsix(outDir, build) {
  const args = [path.join(root, 'scripts', 'package.mjs'), 'linux-x64', '--out', outDir, ...(build ? [] : ['--no-build'])];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`npm run package (linux-x64) failed:\n${(r.stderr || r.stdout).trim()}`);
  const vsix = fs.readdirSync(outDir).find((f) => f.endsWith('-linux-x64.vsix'));
  if (!vsix) throw new Error(`scripts/package.mjs wrote no linux-x64 vsix into ${outDir}`);
  return path.join(outDir, vsix);
}

async function main() {
  const args = process.argv.slice(2);
  const build = !args.includes('--no-build');
  const vsixArg = args.includes('--vsix') ? path.resolve(args[args.indexOf('--vsix') + 1] ?? '') : undefined;
  if (!fs.existsSync(driverTests)) throw new Error(`${path.relative(root, driverTests)} is missing: run \`npx tsc -p .\` first`);
  const missing = codeServerMissing(root);
  if (missing) throw new Error(missing);

  const run = new WorkbenchRun('lifecycle-lab-install-');
  const { tmp, dirs, resultsFile } = run;
  const home = path.join(tmp, 'home');
  // The user's own folder: a few files of theirs, nothing of the lab.
  const folder = path.join(home, 'my-project');
  fs.mkdirSync(path.join(folder, 'src'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'README.md'), '# My project\n');
  fs.writeFileSync(path.join(folder, 'src', 'app.py'), 'print("hello")\n');
  const driver = path.join(tmp, 'driver');
  fs.mkdirSync(driver);
  fs.writeFileSync(path.join(driver, 'package.json'), JSON.stringify({
    name: 'lifecycle-lab-install-driver', publisher: 'tests', version: '0.0.0', engines: { vscode: manifest.engines.vscode },
  }));
  let exitCode = 1;
  try {
    const t0 = Date.now();
    const vsix = vsixArg ?? buildVsix(path.join(tmp, 'vsix'), build);
    lines.push(`  vsix: ${path.basename(vsix)}, ${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB${vsixArg ? '' : ` (packaged in ${((Date.now() - t0) / 1000).toFixed(1)} s)`}`);

    const install = spawnSync(codeServerNode(root), [codeServerEntry(root), '--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData],
      { cwd: home, encoding: 'utf8', env: { ...process.env, HOME: home } });
    const installed = install.status === 0 && fs.readdirSync(dirs.extensions).some((d) => d.startsWith(`${extensionId}-`));
    record(installed, `code-server --install-extension ${path.basename(vsix)}`, `${install.stdout}\n${install.stderr}`);
    if (!installed) return 1;

    const before = listTree(folder);
    // The install path may be read-only: nothing the extension does may write there (Terraform's files go to the lab's folder).
    const extensionDir = path.join(dirs.extensions, fs.readdirSync(dirs.extensions).find((d) => d.startsWith(`${extensionId}-`)));
    const installedBefore = listTree(extensionDir);
    const terraform = terraformForTest();
    if (!terraform.env) lines.push(`NOTE install: Terraform Init not run (${terraform.why}); the module's location is still checked`);
    // A new user's settings: none of Lifecycle Lab's (the editor's own offline ones only).
    const editorSettings = Object.fromEntries(Object.entries(OFFLINE_EDITOR_SETTINGS).filter(([k]) => !k.startsWith('lifecycleLab.')));
    const deadline = started + timeoutS * 1000;
    const port = await run.start({
      root, settings: editorSettings, deadline,
      env: {
        HOME: home,
        EXT_TEST_RESULTS: resultsFile, INSTALL_TEST_EXTENSION_ID: extensionId, INSTALL_TEST_EXTENSIONS_DIR: dirs.extensions,
        // The dashboard reports what each card drew only when asked (test and bench hooks).
        LIFECYCLE_LAB_TEST_HOOKS: '1',
        ...(terraform.env ?? {}),
      },
    });
    const url = workbenchUrl(port, folder, [['extensionDevelopmentPath', driver], ['extensionTestsPath', driverTests]]);
    const code = await runTestsInWorkbench(run.browser, { url, consoleLog: run.consoleLog, deadline });
    if (code === 'timeout') throw new Error(`the install test did not finish within ${timeoutS} s (INSTALL_TEST_TIMEOUT_S)`);

    const results = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')).results : [];
    for (const r of results) record(r.state === 'passed', `${r.title} (${r.durationMs} ms)`, r.error);
    if (!results.length) record(false, `the driver recorded no step (host exit code ${code})`, tail(run.consoleLog, 30));
    else if (code !== 0 && results.every((r) => r.state === 'passed')) record(false, `the extension host exited with code ${code}`);

    await run.stop();
    stopLeftoverServers(tmp);
    const after = listTree(folder);
    const added = after.filter((p) => !before.includes(p));
    record(added.length === 0, `the user's folder holds nothing new (${before.length} entries before, ${after.length} after)`,
      `new in ${folder}: ${added.length} entries, first: ${added.slice(0, 15).join(', ')}`);
    const installedAfter = listTree(extensionDir);
    const written = installedAfter.filter((p) => !installedBefore.includes(p));
    record(written.length === 0, `the install path holds nothing new (${installedBefore.length} entries before, ${installedAfter.length} after)`,
      `new in ${extensionDir}: ${written.slice(0, 15).join(', ')}`);
    exitCode = failed === 0 && passed > 0 ? 0 : 1;
  } catch (err) {
    record(false, err instanceof Error ? err.message : String(err), run.logTails());
    exitCode = 1;
  } finally {
    await run.finish(logDir, stopLeftoverServers);
  }
  return exitCode;
}

exitOnInterrupt(stopLeftoverServers);
const code = await main().catch((err) => {
  record(false, 'the runner crashed', err?.stack ?? String(err));
  return 1;
});
for (const l of lines) console.log(l);
console.log(`install test: ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${path.relative(root, logDir)}/`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = code;
