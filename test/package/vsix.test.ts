import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsModeFiles } from './awsModeFiles';
import { bundledPackages, externalPackages, LICENSE_FILE, parseNotices, squash } from './bundledPackages';
import { Zip } from './zip';

/**
 * The platform packages `npm run package` builds (scripts/package.mjs): each vsix holds its own platform's DuckDB
 * binding and no other native file, and only what .vscodeignore lets in; this machine's own vsix runs a DuckDB query
 * from its node_modules. `npm test` packages win32-x64 (the smallest, and unlike this Linux machine, so a binding
 * leaking from the developer's node_modules would show) and this machine's target; `npm run test:package` all five.
 */
const root = path.resolve(__dirname, '..', '..', '..');
const ALL_TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];
/** This machine's target: its vsix is also loaded and asked a query. */
const HOST_TARGET = `${process.platform}-${process.arch}`;
const targets = process.env.LIFECYCLE_LAB_VSIX_TARGETS === 'all' ? ALL_TARGETS
  : (process.env.LIFECYCLE_LAB_VSIX_TARGETS ?? ['win32-x64', ...(ALL_TARGETS.includes(HOST_TARGET) ? [HOST_TARGET] : [])].join(',')).split(',');
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');

/** What a native file's header says it is built for: the format and the CPU, e.g. `elf-x64`, `macho-arm64`, `pe-x64`. */
export function nativeKind(bytes: Buffer): string {
  if (bytes.readUInt32BE(0) === 0x7f454c46) {
    const machine = bytes.readUInt16LE(18);
    return `elf-${({ 0x3e: 'x64', 0xb7: 'arm64' } as Record<number, string>)[machine] ?? `0x${machine.toString(16)}`}`;
  }
  if (bytes.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = bytes.readUInt32LE(4);
    return `macho-${({ 0x01000007: 'x64', 0x0100000c: 'arm64' } as Record<number, string>)[cpu] ?? `0x${cpu.toString(16)}`}`;
  }
  if (bytes.readUInt32BE(0) === 0xcafebabe) return 'macho-universal';
  if (bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    const machine = bytes.readUInt16LE(pe + 4);
    return `pe-${({ 0x8664: 'x64', 0xaa64: 'arm64' } as Record<number, string>)[machine] ?? `0x${machine.toString(16)}`}`;
  }
  return 'unknown';
}

const EXPECTED_KIND: Record<string, string> = {
  'linux-x64': 'elf-x64', 'linux-arm64': 'elf-arm64', 'darwin-x64': 'macho-x64', 'darwin-arm64': 'macho-arm64', 'win32-x64': 'pe-x64',
};
/** The binding's own library beside duckdb.node (the binding loads it from its folder). */
const LIBRARY: Record<string, string> = { linux: 'libduckdb.so', darwin: 'libduckdb.dylib', win32: 'duckdb.dll' };
const NATIVE = /\.(node|so(\.\d+)*|dylib|dll|exe)$/i;

/** Paths the vsix must never hold, whatever else .vscodeignore lets in. */
const NEVER = [/^src\//, /^test\//, /^bench\//, /^out\//, /^scripts\//, /^emulator\//, /^docs\/(?!screenshots\/[^/]+\.png$)/, /^\.lab/, /^\.cache\//,
  /^\.git\//, /^\.venv\//, /^vendor\//, /\.tfstate/, /\.tfvars$/, /\.tfplan$/, /\.map$/, /^\.vscode/, /\.ts$/, /\.vsix$/,
  // Of terraform/ only the module's own .tf files: not its tests, Terraform's working files (.terraform/, the lock
  // file, state) nor checkov's configuration; of glue/ not the tests, Spark's scratch folders or the local runner.
  /^terraform\/(?![^/]+\.tf$)/, /\.terraform/, /^glue\/(tests|spark-warehouse)\//, /^glue\/local_run\.py$/, /(^|\/)__pycache__\//];
/** The licence texts of the npm packages in the bundles (webpack.config.js, scripts/thirdPartyNotices.js). */
const NOTICES = 'dist/THIRD_PARTY_NOTICES.txt';
/** Packages known to be bundled: the list read from the source maps must hold them, or it reads nothing. */
const KNOWN_BUNDLED = ['@duckdb/node-api', 'mysql2', 'chart.js', 'valibot', 'yaml', '@aws-sdk/client-glue', '@aws-sdk/client-s3', '@smithy/core'];
/** The files an installed extension needs (besides DuckDB). */
const NEEDED = ['package.json', 'dist/extension.js', NOTICES, 'dist/webview/dashboard.js', 'dist/renderer/table.js', 'media/icon.png', 'media/icon.svg',
  'data/mysqlsampledatabase.sql', 'glue/sql/fact_orders.sql', 'CHANGELOG.md', ...readmeImages(),
  // AWS mode from the installed extension: the Terraform module and everything of glue/ it uploads.
  ...awsModeFiles(path.join(root, 'terraform'), path.join(root, 'glue'))];

/** The README's relative image links: shipped, so the installed extension's page shows them. */
function readmeImages(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((u) => !/^[a-z]+:/i.test(u));
}

function checkFileList(files: string[], where: string): void {
  for (const f of files) for (const re of NEVER) assert.ok(!re.test(f), `${where} lists ${f}, which .vscodeignore means to leave out (${re})`);
  for (const f of files.filter((x) => x.startsWith('node_modules/'))) {
    assert.match(f, /^node_modules\/(@duckdb\/node-bindings(-[a-z0-9-]+)?|detect-libc)\//, `${where} lists ${f}: only DuckDB's binding ships in node_modules`);
  }
  for (const f of NEEDED) assert.ok(files.includes(f), `${where} lacks ${f}`);
}

suite('platform packages (vsix)', function () {
  let outDir: string;

  suiteSetup(function () {
    this.timeout(120_000 * targets.length);
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-vsix-'));
    // --no-build: npm test's webpack step built dist/ just before; the script fails saying so when dist/ is missing.
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--no-build', '--out', outDir, ...targets], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `scripts/package.mjs failed:\n${r.stderr}\n${r.stdout}`);
  });

  suiteTeardown(() => {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  test(`${NOTICES} names every npm package the bundles hold, with its licence and its licence files' text`, () => {
    const packages = bundledPackages(root);
    const names = new Set(packages.map((p) => p.name));
    for (const known of KNOWN_BUNDLED) assert.ok(names.has(known), `the source maps in dist/ name no module of ${known}: is it still bundled?`);
    const notices = parseNotices(fs.readFileSync(path.join(root, NOTICES), 'utf8'));
    // Both sides are the modules in the bundles' chunks: the plugin's from webpack's chunk graph, these from the maps.
    assert.deepEqual([...notices.keys()].sort(), [...new Set(packages.map((p) => `${p.name} ${p.version}`))].sort(), `${NOTICES} lists exactly the bundled packages`);
    for (const p of packages) {
      const entry = notices.get(`${p.name} ${p.version}`)!;
      assert.equal(entry.license, p.license, `${p.name}'s licence as its package.json declares it`);
      const body = squash(entry.body);
      if (!p.licenseFiles.size) assert.ok(body.includes(`no licence file; its package.json declares ${p.license}`), `${p.name} has no licence file and ${NOTICES} says so`);
      for (const [file, text] of p.licenseFiles) assert.ok(body.includes(squash(text)), `${NOTICES} holds the text of ${p.dir}/${file}`);
    }
  });

  function vsixFor(target: string): Zip {
    const file = fs.readdirSync(outDir).find((f) => f.endsWith(`-${target}.vsix`));
    assert.ok(file, `no vsix for ${target} in ${fs.readdirSync(outDir).join(', ')}`);
    return Zip.open(path.join(outDir, file));
  }

  if (targets.includes(HOST_TARGET)) {
    test(`${HOST_TARGET} (this machine): DuckDB loads from the vsix's own node_modules and answers a query`, function () {
      this.timeout(30_000);
      const zip = vsixFor(HOST_TARGET);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-lab-vsix-load-'));
      try {
        for (const e of zip.entries.filter((x) => x.name.startsWith('extension/node_modules/') && !x.name.endsWith('/'))) {
          const to = path.join(dir, e.name.slice('extension/'.length));
          fs.mkdirSync(path.dirname(to), { recursive: true });
          fs.writeFileSync(to, zip.read(e.name));
        }
        // Run from that folder only: require() resolves @duckdb/node-bindings there, never in the repository's
        // node_modules. The extension's bundle calls it the same way (webpack.config.js keeps it external).
        const script = `const duckdb = require('@duckdb/node-bindings');
          (async () => { const result = await duckdb.query(await duckdb.connect(await duckdb.open(':memory:')), 'SELECT 6 * 7 AS answer');
            const data = duckdb.vector_get_data(duckdb.data_chunk_get_vector(await duckdb.fetch_chunk(result), 0), 4);
            console.log(JSON.stringify([{ [duckdb.column_name(result, 0)]: new Int32Array(data.buffer, data.byteOffset, 1)[0] }])); })();`;
        const r = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), [{ answer: 42 }]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  for (const target of targets) {
    test(`${target}: its own DuckDB binding, built for ${EXPECTED_KIND[target]}, and no other native file`, () => {
      const zip = vsixFor(target);
      const manifest = zip.read('extension.vsixmanifest').toString('utf8');
      assert.match(manifest, new RegExp(`TargetPlatform="${target}"`), 'the manifest names the target platform');

      const bindingDir = `extension/node_modules/@duckdb/node-bindings-${target}/`;
      const binding = `${bindingDir}duckdb.node`;
      const library = `${bindingDir}${LIBRARY[target.split('-')[0]]}`;
      const native = zip.entries.map((e) => e.name).filter((n) => NATIVE.test(n)).sort();
      assert.deepEqual(native, [binding, library].sort(), 'the native files are exactly the binding and its library');
      assert.equal(nativeKind(zip.read(binding)), EXPECTED_KIND[target], `${binding} is built for ${target}`);
      const bindingPackages = zip.entries.map((e) => /node_modules\/@duckdb\/(node-bindings-[^/]+)\//.exec(e.name)?.[1]).filter(Boolean);
      assert.deepEqual([...new Set(bindingPackages)], [`node-bindings-${target}`], 'one platform package');

      // The bundles' third-party notices ship as built; the packages that ship unbundled in node_modules (what the
      // bundles require at run time, and DuckDB's platform binding) carry their own licence file.
      assert.ok(zip.read(`extension/${NOTICES}`).equals(fs.readFileSync(path.join(root, NOTICES))), `the vsix's ${NOTICES} is dist's`);
      const shipped = new Set(zip.entries.map((e) => /^extension\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(e.name)?.[1]).filter((x): x is string => !!x));
      for (const external of externalPackages(root)) assert.ok(shipped.has(external), `the bundles require ${external} at run time and the vsix lacks it`);
      for (const pkg of shipped) {
        assert.ok(zip.entries.some((e) => e.name.startsWith(`extension/node_modules/${pkg}/`) && LICENSE_FILE.test(e.name.slice(`extension/node_modules/${pkg}/`.length))),
          `node_modules/${pkg} ships in the vsix without its licence file`);
      }

      checkFileList(zip.entries.map((e) => e.name).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length))
        .map((n) => (n === 'readme.md' ? 'README.md' : n === 'changelog.md' ? 'CHANGELOG.md' : n)), `the ${target} vsix`);
    });
  }

  test('`vsce ls` in the repository lists only what .vscodeignore intends', function () {
    this.timeout(60_000);
    const r = spawnSync(process.execPath, [vsce, 'ls'], { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    assert.equal(r.status, 0, r.stderr);
    checkFileList(r.stdout.split('\n').map((l) => l.trim()).filter(Boolean), 'vsce ls');
  });
});
