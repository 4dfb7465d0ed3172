import * as fs from 'node:fs';
import * as path from 'node:path';
import { secretForms } from './redact';

/** Local state files Terraform leaves in a module folder: the default workspace's and each named workspace's. */
function stateFiles(moduleDir: string): string[] {
  const names = ['terraform.tfstate', 'terraform.tfstate.backup'];
  const files = names.map((n) => path.join(moduleDir, n));
  const workspaces = path.join(moduleDir, 'terraform.tfstate.d');
  if (fs.existsSync(workspaces)) {
    for (const ws of fs.readdirSync(workspaces, { withFileTypes: true })) {
      if (ws.isDirectory()) files.push(...names.map((n) => path.join(workspaces, ws.name, n)));
    }
  }
  return files.filter((f) => fs.existsSync(f));
}

/**
 * Makes every local state file of the module readable by its owner only (Terraform writes them 0644), and names
 * those that hold a password: one of `secrets` (as is or JSON-escaped) or a Glue connection's PASSWORD property,
 * left by a run that gave Terraform the password (the state's backup keeps it even after a destroy).
 * Paths are relative to the module folder.
 */
export function protectStateFiles(moduleDir: string, secrets: readonly string[]): { holdingSecrets: string[] } {
  const forms = secrets.flatMap(secretForms);
  const holdingSecrets: string[] = [];
  for (const file of stateFiles(moduleDir)) {
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    const text = fs.readFileSync(file, 'utf8');
    if (/"PASSWORD"\s*:/.test(text) || forms.some((f) => text.includes(f))) holdingSecrets.push(path.relative(moduleDir, file));
  }
  return { holdingSecrets };
}

/** Removes the `*.tfplan` files in a folder (plans a window left behind when it went away); returns their names. */
export function removePlanFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const plans = fs.readdirSync(dir).filter((n) => n.endsWith('.tfplan'));
  for (const name of plans) fs.rmSync(path.join(dir, name), { force: true });
  return plans;
}
