import type { LabConfig } from '../config';
import type { NextStep } from '../errors';

/** What RDS discovery knows about the source's network (see discovery.ts); every field optional. */
export interface RdsNetwork {
  host?: string;
  port?: number;
  vpcId?: string;
  /** The subnet the Glue connection should use: one of the DB subnet group's, in the instance's zone when known. */
  subnetId?: string;
  securityGroupId?: string;
}

/** A module variable with no value yet, and what fills it. */
export interface MissingVariable {
  name: string;
  /** What it is, in words ("the database's VPC id"). */
  description: string;
  /** The command or setting that fills it (the password: Set Database Password). */
  fill: NextStep;
  secret: boolean;
}

export interface TerraformVariables {
  /** TF_VAR_<name> -> value, for the terminal's and child processes' environment only. */
  env: Record<string, string>;
  /** Where each variable's value came from, for the log (never the values). */
  sources: Record<string, 'settings' | 'variables setting' | 'discovery' | 'secrets manager'>;
  missing: MissingVariable[];
  /** Values no text the extension shows may carry (the password, which an old state may hold): what the redactor removes. */
  secrets: string[];
}

export const VARIABLES_SETTING = 'lifecycleLab.terraform.variables';
const VARIABLES_FILL: NextStep = { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: VARIABLES_SETTING };
const DISCOVER_FILL: NextStep = { label: 'Discover RDS Instance', command: 'lifecycleLab.source.discoverRds' };

/** The module's variables without a default (terraform/variables.tf), and where the editor finds each. */
const REQUIRED: { name: string; description: string; fill: NextStep }[] = [
  { name: 'host', description: 'the database host (the RDS endpoint)', fill: DISCOVER_FILL },
  { name: 'vpc_id', description: "the database's VPC id (vpc-...)", fill: VARIABLES_FILL },
  { name: 'subnet_id', description: 'a subnet of that VPC that reaches the database (subnet-...)', fill: VARIABLES_FILL },
  { name: 'db_sg_id', description: "the database's security group (sg-...)", fill: VARIABLES_FILL },
  { name: 'data_lake_bucket', description: 'the S3 bucket of the lake', fill: VARIABLES_FILL },
  { name: 'scripts_bucket', description: "the S3 bucket for the job's script and SQL", fill: VARIABLES_FILL },
];

/** The bucket of an s3://bucket[/prefix] URL. */
function bucketOf(url: string): string | undefined {
  return /^s3:\/\/([^/]+)/.exec(url)?.[1];
}

/**
 * The module's variables as TF_VAR_* from the settings and RDS discovery, in that order of preference:
 * `terraform.variables` first (the user's explicit choice), then what discovery found, then what the other settings
 * imply. The password is never one of them: Terraform gets `password_secret_arn`, the Secrets Manager secret the Glue
 * job reads at run time (the user's own from the variables setting, else the one the editor stored the password in).
 * Lists what is still missing with what fills it. Never writes anything.
 */
export function terraformVariables(config: LabConfig, inputs: { network?: RdsNetwork; password?: string; passwordSecretArn?: string } = {}): TerraformVariables {
  const values = new Map<string, { value: string; source: TerraformVariables['sources'][string] }>();
  const set = (name: string, value: string | number | undefined, source: TerraformVariables['sources'][string]) => {
    if (value === undefined || value === '' || values.has(name)) return;
    values.set(name, { value: String(value), source });
  };
  for (const [name, value] of Object.entries(config.terraform.variables)) set(name, value, 'variables setting');
  const net = inputs.network ?? {};
  set('host', net.host, 'discovery');
  set('port', net.port, 'discovery');
  set('vpc_id', net.vpcId, 'discovery');
  set('subnet_id', net.subnetId, 'discovery');
  set('db_sg_id', net.securityGroupId, 'discovery');
  set('host', config.mysql.host, 'settings');
  set('port', config.mysql.port, 'settings');
  set('database', config.mysql.database, 'settings');
  set('username', config.mysql.user, 'settings');
  set('region', config.aws.region, 'settings');
  set('profile', config.aws.profile, 'settings');
  set('aws_endpoint', config.aws.endpoint, 'settings');
  set('data_lake_bucket', bucketOf(config.glue.lakePath), 'settings');
  set('password_secret_arn', inputs.passwordSecretArn, 'secrets manager');

  const missing: MissingVariable[] = REQUIRED.filter((r) => !values.has(r.name)).map((r) => ({ ...r, secret: false }));
  // With a password in secret storage the editor stores it in Secrets Manager and passes the secret's ARN.
  if (!values.has('password_secret_arn') && !inputs.password) {
    missing.push({
      name: 'password', secret: true, description: 'the database password (or password_secret_arn in the variables setting)',
      fill: { label: 'Set Database Password', command: 'lifecycleLab.setDatabasePassword' },
    });
  }
  const env: Record<string, string> = {};
  const sources: TerraformVariables['sources'] = {};
  for (const [name, { value, source }] of values) {
    env[`TF_VAR_${name}`] = value;
    sources[name] = source;
  }
  const ownSecret = values.get('password_secret_arn')?.source === 'variables setting';
  return { env, sources, missing, secrets: inputs.password && !ownSecret ? [inputs.password] : [] };
}

/** "vpc_id (the database's VPC id: Open Settings, lifecycleLab.terraform.variables), password (...: Set Database Password)". */
export function describeMissing(missing: MissingVariable[]): string {
  return missing.map((m) => `${m.name} (${m.description}: ${m.fill.label}${m.fill.setting ? `, ${m.fill.setting}` : ''})`).join(', ');
}

/**
 * The rest of the environment Terraform runs with: no prompts, automation wording, and the AWS region, profile and
 * endpoint the provider reads (the module's own variables carry them too; this covers `init`'s backend and any
 * other provider in a user's module).
 */
export function terraformProcessEnv(config: LabConfig): Record<string, string> {
  const env: Record<string, string> = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', AWS_REGION: config.aws.region };
  if (config.aws.credentials) {
    // The emulated AWS's placeholder keys (it takes any): only ever set while the endpoint is the emulator's.
    env.AWS_ACCESS_KEY_ID = config.aws.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = config.aws.credentials.secretAccessKey;
  } else if (config.aws.profile) env.AWS_PROFILE = config.aws.profile;
  if (config.aws.endpoint) env.AWS_ENDPOINT_URL = config.aws.endpoint;
  return env;
}
