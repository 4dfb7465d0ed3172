/**
 * Errors as the command line shows them. Core errors carry editor-neutral data (a command id, a setting key);
 * here they become what a shell user can do: a `lifecycle-lab` command or a LIFECYCLE_LAB_* variable (the commands'
 * counterparts are core/shellSteps.ts, which Check Lab's fixes read too).
 */
import { settingEnvVar } from '../core/config';
import { toLabError, type NextStep } from '../core/errors';
import { shellStep, type ShellStep } from '../core/shellSteps';

/** A next step for the CLI: the text to print, and the command line to run or the variable to set. */
export type CliNextStep = ShellStep;

/** The CLI error object printed under --json: `{"ok":false,"error":{...}}`. */
export interface CliErrorJson {
  ok: false;
  error: { code: string; message: string; nextStep?: CliNextStep };
}

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
  return shellStep(step.command) ?? { text: step.label };
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
