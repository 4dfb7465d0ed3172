import { LabError } from '../errors';

/** The module's outputs (terraform/outputs.tf) the editor keeps, and the setting each fills. */
export const OUTPUT_SETTINGS = {
  job_name: 'aws.glueJobName',
  catalog_database: 'aws.catalogDatabase',
  lake_path: 'aws.lakePath',
  athena_workgroup: 'aws.athenaWorkgroup',
  athena_result_location: 'aws.athenaOutputLocation',
} as const;

export type OutputSettingKey = (typeof OUTPUT_SETTINGS)[keyof typeof OUTPUT_SETTINGS];

export interface OutputsRead {
  /** Setting key (without `lifecycleLab.`) -> value. */
  settings: Partial<Record<OutputSettingKey, string>>;
  /** Output names seen, sensitive ones included (names only, for "Show Outputs" and the log). */
  names: string[];
  /** Outputs marked sensitive: never written anywhere, whatever their name. */
  sensitive: string[];
}

interface OutputJson {
  sensitive?: boolean;
  value?: unknown;
}

/**
 * The settings `terraform output -json` fills. That command prints sensitive outputs in clear, so only the known,
 * non-sensitive string outputs are kept; anything else is dropped here, before it can reach a setting or a log.
 * The module's `lake_path` names the gold/ folder; the setting is the lake's root (the job's --lake_path, under which
 * it writes gold/), so a trailing `gold/` is taken off.
 */
export function outputsToSettings(text: string): OutputsRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LabError('internal', 'terraform output -json did not print JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new LabError('internal', 'terraform output -json did not print an object of outputs.');
  const outputs = parsed as Record<string, OutputJson>;
  const read: OutputsRead = { settings: {}, names: Object.keys(outputs).sort(), sensitive: [] };
  for (const [name, output] of Object.entries(outputs)) {
    if (output?.sensitive !== false) {
      if (output?.sensitive) read.sensitive.push(name);
      continue; // sensitive, or no flag to go by
    }
    if (!Object.hasOwn(OUTPUT_SETTINGS, name) || typeof output.value !== 'string' || !output.value) continue;
    const key = OUTPUT_SETTINGS[name as keyof typeof OUTPUT_SETTINGS];
    const value = name === 'lake_path' ? output.value.replace(/\/gold\/?$/, '') : output.value;
    if ((key === 'aws.lakePath' || key === 'aws.athenaOutputLocation') && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/.test(value)) continue;
    read.settings[key] = value;
  }
  return read;
}
