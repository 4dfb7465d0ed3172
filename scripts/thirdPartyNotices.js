// @ts-check
'use strict';
/**
 * A webpack plugin that writes one third-party notices file for the npm packages webpack bundled, across all the
 * compilers of a multi-configuration build (webpack.config.js: the extension host, the webviews, the notebook
 * renderers). Give every configuration the same instance: each compiler reports, after it has emitted, the packages
 * whose modules ended up in its chunks (concatenated modules opened up, modules tree-shaken away not counted), and
 * once every compiler the instance was applied to has reported, the file is written (again only when its text
 * changes, so a watch rebuild of one configuration keeps it whole).
 *
 * A package is found from a module's resource path: the folder after its last `node_modules/` (two for a scope). Its
 * entry is its package.json's name, version and licence, then the text of each licence or notice file in its folder
 * (LICENSE, LICENCE, COPYING, NOTICE, with or without an extension). Packages whose texts are identical (most of the
 * AWS SDK's Apache-2.0 copies) share one block.
 */
const fs = require('node:fs');
const path = require('node:path');

const PLUGIN = 'ThirdPartyNoticesPlugin';
const LICENSE_FILE = /^(licen[cs]e|copying|notice)([.-][\w.-]*)?$/i;
const RULE = '='.repeat(80);
const THIN = '-'.repeat(80);

/**
 * The package folder a module file belongs to, or undefined for a file outside node_modules.
 * @param {string} file
 */
function packageRoot(file) {
  const parts = file.split(/[\\/]/);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  const depth = parts[i + 1].startsWith('@') ? 2 : 1;
  if (i + depth >= parts.length) return undefined;
  return parts.slice(0, i + 1 + depth).join(path.sep);
}

/**
 * The licence a package.json declares: `license` (a string, or the old `{ type }` form) or the old `licenses` list.
 * @param {any} json
 */
function declaredLicense(json) {
  const one = (/** @type {any} */ l) => (typeof l === 'string' ? l : l?.type);
  if (json.license) return one(json.license) ?? 'UNKNOWN';
  if (Array.isArray(json.licenses) && json.licenses.length) return json.licenses.map(one).join(' OR ');
  return 'UNKNOWN';
}

/** Line ends and trailing blanks do not make two licence texts different. @param {string} text */
function normalise(text) {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').trim();
}

/**
 * @typedef {{ name: string, version: string, license: string, files: { name: string, text: string }[] }} PackageInfo
 */

/** @param {string} root @returns {PackageInfo} */
function readPackage(root) {
  const json = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const files = fs.readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isFile() && LICENSE_FILE.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en'))
    .map((name) => ({ name, text: normalise(fs.readFileSync(path.join(root, name), 'utf8')) }));
  return { name: json.name, version: json.version, license: declaredLicense(json), files };
}

/**
 * Every module webpack put in a chunk, concatenated modules opened up.
 * @param {import('webpack').Compilation} compilation
 * @returns {Set<string>} the package folders they come from
 */
function bundledPackageRoots(compilation) {
  /** @type {Set<string>} */
  const roots = new Set();
  /** @param {any} module */
  const visit = (module) => {
    if (module.modules) for (const inner of module.modules) visit(inner);
    const root = typeof module.resource === 'string' ? packageRoot(module.resource) : undefined;
    if (root) roots.add(root);
  };
  for (const chunk of compilation.chunks) for (const module of compilation.chunkGraph.getChunkModulesIterable(chunk)) visit(module);
  return roots;
}

class ThirdPartyNoticesPlugin {
  /**
   * @param {{ file: string, title: string, note?: string }} options `file`: the absolute path to write; `title`: the
   *   first line; `note`: a paragraph after the introduction (e.g. what ships unbundled with its own licence).
   */
  constructor(options) {
    this.options = options;
    /** @type {Set<string>} the compilers this instance was applied to */
    this.compilers = new Set();
    /** @type {Map<string, Set<string>>} each compiler's bundled package folders, from its latest emit */
    this.reported = new Map();
    /** @type {Map<string, PackageInfo>} package folder -> what it says, read once per process */
    this.cache = new Map();
  }

  /** @param {import('webpack').Compiler} compiler */
  apply(compiler) {
    const key = compiler.name ?? `#${this.compilers.size}`;
    this.compilers.add(key);
    compiler.hooks.afterEmit.tapPromise(PLUGIN, async (compilation) => {
      this.reported.set(key, bundledPackageRoots(compilation));
      if (![...this.compilers].every((k) => this.reported.has(k))) return;
      const text = this.render(compilation);
      const fsOut = /** @type {any} */ (compiler.outputFileSystem);
      const current = await new Promise((resolve) => fsOut.readFile(this.options.file, (/** @type {any} */ err, /** @type {Buffer} */ data) => resolve(err ? undefined : data.toString('utf8'))));
      if (current === text) return;
      await new Promise((resolve, reject) => fsOut.mkdir(path.dirname(this.options.file), { recursive: true }, (/** @type {any} */ err) => (err ? reject(err) : resolve(undefined))));
      await new Promise((resolve, reject) => fsOut.writeFile(this.options.file, text, (/** @type {any} */ err) => (err ? reject(err) : resolve(undefined))));
    });
  }

  /**
   * The file's text for all that the compilers reported; a package with no licence at all is a warning on `compilation`.
   * @param {import('webpack').Compilation} compilation
   */
  render(compilation) {
    /** @type {Map<string, PackageInfo>} name@version -> package (a folder nested elsewhere at the same version counts once) */
    const packages = new Map();
    for (const roots of this.reported.values()) {
      for (const root of roots) {
        let info = this.cache.get(root);
        if (!info) this.cache.set(root, (info = readPackage(root)));
        packages.set(`${info.name}@${info.version}`, info);
      }
    }
    const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name, 'en') || a.version.localeCompare(b.version, 'en', { numeric: true }));

    /** @type {Map<string, PackageInfo[]>} the licence block's text -> the packages it is for */
    const blocks = new Map();
    for (const p of sorted) {
      if (!p.files.length && p.license === 'UNKNOWN') {
        compilation.warnings.push(new (compilation.compiler.webpack.WebpackError)(`${PLUGIN}: ${p.name}@${p.version} is bundled but declares no licence and has no licence file`));
      }
      const body = p.files.length
        ? p.files.map((f) => (p.files.length > 1 ? `${f.name}:\n\n${f.text}` : f.text)).join(`\n\n${THIN}\n`)
        : `(The package has no licence file; its package.json declares ${p.license}.)`;
      blocks.set(body, [...(blocks.get(body) ?? []), p]);
    }

    const intro = [
      this.options.title,
      '',
      wrap(`The bundled JavaScript in dist/ holds code of the ${sorted.length} npm packages below. Each is listed with its version and the `
        + 'licence its package.json declares, followed by the licence and notice files the package ships (packages whose files are identical '
        + 'share one copy).'),
      ...(this.options.note ? ['', wrap(this.options.note)] : []),
      '',
      ...sorted.map((p) => `  ${p.name} ${p.version} (${p.license})`),
    ];
    const sections = [...blocks].map(([body, ps]) => [RULE, ...ps.map((p) => `${p.name} ${p.version} (${p.license})`), THIN, '', body, ''].join('\n'));
    return `${[...intro, '', ...sections].join('\n').trimEnd()}\n`;
  }
}

/** @param {string} text */
function wrap(text, width = 100) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

module.exports = { ThirdPartyNoticesPlugin, packageRoot };
