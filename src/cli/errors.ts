/**
 * Errors as the command line shows them. Core errors carry editor-neutral data (a command id, a setting key);
 * here they become what a shell user can do: a `lifecycle-lab` command or a LIFECYCLE_LAB_* variable.
 */
import { settingEnvVar } from '../core/config';
import { toLabError, type NextStep } from '../core/errors';

/** A next step for the CLI: the text to print, and the command line to run or the variable to set. */
export interface CliNextStep {
  text: string;
  /** A `lifecycle-lab ...` command line that performs the step. */
  run?: string;
  /** The environment variable to set. */
  env?: string;
}

/** The CLI error object printed under --json: `{"ok":false,"error":{...}}`. */
export interface CliErrorJson {
  ok: false;
  error: { code: string; message: string; nextStep?: CliNextStep };
}

const PASSWORD_VAR = 'LIFECYCLE_LAB_MYSQL_PASSWORD';

/** Editor command ids that have a CLI counterpart (a command line or a variable). */
const COMMANDS: Record<string, CliNextStep> = {
  'lifecycleLab.startLocalLab': { text: 'start the local lab: lifecycle-lab lab up', run: 'lifecycle-lab lab up' },
  'lifecycleLab.pipeline.run': { text: 'run the pipeline: lifecycle-lab pipeline run', run: 'lifecycle-lab pipeline run' },
  'lifecycleLab.setDatabasePassword': { text: `set ${PASSWORD_VAR} to the database password`, env: PASSWORD_VAR },
  'lifecycleLab.source.discoverRds': { text: `set ${settingEnvVar('mysql.host')} to the RDS instance endpoint`, env: settingEnvVar('mysql.host') },
  'lifecycleLab.source.refresh': { text: 'list the source tables again: lifecycle-lab source tables', run: 'lifecycle-lab source tables' },
  'lifecycleLab.switchMode': { text: `set ${settingEnvVar('mode')} to local or aws`, env: settingEnvVar('mode') },
  'lifecycleLab.pipeline.showTerminal': { text: 'read the progress lines above (--verbose shows more)' },
  'lifecycleLab.pipeline.cancel': { text: 'wait for the running pipeline to finish, or stop it with Ctrl-C where it runs' },
};

/** Labels that only make sense in the editor; a setting step with one of these is rendered from the setting alone. */
const EDITOR_LABELS = new Set(['Open Settings']);

/** A core next step in CLI terms; undefined when there is none. */
export function cliNextStep(step: NextStep | undefined): CliNextStep | undefined {
  if (!step) return undefined;
  if (step.setting) {
    const env = settingEnvVar(step.setting);
    const how = step.setting === 'lifecycleLab.mysql.database' ? `pass --database NAME or set ${env}` : `set ${env}`;
    const text = EDITOR_LABELS.has(step.label) ? how : `${step.label}: ${how}`;
    return { text, env };
  }
  if (step.command && COMMANDS[step.command]) return { ...COMMANDS[step.command] };
  return { text: step.label };
}

/** One line for stderr: the message and, where there is one, the next step in CLI terms. */
export function describeCliError(err: unknown): string {
  const e = toLabError(err);
  const step = cliNextStep(e.nextStep);
  if (!step) return e.message;
  const text = step.text.charAt(0).toUpperCase() + step.text.slice(1);
  return `${e.message}${/[.!?]$/.test(e.message) ? '' : '.'} Next step: ${text}${/[.!?)]$/.test(text) ? '' : '.'}`;
}

/** The one JSON error object of a failed command under --json. */
export function cliErrorJson(err: unknown, code?: string): CliErrorJson {
  const e = toLabError(err);
  const nextStep = cliNextStep(e.nextStep);
  return { ok: false, error: { code: code ?? e.code, message: e.message, ...(nextStep ? { nextStep } : {}) } };
}
