import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULTS, resolveLabConfig, SETTING_KEYS } from '../../src/core/config';
import { LabError } from '../../src/core/errors';

interface Contributed {
  type: string;
  default: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
}

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Contributed> } };
};
const contributed = Object.fromEntries(
  Object.entries(manifest.contributes.configuration.properties).map(([key, value]) => [key.replace(/^lifecycleLab\./, ''), value]),
);

/** DEFAULTS as `group.key` -> value, the way settings are named. */
function flatDefaults(): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [group, value] of Object.entries(DEFAULTS)) {
    if (value !== null && typeof value === 'object') for (const [key, v] of Object.entries(value)) flat[`${group}.${key}`] = v;
    else flat[group] = value;
  }
  return flat;
}

/**
 * The settings the editor offers (package.json) and the ones core reads (config.ts) are the same, with the same
 * defaults, and core accepts exactly what the editor's schema allows.
 */
suite('settings: package.json and config.ts agree', () => {
  test('the same keys on both sides', () => {
    assert.deepEqual(Object.keys(contributed).sort(), [...SETTING_KEYS].sort());
  });

  test('the same defaults', () => {
    const defaults = flatDefaults();
    for (const key of SETTING_KEYS) assert.deepEqual(contributed[key].default, defaults[key], `default of ${key}`);
  });

  test('each enum value is accepted and anything else refused, naming the setting', () => {
    for (const [key, spec] of Object.entries(contributed).filter(([, s]) => s.enum)) {
      for (const value of spec.enum!) assert.doesNotThrow(() => resolveLabConfig({ [key]: value }, '/'), `${key}=${value}`);
      assert.throws(() => resolveLabConfig({ [key]: 'not-a-choice' }, '/'),
        (e: unknown) => e instanceof LabError && e.nextStep?.setting === `lifecycleLab.${key}`, `${key} refuses other values`);
    }
  });

  test('integer ranges match: the bounds are accepted, one beyond each is refused', () => {
    for (const [key, spec] of Object.entries(contributed).filter(([, s]) => s.type === 'integer')) {
      assert.ok(spec.minimum !== undefined && spec.maximum !== undefined, `${key} declares its range`);
      for (const ok of [spec.minimum!, spec.maximum!]) assert.doesNotThrow(() => resolveLabConfig({ [key]: ok }, '/'), `${key}=${ok}`);
      for (const bad of [spec.minimum! - 1, spec.maximum! + 1]) {
        assert.throws(() => resolveLabConfig({ [key]: bad }, '/'), (e: unknown) => e instanceof LabError && e.nextStep?.setting === `lifecycleLab.${key}`, `${key}=${bad}`);
      }
    }
  });
});

suite('guardrails: the lint config', () => {
  test('every package the lint config imports is a declared dev dependency', () => {
    const config = fs.readFileSync(path.resolve(__dirname, '../../../eslint.config.mjs'), 'utf8');
    const imported = [...config.matchAll(/^import\s+[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    assert.ok(imported.length >= 3, `found the imports: ${imported.join(', ')}`);
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const name of imported) assert.ok(pkg.devDependencies[name], `${name} is imported by eslint.config.mjs but not in devDependencies`);
  });
});
