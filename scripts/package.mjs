#!/usr/bin/env node
/**
 * `npm run package`: one .vsix per platform DuckDB ships a binding for, in dist-vsix/.
 *   node scripts/package.mjs [--no-build] [--out DIR] [TARGET ...]     (default: all of TARGETS, into dist-vsix/)
 *
 * DuckDB's binding is native and stays outside the webpack bundle (which carries DuckDB's JavaScript API), so each vsix
 * carries @duckdb/node-bindings, detect-libc and the one @duckdb/node-bindings-<target> of its platform. Per target the script stages a copy of the
 * extension (the files `vsce ls` lists for this repository, without node_modules) plus those packages, unpacked from
 * tarballs that `npm pack` fetched into .cache/vsix at the versions package-lock.json pins (their sha512 checked
 * against the lock), and runs vsce there. The developer's own node_modules is only read for the vsce binary.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];
/** The packages webpack leaves external (webpack.config.js), that is, what the vsix needs in node_modules. */
const RUNTIME_PACKAGES = ['@duckdb/node-bindings', 'detect-libc'];
const cacheDir = path.join(root, '.cache', 'vsix');
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');

function fail(message) {
  console.error(`package: ERROR: ${message}`);
  process.exit(1);
}

function run(cmd, args, cwd, what) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal}):\n${(r.stderr || r.stdout || r.error?.message || '').trim()}`);
  return r.stdout;
}

const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
function locked(name) {
  const entry = lock.packages?.[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity) fail(`package-lock.json pins no version of ${name}; run npm install`);
  return entry;
}

/** The npm tarball of `name` at its locked version, fetched once into the cache and checked against the lock. */
function tarball(name) {
  const { version, integrity } = locked(name);
  fs.mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!fs.existsSync(file)) {
    console.log(`package: fetching ${name}@${version}`);
    run('npm', ['pack', `${name}@${version}`, '--pack-destination', cacheDir, '--silent'], cacheDir, `npm pack ${name}@${version}`);
    if (!fs.existsSync(file)) fail(`npm pack ${name}@${version} did not write ${file}`);
  }
  const [algo, expected] = integrity.split('-');
  const actual = createHash(algo).update(fs.readFileSync(file)).digest('base64');
  if (actual !== expected) {
    fs.rmSync(file);
    fail(`${path.basename(file)} does not match package-lock.json's integrity (${algo}); removed it, run again to fetch it anew`);
  }
  return file;
}

function unpack(name, stage) {
  const dir = path.join(stage, 'node_modules', ...name.split('/'));
  fs.mkdirSync(dir, { recursive: true });
  // npm tarballs hold the package under package/.
  run('tar', ['xzf', tarball(name), '-C', dir, '--strip-components=1'], root, `unpacking ${name}`);
}

/** The extension's own files as .vscodeignore selects them (no node_modules: those are staged per target). */
function extensionFiles() {
  return run(process.execPath, [vsce, 'ls', '--no-dependencies'], root, 'vsce ls').split('\n').map((l) => l.trim()).filter(Boolean);
}

/** package.json for the stage: dependencies are just the external runtime package, and vsce must not build again. */
function stagedManifest(manifest) {
  const staged = structuredClone(manifest);
  staged.dependencies = { '@duckdb/node-bindings': locked('@duckdb/node-bindings').version };
  delete staged.devDependencies;
  delete staged.scripts?.['vscode:prepublish'];
  return staged;
}

function packageTarget(target, files, manifest, outDir) {
  fs.mkdirSync(cacheDir, { recursive: true });
  // A folder of its own per run, so a test and a developer's `npm run package` can run at once.
  const stage = fs.mkdtempSync(path.join(cacheDir, `stage-${target}-`));
  try {
    return packageInStage(target, files, manifest, outDir, stage);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function packageInStage(target, files, manifest, outDir, stage) {
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(stage, f));
  }
  fs.copyFileSync(path.join(root, '.vscodeignore'), path.join(stage, '.vscodeignore'));
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(stagedManifest(manifest), null, 2)}\n`);
  for (const name of [...RUNTIME_PACKAGES, `@duckdb/node-bindings-${target}`]) unpack(name, stage);

  const out = path.join(outDir, `${manifest.name}-${manifest.version}-${target}.vsix`);
  fs.rmSync(out, { force: true });
  // With a repository in package.json vsce makes the README's relative links absolute (gallery-ready); without one
  // they stay relative and vsce must be told a repository is missing.
  const linkArgs = manifest.repository ? [] : ['--allow-missing-repository', '--no-rewrite-relative-links'];
  run(process.execPath, [vsce, 'package', '--target', target, ...linkArgs, '-o', out], stage, `vsce package --target ${target}`);
  return out;
}

function main() {
  const args = process.argv.slice(2);
  let build = true;
  let outDir = path.join(root, 'dist-vsix');
  const targets = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--no-build') build = false;
    else if (args[i] === '--out' && args[i + 1]) outDir = path.resolve(args[++i]);
    else if (args[i].startsWith('--')) fail(`unknown option ${args[i]} (expected --no-build, --out DIR)`);
    else targets.push(args[i]);
  }
  for (const t of targets) if (!TARGETS.includes(t)) fail(`unknown target ${t} (expected one of ${TARGETS.join(', ')})`);
  if (!fs.existsSync(vsce)) fail('@vscode/vsce is not installed; run npm ci');

  const t0 = Date.now();
  if (build) run('npm', ['run', 'build', '--silent'], root, 'npm run build');
  else if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) fail('dist/extension.js is missing; run npm run build (or drop --no-build)');
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const files = extensionFiles();
  fs.mkdirSync(outDir, { recursive: true });
  const rows = [];
  for (const target of targets.length ? targets : TARGETS) {
    const t = Date.now();
    const out = packageTarget(target, files, manifest, outDir);
    const mb = fs.statSync(out).size / 1e6;
    rows.push(`| ${target} | ${path.basename(out)} | ${mb.toFixed(1)} MB |`);
    console.log(`package: ${target}: ${out}, ${mb.toFixed(1)} MB (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
  console.log(['| target | vsix | size |', '| --- | --- | --- |', ...rows].join('\n'));
  console.log(`package: ${rows.length} vsix in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main();
