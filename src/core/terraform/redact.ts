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
