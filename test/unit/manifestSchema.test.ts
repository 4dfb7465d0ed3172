import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLakeManifest } from '../../src/core/run/manifest';

/**
 * The manifest has two schemas: valibot for the TypeScript readers (src/core/run/manifest.ts) and JSON Schema for the
 * Glue job (glue/manifest.schema.json, checked by the Glue job (glue/job_manifest.py) before it publishes). Both must accept and refuse the
 * same manifests: real ones written by each engine, and each of them broken one way.
 */
const ROOT = path.resolve(__dirname, '../../..');
const GLUE_DIR = path.join(ROOT, 'glue');
const FIXTURES = path.join(ROOT, 'test/fixtures/manifests');

type Json = Record<string, unknown>;
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Json;
const clone = <T>(value: T): T => structuredClone(value);

/** A copy of the manifest with one change at a path ("source.port"); undefined deletes the key. */
function changed(manifest: Json, at: string, value: unknown): Json {
  const copy = clone(manifest);
  const keys = at.split('.');
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return copy;
}

const local = read('local-run.json');
const glue = read('glue-run.json');

const ACCEPTED: Record<string, Json> = {
  'a manifest the local pipeline wrote': local,
  'a manifest the Glue job wrote (tables carry their location)': glue,
  'one with recorded dashboard answers': { ...clone(local), dashboard: { filterOptions: { countries: [] }, answers: {} } },
  'an older one without tests or parts': changed(changed(local, 'tests', undefined), 'tables.fact_orders.parts', undefined),
  'a warn check': changed(local, 'checks', [{ name: 'x', ok: true, expected: '0', actual: '2', message: 'm', warning: true }]),
};

const REFUSED: Record<string, Json> = {
  'no runId': changed(local, 'runId', undefined),
  'another model': changed(local, 'model', 'star-v2'),
  'a port as text': changed(glue, 'source.port', '3306'),
  'a fractional port': changed(local, 'source.port', 3306.5),
  'a negative row count': changed(local, 'tables.fact_orders.rows', -1),
  'a source count as text': changed(local, 'source.counts.orders', '326'),
  'a part without its checksum': changed(local, 'tables.fact_orders.parts', [{ file: 'part-0.parquet', bytes: 10 }]),
  'a table location that is not text': changed(glue, 'tables.fact_orders.location', 7),
  'a check without its message': changed(local, 'checks', [{ name: 'x', ok: true, expected: '1', actual: '1' }]),
  'ok as text': changed(local, 'ok', 'true'),
  'an unknown test kind': changed(local, 'tests', [{ ...(local.tests as Json[])[0], kind: 'fuzzy' }]),
  'a test sample holding an object': changed(local, 'tests', [{ ...(local.tests as Json[])[0], sample: [{ a: { b: 1 } }] }]),
  'tables as a list': changed(local, 'tables', []),
  'a warning flag as text': changed(local, 'checks', [{ name: 'x', ok: true, expected: '0', actual: '0', message: 'm', warning: 'yes' }]),
};

/** What job_manifest.manifest_problems says of each manifest: with jsonschema, and with its stdlib fallback. */
function pythonVerdicts(manifests: Json[], withoutJsonschema: boolean): string[][] {
  const script = [
    'import json, sys',
    withoutJsonschema ? "sys.modules['jsonschema'] = None" : '',
    'import job_manifest',
    'schema = json.load(open(job_manifest.MANIFEST_SCHEMA_FILE))',
    'print(json.dumps([job_manifest.manifest_problems(m, schema) for m in json.load(sys.stdin)]))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { cwd: GLUE_DIR, input: JSON.stringify(manifests), encoding: 'utf8' });
  assert.equal(r.status, 0, `python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

suite('lake manifest schema: valibot (TypeScript) and JSON Schema (the Glue job) agree', () => {
  const names = [...Object.keys(ACCEPTED), ...Object.keys(REFUSED)];
  const manifests = [...Object.values(ACCEPTED), ...Object.values(REFUSED)];
  const expected = names.map((name) => name in ACCEPTED);

  test('valibot accepts the written manifests and refuses each broken one', () => {
    const disagree = names.filter((name, i) => (parseLakeManifest(manifests[i]) !== undefined) !== expected[i]);
    assert.deepEqual(disagree, []);
  });

  for (const withoutJsonschema of [false, true]) {
    test(`the Glue job's check (${withoutJsonschema ? 'stdlib fallback' : 'jsonschema'}) gives the same verdicts`, () => {
      const verdicts = pythonVerdicts(manifests, withoutJsonschema);
      const disagree = names.flatMap((name, i) => ((verdicts[i].length === 0) !== expected[i] ? [`${name}: ${verdicts[i].join('; ') || 'accepted'}`] : []));
      assert.deepEqual(disagree, []);
    });
  }
});
