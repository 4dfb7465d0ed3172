import * as path from 'node:path';
import { LabError } from './errors';
import { lakePathProblem } from './lake/lakePath';

export type LabMode = 'local' | 'aws';
export type TlsMode = 'auto' | 'require' | 'off';

/** A MySQL/MariaDB endpoint without its password (passwords never live in config). */
export interface MysqlSettings {
  /** Empty string: use the local lab database (local mode only). */
  host: string;
  port: number;
  user: string;
  database: string;
  tls: TlsMode;
  caBundlePath: string;
}

/** Everything needed to open a connection. Built at connect time from settings + secret, or from the lab state. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  tls: TlsMode;
  caBundlePath?: string;
  /** Where the target came from, for messages ("local lab", "settings"). */
  origin: 'local-lab' | 'settings';
}

export interface AwsSettings {
  region: string;
  profile: string;
  /** Endpoint override for every client (moto in tests); empty for the real AWS endpoints. */
  endpoint: string;
  rdsInstanceId: string;
  /** Start Emulated AWS: an existing Trino coordinator for the emulator's Athena; empty starts a local one. */
  emulatorTrinoUrl?: string;
  /**
   * Static keys for the SDK clients, never read from settings: set by the editor (LabServices) only while the endpoint
   * is the running emulated AWS's (which takes any keys), so real AWS and other endpoints keep the default chain.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The Glue job AWS mode's pipeline runs, and where it writes the lake. */
export interface GlueSettings {
  /** StartJobRun's job (`aws.glueJobName`). */
  jobName: string;
  /** s3://bucket[/prefix] of the lake, where the job writes `gold/_manifest.json`; empty: the job's own `--lake_path`. */
  lakePath: string;
}

/** Athena over the lake's Glue Data Catalog database (AWS mode's query engine). */
export interface AthenaSettings {
  workgroup: string;
  /** The Glue Data Catalog database the pipeline publishes to (Terraform's `catalog_database` output). */
  database: string;
  /** s3://... for query results; empty uses the workgroup's own result location. */
  outputLocation: string;
  /** Estimated cost per TB scanned, shown on each dashboard card. */
  costPerTbUsd: number;
}

/** The Glue connection the job reaches the source through, and whether Run Pipeline checks its network first. */
export interface PreflightSettings {
  /** The Glue JDBC connection (`aws.glueConnectionName`; the Terraform module's `<project>-source-connection`). */
  connectionName: string;
  /** Run the network preflight before each Glue run and stop at a failing check (`aws.preflightBeforeRun`). */
  beforeRun: boolean;
}

export interface LocalSettings {
  /** Absolute path of the lab folder (database, state, lake). */
  labDir: string;
  /** Absolute path of the local Parquet lake. */
  lakeDir: string;
  /** 0: pick a free port. */
  port: number;
}

/** Terraform from the editor: where the module is, and non-secret variables the user set (see core/terraform). */
export interface TerraformSettings {
  /** Absolute path of the Terraform module (`terraform.moduleDir`, default the workspace's `terraform/`). */
  moduleDir: string;
  /** Extra module variables (name -> value), passed as TF_VAR_*; never the password. */
  variables: Record<string, string>;
}

export interface PipelineSettings {
  /** A run whose source sends nothing and answers no ping for this long fails instead of waiting forever. */
  stallTimeoutMs: number;
}

export interface LabConfig {
  mode: LabMode;
  /** Absolute path of the project/workspace root that relative paths are resolved against. */
  root: string;
  mysql: MysqlSettings;
  showSystemSchemas: boolean;
  aws: AwsSettings;
  glue: GlueSettings;
  athena: AthenaSettings;
  preflight: PreflightSettings;
  local: LocalSettings;
  pipeline: PipelineSettings;
  terraform: TerraformSettings;
}

/** Raw values as a settings store hands them over (`lifecycleLab.` prefix stripped), all optional. */
export type RawSettings = Record<string, unknown>;

/**
 * The settings' defaults, in their one home. package.json's contributes.configuration repeats each for the editor's
 * Settings UI (it cannot import code); test/unit/settings.test.ts fails when a default there differs from this one.
 */
export const DEFAULTS = {
  mode: 'local' as LabMode,
  mysql: { host: '', port: 3306, user: 'admin', database: 'classicmodels', tls: 'auto' as TlsMode, caBundlePath: '' },
  aws: { region: 'us-east-1', profile: '', endpoint: '', rdsInstanceId: 'de-c1w2-rds', glueJobName: 'de-c1w2-etl-job', lakePath: '',
    athenaWorkgroup: 'de-c1w2-workgroup', catalogDatabase: 'de_c1w2_lake', athenaOutputLocation: '', athenaCostPerTbUsd: 5,
    glueConnectionName: 'de-c1w2-source-connection', preflightBeforeRun: true, emulatorTrinoUrl: '' },
  local: { labDir: '.lab', lakeDir: '', port: 0 },
  pipeline: { stallTimeoutSeconds: 60 },
  source: { showSystemSchemas: false },
  terraform: { moduleDir: 'terraform', variables: {} as Record<string, string> },
};

function str(raw: RawSettings, key: string, fallback: string): string {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw invalid(key, 'a string', raw);
  return v.trim();
}

function int(raw: RawSettings, key: string, fallback: number, min: number, max: number): number {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(key, `a whole number from ${min} to ${max}`, raw);
  return n;
}

function num(raw: RawSettings, key: string, fallback: number, min: number, max: number): number {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw invalid(key, `a number from ${min} to ${max}`, raw);
  return n;
}

function oneOf<T extends string>(raw: RawSettings, key: string, fallback: T, allowed: readonly T[]): T {
  const v = str(raw, key, fallback);
  if (!(allowed as readonly string[]).includes(v)) throw invalid(key, `one of ${allowed.join(', ')}`, raw);
  return v as T;
}

/** An s3://bucket[/prefix] URL (trailing slashes dropped), or empty. */
function s3Url(raw: RawSettings, key: string, fallback: string): string {
  const v = str(raw, key, fallback);
  if (v && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/.test(v)) throw invalid(key, 'an s3://bucket[/prefix] URL', raw);
  return v.replace(/\/+$/, '');
}

/** What each setting is, in words: messages name the value, each surface names the setting (editor) or variable (CLI). */
const SETTING_WORDS: Record<string, string> = {
  mode: 'The mode',
  'mysql.host': 'The MySQL host',
  'mysql.port': 'The MySQL port',
  'mysql.user': 'The MySQL user',
  'mysql.database': 'The MySQL database',
  'mysql.tls': 'The MySQL TLS mode',
  'mysql.caBundlePath': 'The MySQL CA bundle path',
  'aws.region': 'The AWS region',
  'aws.profile': 'The AWS profile',
  'aws.endpoint': 'The AWS endpoint',
  'aws.rdsInstanceId': 'The RDS instance id',
  'aws.glueJobName': 'The Glue job name',
  'aws.lakePath': 'The S3 lake path',
  'aws.athenaWorkgroup': 'The Athena workgroup',
  'aws.catalogDatabase': 'The Glue Data Catalog database',
  'aws.athenaOutputLocation': 'The Athena output location',
  'aws.athenaCostPerTbUsd': 'The Athena cost per TB scanned (USD)',
  'aws.glueConnectionName': 'The Glue connection name',
  'aws.preflightBeforeRun': 'Preflight before each Glue run',
  'aws.emulatorTrinoUrl': 'The emulated AWS\'s Trino coordinator URL',
  'local.labDir': 'The lab folder',
  'local.lakeDir': 'The lake folder',
  'local.port': 'The local lab port',
  'pipeline.stallTimeoutSeconds': 'The pipeline stall timeout (seconds)',
  'terraform.moduleDir': 'The Terraform module folder',
  'terraform.variables': 'The Terraform variables',
};

function invalid(key: string, expected: string, raw: RawSettings): LabError {
  const got = raw[key];
  const shown = typeof got === 'string' || typeof got === 'number' || typeof got === 'boolean' ? ` (got ${JSON.stringify(got).slice(0, 60)})` : '';
  // No editor setting name in the text: the next step carries the setting and each surface renders it.
  return new LabError('config', `${SETTING_WORDS[key] ?? `The value of ${key}`} must be ${expected}${shown}.`, {
    nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: `lifecycleLab.${key}` },
  });
}

/**
 * Builds the typed config from raw settings. Throws a LabError naming the setting when a value is invalid.
 * `root` is the workspace folder (editor) or the current directory (CLI).
 */
export function resolveLabConfig(raw: RawSettings, root: string): LabConfig {
  const labDir = path.resolve(root, str(raw, 'local.labDir', DEFAULTS.local.labDir) || DEFAULTS.local.labDir);
  return {
    mode: oneOf(raw, 'mode', DEFAULTS.mode, ['local', 'aws'] as const),
    root,
    mysql: {
      host: str(raw, 'mysql.host', DEFAULTS.mysql.host),
      port: int(raw, 'mysql.port', DEFAULTS.mysql.port, 1, 65535),
      user: str(raw, 'mysql.user', DEFAULTS.mysql.user) || DEFAULTS.mysql.user,
      database: str(raw, 'mysql.database', DEFAULTS.mysql.database) || DEFAULTS.mysql.database,
      tls: oneOf(raw, 'mysql.tls', DEFAULTS.mysql.tls, ['auto', 'require', 'off'] as const),
      caBundlePath: str(raw, 'mysql.caBundlePath', DEFAULTS.mysql.caBundlePath),
    },
    showSystemSchemas: raw['source.showSystemSchemas'] === undefined ? DEFAULTS.source.showSystemSchemas : raw['source.showSystemSchemas'] === true,
    aws: {
      region: str(raw, 'aws.region', DEFAULTS.aws.region) || DEFAULTS.aws.region,
      profile: str(raw, 'aws.profile', DEFAULTS.aws.profile),
      endpoint: str(raw, 'aws.endpoint', DEFAULTS.aws.endpoint),
      rdsInstanceId: str(raw, 'aws.rdsInstanceId', DEFAULTS.aws.rdsInstanceId) || DEFAULTS.aws.rdsInstanceId,
      emulatorTrinoUrl: httpUrl(raw, 'aws.emulatorTrinoUrl', DEFAULTS.aws.emulatorTrinoUrl),
    },
    glue: {
      jobName: str(raw, 'aws.glueJobName', DEFAULTS.aws.glueJobName) || DEFAULTS.aws.glueJobName,
      lakePath: s3Url(raw, 'aws.lakePath', DEFAULTS.aws.lakePath),
    },
    athena: {
      workgroup: str(raw, 'aws.athenaWorkgroup', DEFAULTS.aws.athenaWorkgroup) || DEFAULTS.aws.athenaWorkgroup,
      database: str(raw, 'aws.catalogDatabase', DEFAULTS.aws.catalogDatabase) || DEFAULTS.aws.catalogDatabase,
      outputLocation: athenaOutputLocation(raw),
      costPerTbUsd: num(raw, 'aws.athenaCostPerTbUsd', DEFAULTS.aws.athenaCostPerTbUsd, 0, 1000),
    },
    preflight: {
      connectionName: str(raw, 'aws.glueConnectionName', DEFAULTS.aws.glueConnectionName) || DEFAULTS.aws.glueConnectionName,
      beforeRun: raw['aws.preflightBeforeRun'] === undefined ? DEFAULTS.aws.preflightBeforeRun : raw['aws.preflightBeforeRun'] === true,
    },
    local: {
      labDir,
      lakeDir: lakeDirSetting(raw, root, labDir),
      port: int(raw, 'local.port', DEFAULTS.local.port, 0, 65535),
    },
    pipeline: {
      stallTimeoutMs: 1000 * int(raw, 'pipeline.stallTimeoutSeconds', DEFAULTS.pipeline.stallTimeoutSeconds, 1, 86_400),
    },
    terraform: {
      moduleDir: path.resolve(root, str(raw, 'terraform.moduleDir', DEFAULTS.terraform.moduleDir) || DEFAULTS.terraform.moduleDir),
      variables: terraformVariables(raw),
    },
  };
}

/**
 * `local.lakeDir` (default: the lab folder's `lake/`). The filesystem root, system folders and pseudo-filesystems are
 * refused here, by path, so the editor and the CLI say so before anything runs; a run checks the folder itself too.
 */
function lakeDirSetting(raw: RawSettings, root: string, labDir: string): string {
  const v = str(raw, 'local.lakeDir', DEFAULTS.local.lakeDir);
  const lakeDir = v ? path.resolve(root, v) : path.join(labDir, 'lake');
  const problem = lakePathProblem(lakeDir);
  if (problem) {
    throw new LabError('config', `The lake folder ${lakeDir} ${problem}; choose a folder of its own for the lake.`, {
      nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.local.lakeDir' },
    });
  }
  return lakeDir;
}

/**
 * `terraform.variables`: an object (or its JSON, from the CLI's environment) of variable names to plain values.
 * The password is refused: it lives in secret storage, and the editor gives Terraform only its secret's ARN.
 */
function terraformVariables(raw: RawSettings): Record<string, string> {
  const key = 'terraform.variables';
  let v = raw[key];
  if (v === undefined || v === null || v === '') return {};
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      throw invalid(key, 'an object of variable names to values', raw);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(key, 'an object of variable names to values', raw);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw invalid(key, `an object of variable names to values ('${name.slice(0, 40)}' is not a variable name)`, raw);
    if (/(^|_)password$/i.test(name)) throw invalid(key, `free of passwords ('${name}': use Set Database Password, which keeps it in secret storage)`, raw);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw invalid(key, `an object of names to strings, numbers or booleans ('${name}' is not)`, raw);
    out[name] = String(value);
  }
  return out;
}

/** Empty, or an http(s):// URL (trailing slashes dropped). */
function httpUrl(raw: RawSettings, key: string, fallback: string): string {
  const v = str(raw, key, fallback);
  if (v && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(v)) throw invalid(key, 'empty or an http:// URL', raw);
  return v.replace(/\/+$/, '');
}

/** Empty, or an s3:// URI (Athena refuses anything else, with a less helpful message). */
function athenaOutputLocation(raw: RawSettings): string {
  const v = str(raw, 'aws.athenaOutputLocation', DEFAULTS.aws.athenaOutputLocation);
  if (v && !/^s3:\/\/[^/]+/.test(v)) throw invalid('aws.athenaOutputLocation', 'empty or an s3:// location', raw);
  return v;
}

/** Settings keys read by resolveLabConfig, for editors that must enumerate them. */
export const SETTING_KEYS = [
  'mode', 'mysql.host', 'mysql.port', 'mysql.user', 'mysql.database', 'mysql.tls', 'mysql.caBundlePath',
  'source.showSystemSchemas', 'aws.region', 'aws.profile', 'aws.endpoint', 'aws.rdsInstanceId',
  'aws.glueJobName', 'aws.lakePath',
  'aws.athenaWorkgroup', 'aws.catalogDatabase', 'aws.athenaOutputLocation', 'aws.athenaCostPerTbUsd',
  'aws.glueConnectionName', 'aws.preflightBeforeRun', 'aws.emulatorTrinoUrl',
  'local.labDir', 'local.lakeDir', 'local.port', 'pipeline.stallTimeoutSeconds',
  'terraform.moduleDir', 'terraform.variables',
] as const;

/**
 * The environment variable the CLI reads a setting from: `mysql.port` (or `lifecycleLab.mysql.port`) ->
 * `LIFECYCLE_LAB_MYSQL_PORT`. The one definition of that naming, for reading settings and for messages.
 */
export function settingEnvVar(key: string): string {
  return `LIFECYCLE_LAB_${key.replace(/^lifecycleLab\./, '').replace(/\./g, '_').toUpperCase()}`;
}
