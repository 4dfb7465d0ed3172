/**
 * The AWS path on the emulator's real engines, set up as a user does it, for test/emulated/chain.test.ts and
 * bench/emulated.ts: a lab of its own (MariaDB seeded from data/, any scale), the emulated AWS beside it
 * (`lab up --aws`'s EmulatedAws: moto, the Glue runner on Spark, Athena on Trino, which starts in the background), the
 * real terraform/ module applied against it with the variables the editor discovers from RDS de-c1w2-rds and the
 * password in a Secrets Manager secret, and the settings Terraform Apply fills. Local mode's backend reads the same
 * MariaDB into a DuckDB lake of its own. Nothing is run yet: the caller starts the pipelines.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../src/core/aws/clients';
import { sourceSecretName, sourceSecretValue } from '../src/core/aws/secrets';
import { createBackend, type LabBackend } from '../src/core/backend';
import type { DatasetRequest } from '../src/core/dashboard/model';
import { resolveLabConfig, type LabConfig, type MysqlTarget, type RawSettings } from '../src/core/config';
import { EmulatedAws, withEmulatorCredentials, type EmulatorState } from '../src/core/lab/emulatedAws';
import { LocalLab } from '../src/core/lab/localLab';
import { readLabTarget } from '../src/core/lab/state';
import { findModelDir } from '../src/core/lake/model';
import { silentLogger } from '../src/core/log';
import { discoverRdsNetwork } from '../src/core/terraform/discovery';
import { outputsToSettings } from '../src/core/terraform/outputs';
import { terraformVariables } from '../src/core/terraform/variables';
import { copyModule, GLUE_DIR, ROOT, tail, terraform, terraformEnv } from '../test/iac/tools';

export const CHAIN_SCRIPTS_BUCKET = 'lab-emulated-scripts';
export const CHAIN_LAKE_BUCKET = 'lab-emulated-lake';

/** Every card of the dashboard, with the filters, pages and sorts a user can pick. */
export const DASHBOARD_CARDS: DatasetRequest[] = [
  { id: 'lakeStatus' }, { id: 'kpis' }, { id: 'salesByCountry' }, { id: 'salesByProductLine' }, { id: 'monthlySales' }, { id: 'filterOptions' },
  { id: 'topProducts', filter: { startDate: '2003-01-01', endDate: '2005-12-31', country: '', productLine: '', n: 10 } },
  { id: 'topProducts', filter: { startDate: '2003-01-01', endDate: '2005-12-31', country: 'USA', productLine: 'Classic Cars', n: 5 } },
  { id: 'topProducts', filter: { startDate: '2004-03-01', endDate: '2004-09-30', country: 'France', productLine: '', n: 3 } },
  { id: 'products', query: { page: 0, search: '', sortColumn: 'productName', descending: false } },
  { id: 'products', query: { page: 0, search: 'ford', sortColumn: 'productCode', descending: true } },
  { id: 'salesDetail', page: 0 },
  { id: 'salesDetail', page: 1 },
];

export interface EmulatedChain {
  labDir: string;
  lab: LocalLab;
  target: MysqlTarget;
  emulated: EmulatedAws;
  emulator: EmulatorState;
  /** Local mode on the same MariaDB (its lake under labDir). */
  local: LabBackend;
  /** AWS mode on the emulator, with the settings Terraform Apply fills. */
  aws: LabBackend;
  awsConfig: LabConfig;
  /** Seconds each set-up part took: lab, emulator, terraform. */
  seconds: Record<string, number>;
  /** Stops and removes everything it started (also after a failed start). */
  stop(): Promise<void>;
}

const since = (t0: number) => (Date.now() - t0) / 1000;

export async function startEmulatedChain(options: { scale?: number; lifecycleRules?: boolean } = {}): Promise<EmulatedChain> {
  const labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-emulated-'));
  const tfDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-emulated-tf-'));
  const lab = new LocalLab({ labDir, dumpFile: path.join(ROOT, 'data', 'mysqlsampledatabase.sql'), log: silentLogger });
  const emulated = new EmulatedAws(labDir);
  const backends: LabBackend[] = [];
  const stop = async () => {
    await Promise.allSettled(backends.map((b) => b.dispose()));
    await emulated.down().catch(() => undefined);
    await lab.down().catch(() => undefined);
    fs.rmSync(tfDir, { recursive: true, force: true });
    fs.rmSync(labDir, { recursive: true, force: true });
  };
  try {
    const seconds: Record<string, number> = {};
    let t0 = Date.now();
    await lab.up({ scale: options.scale ?? 1 });
    const target = await readLabTarget(labDir);
    if (!target) throw new Error(`the lab in ${labDir} did not come up`);
    seconds.lab = since(t0);
    t0 = Date.now();
    // Trino starts in the background while Terraform and the pipelines run.
    const emulator = await emulated.up({ labPort: target.port, codeRoot: ROOT, waitForTrino: false });
    seconds.emulator = since(t0);

    const common: RawSettings = { 'local.labDir': labDir, 'aws.endpoint': emulator.endpoint, 'aws.region': 'us-east-1' };
    const modelDir = findModelDir(__dirname);
    const local = createBackend(resolveLabConfig({ ...common, mode: 'local' }, ROOT), { readPassword: async () => undefined, modelDir, log: silentLogger });
    backends.push(local);

    // Terraform as the editor runs it: the password in a Secrets Manager secret, the network discovered from RDS.
    t0 = Date.now();
    const base = withEmulatorCredentials(resolveLabConfig({ ...common, mode: 'aws' }, ROOT));
    const sm = new SecretsManagerClient(awsClientConfig(base.aws));
    let secretArn: string;
    try {
      secretArn = (await sm.send(new CreateSecretCommand({ Name: sourceSecretName('de-c1w2'), SecretString: sourceSecretValue(target.user, target.password) }))).ARN!;
    } finally {
      sm.destroy();
    }
    const network = await discoverRdsNetwork(base.aws);
    if (network.host !== target.host || network.port !== target.port) throw new Error(`RDS de-c1w2-rds is at ${network.host}:${network.port}, not the lab's ${target.host}:${target.port}`);
    const variables = terraformVariables({
      ...base,
      mysql: { ...base.mysql, user: target.user, database: target.database },
      terraform: { ...base.terraform, variables: { scripts_bucket: CHAIN_SCRIPTS_BUCKET, data_lake_bucket: CHAIN_LAKE_BUCKET, force_destroy_buckets: 'true', glue_dir: GLUE_DIR, job_timeout_minutes: '60' } },
    }, { network, passwordSecretArn: secretArn });
    if (variables.missing.length) throw new Error(`Terraform variables missing: ${variables.missing.map((m) => m.name).join(', ')}`);
    copyModule(tfDir, { lifecycleRules: options.lifecycleRules });
    const { accessKeyId, secretAccessKey } = base.aws.credentials!;
    const env = terraformEnv({ ...variables.env, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' });
    const tf = async (args: string[]) => {
      const r = await terraform(args, { dir: tfDir, env, timeoutMs: 600_000 });
      if (r.code !== 0) throw new Error(`terraform ${args[0]} failed: ${tail(r.output, 60)}`);
      return r;
    };
    await tf(['init', '-input=false']);
    await tf(['apply', '-input=false', '-auto-approve']);
    // The settings Terraform Apply fills in the editor, from the module's outputs.
    const outputs = outputsToSettings((await tf(['output', '-json'])).stdout).settings;
    seconds.terraform = since(t0);
    const awsConfig = withEmulatorCredentials(resolveLabConfig({ ...common, ...outputs, mode: 'aws' }, ROOT));
    const aws = createBackend(awsConfig, { readPassword: async () => target.password, modelDir, log: silentLogger });
    backends.push(aws);
    return { labDir, lab, target, emulated, emulator, local, aws, awsConfig, seconds, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
