/** What a redacted secret is replaced by: Terraform's own words for a value it hides. */
export const REDACTED = '(sensitive value)';

/**
 * The forms a secret can take in Terraform's output: as is, and quoted the way HCL and JSON print a string
 * (`"` and `\` escaped, control characters as \n, \t ...), which is how `plan`/`destroy` show an attribute.
 */
export function secretForms(secret: string): string[] {
  if (!secret) return [];
  const quoted = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, quoted])].sort((a, b) => b.length - a.length);
}

/** A function that removes every known secret (in each of its forms) from a text. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of forms) out = out.split(form).join(REDACTED);
    return out;
  };
}

/** Environment variables the terminal's filter reads the secrets' forms from (never the command line). */
export function redactionEnv(secrets: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  secrets.flatMap(secretForms).forEach((form, i) => { env[`LIFECYCLE_LAB_REDACT_${i}`] = form; });
  return env;
}

/**
 * A bash function named `terraform`, exported to the Terraform terminal through its environment (bash imports
 * `BASH_FUNC_<name>%%` variables as functions). It runs the real terraform and replaces each LIFECYCLE_LAB_REDACT_*
 * value in its output, line by line, so a value Terraform prints in clear (an attribute derived from a sensitive
 * variable, on destroy) never reaches the terminal. Quoted patterns match literally; the exit code is terraform's.
 * Output is piped, so Terraform sees no TTY; it keeps its colours and needs no input (TF_INPUT=0).
 */
export function redactingTerraformFunction(): Record<string, string> {
  const body = [
    '() {',
    'command terraform "$@" 2>&1 | {',
    'local line v n names; names=$(compgen -v LIFECYCLE_LAB_REDACT_);',
    'while IFS= read -r line || [ -n "$line" ]; do',
    'for n in $names; do v=${!n}; [ -n "$v" ] && line=${line//"$v"/"(sensitive value)"}; done;',
    'printf \'%s\\n\' "$line";',
    'done; };',
    'return "${PIPESTATUS[0]}";',
    '}',
  ].join(' ');
  return { 'BASH_FUNC_terraform%%': body };
}
