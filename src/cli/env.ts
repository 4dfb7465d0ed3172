import { SETTING_KEYS, settingEnvVar, type RawSettings } from '../core/config';

/** The settings the CLI (and the benchmarks) read from LIFECYCLE_LAB_<KEY> variables; 'true'/'false' become booleans. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RawSettings {
  const raw: RawSettings = {};
  for (const key of SETTING_KEYS) {
    const v = env[settingEnvVar(key)];
    if (v !== undefined) raw[key] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return raw;
}
