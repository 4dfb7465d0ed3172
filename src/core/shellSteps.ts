/**
 * What a shell user does instead of an editor command: the one table of those counterparts. The CLI renders a core
 * next step with it (src/cli/errors.ts) and Check Lab's fixes carry its command line (src/core/check/checks.ts), so
 * "Run Pipeline is `lifecycle-lab pipeline run`" is written once. The editor's wording (a button label) stays with
 * each next step; only the shell's wording lives here.
 */
import type { CommandId } from './commandIds';
import { settingEnvVar } from './config';

/** A next step in shell terms: the text to print, and the command line to run or the variable to set. */
export interface ShellStep {
  text: string;
  /** A command line (usually `lifecycle-lab ...`) that performs the step. */
  run?: string;
  /** The environment variable to set. */
  env?: string;
}

const PASSWORD_VAR = 'LIFECYCLE_LAB_MYSQL_PASSWORD';

/** Editor commands that have a shell counterpart; one missing here is shown by its editor label alone. */
export const SHELL_STEPS: Partial<Record<CommandId, ShellStep>> = {
  'lifecycleLab.startLocalLab': { text: 'start the local lab: lifecycle-lab lab up', run: 'lifecycle-lab lab up' },
  'lifecycleLab.startEmulatedAws': { text: 'start the emulated AWS: lifecycle-lab lab up --aws', run: 'lifecycle-lab lab up --aws' },
  'lifecycleLab.pipeline.run': { text: 'run the pipeline: lifecycle-lab pipeline run', run: 'lifecycle-lab pipeline run' },
  'lifecycleLab.setDatabasePassword': { text: `set ${PASSWORD_VAR} to the database password`, env: PASSWORD_VAR },
  'lifecycleLab.source.discoverRds': { text: `set ${settingEnvVar('mysql.host')} to the RDS instance endpoint`, env: settingEnvVar('mysql.host') },
  'lifecycleLab.source.refresh': { text: 'list the source tables again: lifecycle-lab source tables', run: 'lifecycle-lab source tables' },
  'lifecycleLab.switchMode': { text: `set ${settingEnvVar('mode')} to local or aws`, env: settingEnvVar('mode') },
  'lifecycleLab.pipeline.showTerminal': { text: 'read the progress lines above (--verbose shows more)' },
  'lifecycleLab.pipeline.cancel': { text: 'wait for the running pipeline to finish, or stop it with Ctrl-C where it runs' },
  'lifecycleLab.terraform.apply': {
    text: 'apply the Terraform module and set its outputs: cd terraform && terraform apply && terraform output -json',
    run: 'cd terraform && terraform apply && terraform output -json',
  },
};

/** The shell counterpart of an editor command, when it has one. */
export function shellStep(command: CommandId | undefined): ShellStep | undefined {
  const step = command ? SHELL_STEPS[command] : undefined;
  return step && { ...step };
}
