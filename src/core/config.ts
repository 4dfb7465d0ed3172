import * as path from 'node:path';
import * as v from 'valibot';
import { LabError } from './errors';
import { lakePathProblem } from './lake/lakePath';

export type LabMode = 'local' | 'aws';

/** The lab folder's name in the lab's own repository (and in folders an older version used); see lab/location.ts. */
export const FOLDER_LAB_DIR = '.lab';
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
  /**
   * Absolute path of a Terraform module of the user's own (`terraform.moduleDir`, relative to the workspace);
   * undefined when the setting is empty: the module the extension ships (core/terraform/location.ts).
   */
  moduleDir: string | undefined;
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
  local: { labDir: '', lakeDir: '', port: 0 },
  pipeline: { stallTimeoutSeconds: 60 },
  source: { showSystemSchemas: false },
  terraform: { moduleDir: '', variables: {} as Record<string, string> },
};

/**
 * Each setting's schema: what a value may be, and what it becomes (trimmed, the default when unset, a number from a
 * string the CLI's environment gave). The message of a schema's check is the "must be ..." of the error, so each
 * schema says in words what it expects.
 */
const unset = (x: unknown): boolean => x === undefined || x === null;

/** A string, trimmed; the fallback when unset (and when empty, with `emptyIsDefault`). */
function textSchema(fallback: string, emptyIsDefault = false) {
  return v.pipe(
    v.nullish(v.string('a string'), fallback),
    v.trim(),
    v.transform((x) => (emptyIsDefault && !x ? fallback : x)),
  );
}

/** A number (or a string of one); the fallback when unset or empty. */
function numberSchema(fallback: number, min: number, max: number, whole: boolean) {
  const expected = whole ? `a whole number from ${min} to ${max}` : `a number from ${min} to ${max}`;
  return v.pipe(
    v.unknown(),
    v.transform((x) => (unset(x) || x === '' ? fallback : typeof x === 'number' ? x : Number(x))),
    v.number(expected),
    v.check((n) => Number.isFinite(n) && (!whole || Number.isInteger(n)), expected),
    v.minValue(min, expected),
    v.maxValue(max, expected),
  );
}

function choiceSchema<const T extends readonly [string, ...string[]]>(fallback: T[number], allowed: T) {
  return v.pipe(textSchema(fallback), v.picklist(allowed, `one of ${allowed.join(', ')}`));
}

/** A checkbox: only `true` turns it on once set. */
function flagSchema(fallback: boolean) {
  return v.pipe(v.unknown(), v.transform((x) => (x === undefined ? fallback : x === true)));
}

/** Empty, or a URL that `pattern` accepts (trailing slashes dropped when `trimSlashes`). */
function urlSchema(fallback: string, pattern: RegExp, expected: string, trimSlashes = true) {
  return v.pipe(
    textSchema(fallback),
    v.check((x) => !x || pattern.test(x), expected),
    v.transform((x) => (trimSlashes ? x.replace(/\/+$/, '') : x)),
  );
}

/** Parses one setting with its schema; a failure is the setting's LabError, its message the schema's expectation. */
function setting<S extends v.GenericSchema>(raw: RawSettings, key: string, schema: S): v.InferOutput<S> {
  const parsed = v.safeParse(schema, raw[key]);
  if (!parsed.success) throw invalid(key, parsed.issues[0].message, raw);
  return parsed.output;
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
export function resolveLabConfig(raw: RawSettings, root: string, defaults: { labDir?: string } = {}): LabConfig {
  const labSetting = setting(raw, 'local.labDir', textSchema(DEFAULTS.local.labDir));
  const labDir = labSetting ? path.resolve(root, labSetting) : defaults.labDir ?? path.join(root, FOLDER_LAB_DIR);
  return {
    mode: setting(raw, 'mode', choiceSchema(DEFAULTS.mode, ['local', 'aws'])),
    root,
    mysql: {
      host: setting(raw, 'mysql.host', textSchema(DEFAULTS.mysql.host)),
      port: setting(raw, 'mysql.port', numberSchema(DEFAULTS.mysql.port, 1, 65535, true)),
      user: setting(raw, 'mysql.user', textSchema(DEFAULTS.mysql.user, true)),
      database: setting(raw, 'mysql.database', textSchema(DEFAULTS.mysql.database, true)),
      tls: setting(raw, 'mysql.tls', choiceSchema(DEFAULTS.mysql.tls, ['auto', 'require', 'off'])),
      caBundlePath: setting(raw, 'mysql.caBundlePath', textSchema(DEFAULTS.mysql.caBundlePath)),
    },
    showSystemSchemas: setting(raw, 'source.showSystemSchemas', flagSchema(DEFAULTS.source.showSystemSchemas)),
    aws: {
      region: setting(raw, 'aws.region', textSchema(DEFAULTS.aws.region, true)),
      profile: setting(raw, 'aws.profile', textSchema(DEFAULTS.aws.profile)),
      endpoint: setting(raw, 'aws.endpoint', textSchema(DEFAULTS.aws.endpoint)),
      rdsInstanceId: setting(raw, 'aws.rdsInstanceId', textSchema(DEFAULTS.aws.rdsInstanceId, true)),
      emulatorTrinoUrl: setting(raw, 'aws.emulatorTrinoUrl', urlSchema(DEFAULTS.aws.emulatorTrinoUrl, /^https?:\/\/[^/\s]+(\/\S*)?$/, 'empty or an http:// URL')),
    },
    glue: {
      jobName: setting(raw, 'aws.glueJobName', textSchema(DEFAULTS.aws.glueJobName, true)),
      lakePath: setting(raw, 'aws.lakePath', urlSchema(DEFAULTS.aws.lakePath, /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/, 'an s3://bucket[/prefix] URL')),
    },
    athena: {
      workgroup: setting(raw, 'aws.athenaWorkgroup', textSchema(DEFAULTS.aws.athenaWorkgroup, true)),
      database: setting(raw, 'aws.catalogDatabase', textSchema(DEFAULTS.aws.catalogDatabase, true)),
      // Athena refuses anything but s3://, with a less helpful message.
      outputLocation: setting(raw, 'aws.athenaOutputLocation', urlSchema(DEFAULTS.aws.athenaOutputLocation, /^s3:\/\/[^/]+/, 'empty or an s3:// location', false)),
      costPerTbUsd: setting(raw, 'aws.athenaCostPerTbUsd', numberSchema(DEFAULTS.aws.athenaCostPerTbUsd, 0, 1000, false)),
    },
    preflight: {
      connectionName: setting(raw, 'aws.glueConnectionName', textSchema(DEFAULTS.aws.glueConnectionName, true)),
      beforeRun: setting(raw, 'aws.preflightBeforeRun', flagSchema(DEFAULTS.aws.preflightBeforeRun)),
    },
    local: {
      labDir,
      lakeDir: lakeDirSetting(raw, root, labDir),
      port: setting(raw, 'local.port', numberSchema(DEFAULTS.local.port, 0, 65535, true)),
    },
    pipeline: {
      stallTimeoutMs: 1000 * setting(raw, 'pipeline.stallTimeoutSeconds', numberSchema(DEFAULTS.pipeline.stallTimeoutSeconds, 1, 86_400, true)),
    },
    terraform: {
      moduleDir: ((dir) => (dir ? path.resolve(root, dir) : undefined))(setting(raw, 'terraform.moduleDir', textSchema(DEFAULTS.terraform.moduleDir, true))),
      variables: setting(raw, 'terraform.variables', terraformVariablesSchema),
    },
  };
}

/**
 * `local.lakeDir` (default: the lab folder's `lake/`). The filesystem root, system folders and pseudo-filesystems are
 * refused here, by path, so the editor and the CLI say so before anything runs; a run checks the folder itself too.
 */
function lakeDirSetting(raw: RawSettings, root: string, labDir: string): string {
  const configured = setting(raw, 'local.lakeDir', textSchema(DEFAULTS.local.lakeDir));
  const lakeDir = configured ? path.resolve(root, configured) : path.join(labDir, 'lake');
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
const VARIABLES_EXPECTED = 'an object of variable names to values';
const terraformVariablesSchema = v.pipe(
  v.unknown(),
  v.transform((x): unknown => {
    if (unset(x) || x === '') return {};
    if (typeof x !== 'string') return x;
    try {
      return JSON.parse(x) as unknown;
    } catch {
      return undefined;
    }
  }),
  v.check((x) => typeof x === 'object' && x !== null && !Array.isArray(x), VARIABLES_EXPECTED),
  v.record(v.string(), v.unknown(), VARIABLES_EXPECTED),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [name, value] of Object.entries(dataset.value)) {
      const problem = !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? `${VARIABLES_EXPECTED} ('${name.slice(0, 40)}' is not a variable name)`
        : /(^|_)password$/i.test(name) ? `free of passwords ('${name}': use Set Database Password, which keeps it in secret storage)`
          : !['string', 'number', 'boolean'].includes(typeof value) ? `an object of names to strings, numbers or booleans ('${name}' is not)`
            : undefined;
      if (problem) {
        addIssue({ message: problem });
        break;
      }
    }
  }),
  v.transform((o) => Object.fromEntries(Object.entries(o).map(([name, value]) => [name, String(value)]))),
);

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
