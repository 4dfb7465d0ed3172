import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError } from '../errors';

/**
 * Where the Terraform commands find the module and the Glue job, and where Terraform writes.
 *
 * - No `terraform.moduleDir` setting: the module the extension ships (`<extension>/terraform`, with the Glue job, its
 *   modules, the manifest schema and the model SQL in `<extension>/glue`), read from the extension's install path and
 *   never written there (it may be read-only). Terraform runs in a working folder in the lab's folder
 *   (`<labDir>/terraform`, see core/lab/location.ts): a copy of the module's .tf files, beside which Terraform keeps
 *   `.terraform/`, `.terraform.lock.hcl`, its state and backup; the module's `glue_dir` variable names the extension's
 *   `glue/` (unless `terraform.variables` gives one). Plans go to the extension's storage, as before.
 * - The setting names a module folder of the user's own: Terraform runs in it, as in any Terraform project.
 */
export interface TerraformLocation {
  /** The module's .tf files as shipped or set. */
  sourceDir: string;
  /** Where Terraform runs and writes (.terraform, lock file, state). Equal to sourceDir for a module of the user's own. */
  workDir: string;
  /** The Glue job's folder (glue_job.py, its modules, manifest.schema.json, sql/) for the shipped module; else unset. */
  glueDir?: string;
  /** Whether the module is the extension's own (copied to workDir before each command). */
  shipped: boolean;
}

export const MODULE_SETTING = 'lifecycleLab.terraform.moduleDir';

/** The module folder, checked: it must hold at least one .tf file. */
export function checkModuleDir(dir: string, shipped = false): string {
  if (tfFiles(dir).length === 0) {
    throw new LabError('config', shipped
      ? `No Terraform module in ${dir}: the installed extension lacks its terraform/ folder. Reinstall Lifecycle Lab, or point the module folder at a copy of the module.`
      : `No Terraform module in ${dir} (no .tf file). Point the module folder at the lab's terraform/ folder, or clear the setting to use the module the extension ships.`, {
      nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: MODULE_SETTING },
    });
  }
  return dir;
}

function tfFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.tf')).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/**
 * The location for a module setting (`undefined`: none set), the extension's install path and the lab's folder.
 * Checks the module; writes nothing.
 */
export function terraformLocation(moduleSetting: string | undefined, extensionPath: string, labDir: string): TerraformLocation {
  if (moduleSetting) {
    const dir = checkModuleDir(moduleSetting);
    return { sourceDir: dir, workDir: dir, shipped: false };
  }
  const sourceDir = checkModuleDir(path.join(extensionPath, 'terraform'), true);
  return { sourceDir, workDir: path.join(labDir, 'terraform'), glueDir: path.join(extensionPath, 'glue'), shipped: true };
}

/**
 * Makes the working folder of a shipped module hold exactly the module's .tf files (an update of the extension brings
 * new ones; a file the module no longer has is removed), leaving what Terraform wrote there (.terraform/, the lock
 * file, state) alone. Returns the working folder. Nothing is written in the module's own folder.
 */
export function syncWorkDir(location: TerraformLocation): string {
  if (!location.shipped) return location.workDir;
  fs.mkdirSync(location.workDir, { recursive: true, mode: 0o700 });
  const wanted = tfFiles(location.sourceDir);
  for (const name of tfFiles(location.workDir)) if (!wanted.includes(name)) fs.rmSync(path.join(location.workDir, name), { force: true });
  for (const name of wanted) {
    const text = fs.readFileSync(path.join(location.sourceDir, name));
    const to = path.join(location.workDir, name);
    let same = false;
    try {
      same = fs.readFileSync(to).equals(text);
    } catch {
      // not there yet
    }
    // Written anew (not copied): the installed file may be read-only, and its copy must stay writable for the next update.
    if (!same) fs.writeFileSync(to, text, { mode: 0o644 });
  }
  return location.workDir;
}

/**
 * A state an earlier version left in the workspace's `terraform/` (its default: the module run in place there). When
 * the shipped module's working folder has no state yet and that one records resources, Plan would create them all
 * again (in AWS: name clashes or duplicates), so the Terraform commands refuse and say how to keep it. Undefined when
 * there is no such state.
 */
export function strandedState(location: TerraformLocation, workspaceFolder: string | undefined): { file: string; resources: number } | undefined {
  if (!location.shipped || !workspaceFolder || fs.existsSync(path.join(location.workDir, 'terraform.tfstate'))) return undefined;
  const file = path.join(workspaceFolder, 'terraform', 'terraform.tfstate');
  let state: unknown;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const resources = typeof state === 'object' && state !== null && 'resources' in state && Array.isArray(state.resources) ? state.resources.length : 0;
  return resources > 0 ? { file, resources } : undefined;
}

/** The refusal for a stranded state: keep running where it is, or move it into the working folder. */
export function strandedStateError(stranded: { file: string; resources: number }, location: TerraformLocation): LabError {
  return new LabError('config', `${stranded.file} holds the state of ${stranded.resources} resources from an earlier version, which ran Terraform in `
    + `that folder. The module the extension ships now runs in ${location.workDir}, which has no state yet, so Terraform would plan every resource `
    + `anew. To keep using that state, set ${MODULE_SETTING} to "terraform"; or move terraform.tfstate (and its backup) into ${location.workDir}.`, {
    nextStep: { label: 'Open Settings', command: 'lifecycleLab.openSettings', setting: MODULE_SETTING },
  });
}

