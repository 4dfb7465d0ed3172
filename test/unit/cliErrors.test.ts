import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { settingsFromEnv } from '../../src/cli/env';
import { cliErrorJson, cliNextStep, describeCliError } from '../../src/cli/errors';
import { checkLab, formatCheckReport, type CheckProbes } from '../../src/core/check/checks';
import { resolveLabConfig, SETTING_KEYS, settingEnvVar, type MysqlTarget } from '../../src/core/config';
import { LabError } from '../../src/core/errors';
import { mysqlErrorToLabError } from '../../src/core/source/errors';
import { SHELL_STEPS } from '../../src/core/shellSteps';

const remote: MysqlTarget = { host: 'db.example.com', port: 3306, user: 'admin', password: 's3cret', database: 'classicmodels', tls: 'auto', origin: 'settings' };
const lab: MysqlTarget = { ...remote, host: '127.0.0.1', port: 43306, user: 'lab', tls: 'off', origin: 'local-lab' };

/** Editor vocabulary the CLI must not print. */
const EDITOR_WORDS = /Set Database Password|Start Local Lab|Open Settings|lifecycleLab\./;

/** Runs main() in this process with extra environment variables; returns the exit code and what it wrote. */
async function runMain(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  const write = { out: process.stdout.write, err: process.stderr.write };
  let stdout = '';
  let stderr = '';
  Object.assign(process.env, env);
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

suite('CLI: errors name LIFECYCLE_LAB_* variables and CLI commands, never editor commands or settings', () => {
  test('one function names the variable, for reading settings and for messages', () => {
    assert.equal(settingEnvVar('mysql.port'), 'LIFECYCLE_LAB_MYSQL_PORT');
    assert.equal(settingEnvVar('lifecycleLab.mysql.caBundlePath'), 'LIFECYCLE_LAB_MYSQL_CABUNDLEPATH');
    for (const key of SETTING_KEYS) {
      const raw = settingsFromEnv({ [settingEnvVar(key)]: 'x' });
      assert.deepEqual(Object.keys(raw), [key], key);
    }
  });

  test('next steps: editor commands become CLI commands or variables, settings become variables', () => {
    assert.equal(cliNextStep({ label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' })?.run, 'lifecycle-lab lab up');
    assert.equal(cliNextStep({ label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' })?.run, 'lifecycle-lab pipeline run');
    assert.equal(cliNextStep({ label: 'Set Database Password', command: 'lifecycleLab.setDatabasePassword' })?.env, 'LIFECYCLE_LAB_MYSQL_PASSWORD');
    assert.deepEqual(cliNextStep({ label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: 'lifecycleLab.mysql.port' }),
      { text: 'set LIFECYCLE_LAB_MYSQL_PORT', env: 'LIFECYCLE_LAB_MYSQL_PORT' });
    assert.match(cliNextStep({ label: 'Open Settings', setting: 'lifecycleLab.mysql.database' })!.text, /--database NAME or set LIFECYCLE_LAB_MYSQL_DATABASE/);
    assert.equal(cliNextStep({ label: 'Install it: apt-get install mariadb-server' })?.text, 'Install it: apt-get install mariadb-server');

    const wrongPassword = describeCliError(mysqlErrorToLabError({ code: 'ER_ACCESS_DENIED_ERROR' }, remote));
    assert.match(wrongPassword, /Next step: Set LIFECYCLE_LAB_MYSQL_PASSWORD to the database password\.$/);
    const stopped = describeCliError(mysqlErrorToLabError({ code: 'ECONNREFUSED' }, lab));
    assert.match(stopped, /Next step: Start the local lab: lifecycle-lab lab up\.$/);
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'SELF_SIGNED_CERT_IN_CHAIN', 'HANDSHAKE_NO_SSL_SUPPORT', 'ER_BAD_DB_ERROR', 'ER_ACCESS_DENIED_ERROR']) {
      for (const target of [remote, lab]) {
        const text = describeCliError(mysqlErrorToLabError({ code }, target));
        assert.doesNotMatch(text, EDITOR_WORDS, `${code}: ${text}`);
      }
    }
  });

  test('Check Lab\'s fixes take their command line from the same table as the CLI\'s next steps (core/shellSteps.ts)', async () => {
    const down = async (): Promise<never> => { throw new LabError('labNotRunning', 'The local lab is not running.', { nextStep: { label: 'Start Local Lab', command: 'lifecycleLab.startLocalLab' } }); };
    const probes: CheckProbes = {
      label: 'AWS', sourceMissing: { label: 'Discover RDS Instance', command: 'lifecycleLab.source.discoverRds' }, sourceCounts: down, manifest: async () => undefined, lastRun: async () => undefined, lakeRows: down, dashboardAnswers: down,
      aws: { outputs: () => [{ output: 'job_name', setting: 'lifecycleLab.aws.glueJobName', value: '' }], lastGlueRun: async () => undefined, workgroupState: async () => 'ENABLED' },
    };
    const report = await checkLab(probes);
    const fixes = report.items.flatMap((i) => (i.fix?.command ? [i.fix] : []));
    assert.deepEqual([...new Set(fixes.map((f) => f.command))].sort(), ['lifecycleLab.openSettings', 'lifecycleLab.pipeline.run', 'lifecycleLab.startLocalLab', 'lifecycleLab.terraform.apply']);
    for (const fix of fixes) {
      const shell = SHELL_STEPS[fix.command!];
      assert.equal(fix.cli, shell?.run, `${fix.command}: the check's command line is the table's`);
      if (shell?.run) assert.equal(cliNextStep({ label: fix.label, command: fix.command })?.run, fix.cli, `${fix.command}: the CLI's next step runs the same`);
    }
    // The error's own next step (Start Local Lab) wins over the AWS-mode fallback (Discover RDS), with its command line.
    assert.ok(formatCheckReport(report).some((l) => l.includes('fix: Start Local Lab (lifecycle-lab lab up)')));
    assert.ok(formatCheckReport(report).some((l) => l.includes('fix: Terraform Apply, then set the outputs in the settings (cd terraform && terraform apply && terraform output -json)')));
  });

  test('a bad setting value names the variable in the CLI (the message itself names no editor setting)', () => {
    const err = (() => {
      try {
        resolveLabConfig(settingsFromEnv({ LIFECYCLE_LAB_MYSQL_PORT: '99999' }), '/tmp');
      } catch (e) {
        return e;
      }
      assert.fail('99999 was accepted as a port');
    })();
    assert.ok(err instanceof LabError);
    assert.doesNotMatch(err.message, /lifecycleLab\./);
    assert.match(err.message, /port .*1 to 65535 \(got "99999"\)/);
    assert.equal(err.nextStep?.setting, 'lifecycleLab.mysql.port', 'the editor still gets the setting to open');
    assert.match(describeCliError(err), /Next step: Set LIFECYCLE_LAB_MYSQL_PORT\.$/);
    assert.deepEqual(cliErrorJson(err).error.nextStep, { text: 'set LIFECYCLE_LAB_MYSQL_PORT', env: 'LIFECYCLE_LAB_MYSQL_PORT' });
  });

  test('--json: a bad LIFECYCLE_LAB_MYSQL_PORT prints one JSON error object on stdout and exits non-zero', async () => {
    const r = await runMain(['source', 'tables', '--json'], { LIFECYCLE_LAB_MYSQL_PORT: '99999' });
    assert.notEqual(r.code, 0);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const out = JSON.parse(lines[0]) as { ok: boolean; error: { code: string; message: string; nextStep?: { env?: string } } };
    assert.equal(out.ok, false);
    assert.equal(out.error.code, 'config');
    assert.equal(out.error.nextStep?.env, 'LIFECYCLE_LAB_MYSQL_PORT');
    assert.doesNotMatch(JSON.stringify(out), EDITOR_WORDS);
  });

  test('without --json the same failure is one line on stderr naming the variable', async () => {
    const r = await runMain(['lab', 'status'], { LIFECYCLE_LAB_MYSQL_PORT: '99999' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^lifecycle-lab: .*Next step: Set LIFECYCLE_LAB_MYSQL_PORT\.\n$/);
  });

  test('--json: usage errors are JSON too (exit 2), for an unknown area and an unknown action', async () => {
    for (const argv of [['bogus', '--json'], ['--json'], ['lab', 'bogus', '--json'], ['source', 'nope', '--json'], ['pipeline', '--json'], ['query', '--json'], ['lake', 'bogus', '--json']]) {
      const r = await runMain(argv);
      assert.equal(r.code, 2, argv.join(' '));
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1, `${argv.join(' ')}: ${r.stdout}`);
      const out = JSON.parse(lines[0]) as { ok: boolean; error: { code: string; message: string } };
      assert.equal(out.ok, false);
      assert.equal(out.error.code, 'usage');
      assert.match(out.error.message, /usage: lifecycle-lab/);
    }
  });

  test('--json: an unreachable configured host is a JSON error whose next step names LIFECYCLE_LAB_MYSQL_HOST', async () => {
    const r = await runMain(['source', 'tables', '--json'], { LIFECYCLE_LAB_MYSQL_HOST: '127.0.0.1', LIFECYCLE_LAB_MYSQL_PORT: '1', LIFECYCLE_LAB_MYSQL_TLS: 'off' });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string; nextStep?: { text: string; env?: string } } };
    assert.equal(out.error.code, 'unreachable');
    assert.equal(out.error.nextStep?.env, 'LIFECYCLE_LAB_MYSQL_HOST');
    assert.doesNotMatch(JSON.stringify(out), EDITOR_WORDS);
  });
});

suite('CLI: every command refuses what it does not take (usage, exit 2) before doing anything', () => {
  let scratch: string;
  let env: Record<string, string>;
  setup(() => {
    // A lab and lake that do not exist: a command that ran instead of refusing would fail with 1, not 2, and touch nothing real.
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-usage-'));
    env = { LIFECYCLE_LAB_LOCAL_LABDIR: path.join(scratch, 'lab'), LIFECYCLE_LAB_LOCAL_LAKEDIR: path.join(scratch, 'lake') };
  });
  teardown(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const refused: [string[], RegExp][] = [
    [['pipeline', 'run', '--bogus'], /Unknown option '--bogus'/],
    [['pipeline', 'run', 'extra'], /Unexpected argument 'extra'/],
    [['pipeline', 'run', '--lake'], /Option '--lake <value>' argument missing/],
    [['pipeline', 'run', '--lake', '--json'], /--lake/],
    [['pipeline', 'run', '--database'], /--database/],
    [['source', 'tables', '--nope'], /Unknown option '--nope'/],
    [['source', 'tables', 'orders'], /Unexpected argument 'orders'/],
    [['lake', 'verify', '--lake'], /--lake/],
    [['lake', 'verify', 'now'], /Unexpected argument 'now'/],
    [['lab', 'status', 'please'], /Unexpected argument 'please'/],
    [['lab', 'up', '--scale'], /--scale/],
    [['lab', 'down', '--force'], /Unknown option '--force'/],
    [['check', 'everything'], /Unexpected argument 'everything'/],
    [['query', 'select 1', '--limt', '5'], /Unknown option '--limt'/],
    [['query', '--lake'], /--lake/],
    [['query', '--full'], /No SQL given/],
  ];
  for (const [argv, problem] of refused) {
    test(`lifecycle-lab ${argv.join(' ')}`, async () => {
      const r = await runMain(argv, env);
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, problem);
      assert.match(r.stderr, /usage: lifecycle-lab /);
      assert.deepEqual(fs.readdirSync(scratch), [], 'the command created nothing');
    });
  }

  test('--json: a refused option is one JSON usage error on stdout', async () => {
    const r = await runMain(['pipeline', 'run', '--lake', '/tmp/x', '--bogus', '--json'], env);
    assert.equal(r.code, 2);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(out.error.code, 'usage');
    assert.match(out.error.message, /--bogus.*usage: lifecycle-lab pipeline run/);
  });

  test('--help on a command prints its usage and exits 0 without running it', async () => {
    const r = await runMain(['pipeline', 'run', '--help'], env);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /usage: lifecycle-lab pipeline run \[--lake DIR\]/);
    assert.deepEqual(fs.readdirSync(scratch), []);
  });

  test('lab up --scale beyond what the generator takes, or not a whole number, is refused before the lab starts', async () => {
    for (const scale of ['1e9', '10001', '2.5', 'abc', '0', '-3']) {
      const r = await runMain(['lab', 'up', `--scale=${scale}`, '--json'], env);
      assert.equal(r.code, 1, `--scale ${scale}: ${r.stdout}${r.stderr}`);
      const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      assert.equal(out.error.code, 'config', scale);
      assert.match(out.error.message, /--scale|Scale/, scale);
      assert.match(out.error.message, new RegExp(`got ${scale.replace('.', '\\.')}`), scale);
      assert.deepEqual(fs.readdirSync(scratch), [], `--scale ${scale}: nothing started or created`);
    }
    const tooBig = await runMain(['lab', 'up', '--scale', '1e9'], env);
    assert.match(tooBig.stderr, /from 1 to 10,000 \(about 29,960,000 order lines; got 1e9\)/);
  });
});
