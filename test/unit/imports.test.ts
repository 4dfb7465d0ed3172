import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The import rules of the architecture, checked on src/ as TypeScript reads it (static, type-only and dynamic imports
 * alike): no circle; core imports neither vscode nor the editor layer; the dashboard and the query engines do not
 * import the AWS engine; the local engine (lake/) does not import the dashboard (the backend hands it the recorder);
 * the query engines and the dashboard do not import the local engine (the backend hands the lake engine its integrity
 * check and the dashboard its manifest and damage readers).
 */
const SRC = path.resolve(__dirname, '../../../src');
const EDITOR = ['commands', 'views', 'webview', 'notebook', 'terminals'];

type Graph = Map<string, string[]>;

function importGraph(root: string): Graph {
  const graph: Graph = new Map();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const deps = ts.preProcessFile(fs.readFileSync(full, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
        graph.set(path.relative(root, full), deps.map((d) => resolve(root, full, d)));
      }
    }
  };
  walk(root);
  return graph;
}

/** A relative import as the file it names (relative to root), anything else (a package) as itself. */
function resolve(root: string, from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const base = path.resolve(path.dirname(from), spec);
  const file = fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts');
  return path.relative(root, file);
}

/** Every circle, as the files in it (Tarjan's strongly connected components of more than one file, or a self-import). */
function circles(graph: Graph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}

/** The imports that go against the layering, as "from -> to". */
function layerViolations(graph: Graph): string[] {
  const out: string[] = [];
  const inDir = (file: string, dir: string) => file.split(path.sep).join('/').startsWith(`${dir}/`);
  for (const [from, deps] of graph) {
    for (const to of deps) {
      const bad = (inDir(from, 'core') && (to === 'vscode' || EDITOR.some((d) => inDir(to, d))))
        || ((inDir(from, 'core/dashboard') || inDir(from, 'core/query')) && inDir(to, 'core/aws'))
        || (inDir(from, 'core/lake') && inDir(to, 'core/dashboard'))
        || ((inDir(from, 'core/query') || inDir(from, 'core/dashboard')) && inDir(to, 'core/lake'));
      if (bad) out.push(`${from} -> ${to}`);
    }
  }
  return out;
}

suite('import rules of src/', () => {
  test('the checks find what they look for (a circle, core importing the editor or vscode, a dashboard importing aws, the lake the dashboard, a query engine or the dashboard the lake)', () => {
    const planted: Graph = new Map([
      ['core/a.ts', ['core/b.ts']],
      ['core/b.ts', ['core/a.ts', 'vscode']],
      ['core/c.ts', ['views/tree.ts']],
      ['core/dashboard/d.ts', ['core/aws/athena.ts']],
      ['views/tree.ts', ['core/a.ts']],
      ['core/aws/athena.ts', []],
      ['core/lake/steps.ts', ['core/dashboard/service.ts']],
      ['core/dashboard/service.ts', ['core/lake/manifest.ts']],
      ['core/query/duckdb.ts', ['core/lake/verify.ts']],
      ['core/lake/verify.ts', []],
      ['core/lake/manifest.ts', []],
    ]);
    assert.deepEqual(circles(planted), [['core/a.ts', 'core/b.ts']]);
    assert.deepEqual(layerViolations(planted).sort(), ['core/b.ts -> vscode', 'core/c.ts -> views/tree.ts', 'core/dashboard/d.ts -> core/aws/athena.ts',
      'core/dashboard/service.ts -> core/lake/manifest.ts', 'core/lake/steps.ts -> core/dashboard/service.ts', 'core/query/duckdb.ts -> core/lake/verify.ts']);
  });

  test('no import circle anywhere in src/ (type-only and dynamic imports count)', () => {
    const graph = importGraph(SRC);
    assert.ok(graph.size > 100, `read ${graph.size} files`);
    assert.deepEqual(circles(graph), []);
  });

  test('core imports neither vscode nor the editor layer; the dashboard and the query engines not the AWS engine; the lake not the dashboard; the query engines and the dashboard not the lake', () => {
    assert.deepEqual(layerViolations(importGraph(SRC)), []);
  });
});
