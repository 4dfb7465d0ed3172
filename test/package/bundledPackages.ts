import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

/**
 * The npm packages the webpack build put into dist/, read from what the build wrote beside its bundles rather than
 * from webpack (the notices plugin asks webpack's chunk graph): each source map's `sources` names every module of its
 * bundle, `webpack://<name>/./node_modules/<package>/...` for a package's, `webpack://<name>/external commonjs "<x>"`
 * for what the bundle requires at run time.
 */
export interface BundledPackage {
  /** The package's folder, relative to the repository (e.g. `node_modules/mysql2/node_modules/iconv-lite`). */
  dir: string;
  name: string;
  version: string;
  license: string;
  /** Its licence and notice files (LICENSE, LICENCE, COPYING, NOTICE, any extension), by file name. */
  licenseFiles: Map<string, string>;
}

export const LICENSE_FILE = /^(licen[cs]e|copying|notice)([.-][\w.-]*)?$/i;

function sourceMaps(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceMaps(p) : e.name.endsWith('.js.map') ? [p] : [];
  });
}

/** The sources of every source map under `dist`, the `webpack://<name>/` prefix taken off. */
export function bundleSources(dist: string): string[] {
  const maps = sourceMaps(dist);
  if (!maps.length) throw new Error(`no source maps under ${dist}: run npm run build`);
  return maps.flatMap((m) => (JSON.parse(fs.readFileSync(m, 'utf8')) as { sources: string[] }).sources).map((s) => s.replace(/^webpack:\/\/[^/]*\//, ''));
}

/** The packages whose modules are in the bundles under `<root>/dist`, by folder. */
export function bundledPackages(root: string): BundledPackage[] {
  const dirs = new Set<string>();
  for (const source of bundleSources(path.join(root, 'dist'))) {
    const m = /^(?:\.\/)?((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(source);
    if (m) dirs.add(m[1]);
  }
  return [...dirs].sort().map((dir) => {
    const json = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string | { type: string } };
    const licenseFiles = new Map(fs.readdirSync(path.join(root, dir)).filter((f) => LICENSE_FILE.test(f)).map((f) => [f, fs.readFileSync(path.join(root, dir, f), 'utf8')]));
    return { dir, name: json.name, version: json.version, license: typeof json.license === 'string' ? json.license : json.license?.type ?? 'UNKNOWN', licenseFiles };
  });
}

/** The packages a bundle leaves to `require()` at run time (external, not Node's own modules nor the editor's API). */
export function externalPackages(root: string): string[] {
  const builtins = new Set(builtinModules);
  const names = bundleSources(path.join(root, 'dist')).map((s) => /^external [\w-]+ "([^"]+)"$/.exec(s)?.[1]).filter((x): x is string => !!x)
    .filter((x) => !x.startsWith('node:') && !builtins.has(x) && x !== 'vscode');
  return [...new Set(names)].sort();
}

/**
 * THIRD_PARTY_NOTICES.txt read back: each listed `name version` with its licence id and the text of its block (the
 * blocks are `====` rules, one or more `name version (licence)` lines, a `----` rule, then the licence texts).
 */
export function parseNotices(text: string): Map<string, { license: string; body: string }> {
  const entries = new Map<string, { license: string; body: string }>();
  for (const block of text.split(/^={80}$/m).slice(1)) {
    const [head, ...rest] = block.split(/^-{80}$/m);
    const body = rest.join('\n');
    for (const line of head.trim().split('\n')) {
      const m = /^(\S+) (\S+) \((.+)\)$/.exec(line);
      if (!m) throw new Error(`not a package line in THIRD_PARTY_NOTICES.txt: ${line}`);
      entries.set(`${m[1]} ${m[2]}`, { license: m[3], body });
    }
  }
  return entries;
}

/** Whitespace does not count when a licence text is looked for in the notices. */
export function squash(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\s+/g, ' ').trim();
}
