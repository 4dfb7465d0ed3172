import { SETTING_KEYS, settingEnvVar, type RawSettings } from '../core/config';
import { cliLabDir, recordLabDir } from '../core/lab/location';

/** The settings the CLI (and the benchmarks) read from LIFECYCLE_LAB_<KEY> variables; 'true'/'false' become booleans. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RawSettings {
  const raw: RawSettings = {};
  for (const key of SETTING_KEYS) {
    const v = env[settingEnvVar(key)];
    if (v !== undefined) raw[key] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return raw;
}

/**
 * The lab folder of the workspace at `cwd`, or undefined when LIFECYCLE_LAB_LOCAL_LABDIR says (the editor sets it in its
 * terminals): the one the editor recorded for that folder, as lab/location.ts decides. A folder the editor has never
 * recorded gets one in the user's state dir, recorded so the editor finds it too.
 */
export function labDirForCli(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[settingEnvVar('local.labDir')]?.trim()) return undefined;
  const found = cliLabDir(cwd, env);
  if (found.record) recordLabDir(cwd, found.labDir, env);
  return found.labDir;
}
