import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v from 'valibot';
import { FOLDER_LAB_DIR } from '../config';
import { LabError } from '../errors';
import { LAB_NOTEBOOK_FILE } from '../notebook/labNotebook';

/**
 * Where a workspace's lab lives (MariaDB data, lake, credentials, logs) and its lab notebook. One rule for the editor
 * and the CLI:
 *   1. `lifecycleLab.local.labDir` when set (LIFECYCLE_LAB_LOCAL_LABDIR for the CLI);
 *   2. `<folder>/.lab` when the folder is the lab's own repository (npm start, the tests, the CLI there);
 *   3. editor: the folder's index entry when it holds a lab (one the CLI made before the folder was opened in the
 *      editor); an older version's `<folder>/.lab` (its move to the storage is offered, never done unasked); then the
 *      extension's storage. The editor records its answer in a per-user index (XDG state dir) keyed by the folder,
 *      and gives it to its terminals as LIFECYCLE_LAB_LOCAL_LABDIR;
 *   4. CLI: the folder's index entry, an older version's `<folder>/.lab`, else a folder of its own in the user's
 *      state dir (recorded in the index).
 */


export type LabDirOrigin = 'setting' | 'lab-repository' | 'index' | 'folder-lab' | 'storage';

export interface LabLocation {
  labDir: string;
  origin: LabDirOrigin;
  /** Where Open Lab Notebook creates lab.labnb: the repository's root for the lab's own folder, else beside the lab. */
  notebookFile: string;
  /** Whether the folder is the lab's own repository (also when a setting moved its lab). */
  labRepository: boolean;
}

const RepositoryManifest = v.object({ name: v.literal('lifecycle-lab') });

/**
 * Whether `folder` is this repository, the lab's own: its package.json names lifecycle-lab, or it holds the lab's dump
 * and model (a copy of the lab without the extension's sources). Its `.lab/` stays where it always was.
 */
export function isLabRepository(folder: string): boolean {
  try {
    if (v.is(RepositoryManifest, JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')))) return true;
  } catch {
    // No readable package.json: the dump and model decide.
  }
  return fs.existsSync(path.join(folder, 'data', 'mysqlsampledatabase.sql')) && isDirectory(path.join(folder, 'glue', 'sql'));
}

/** Whether `dir` holds a lab (its state, credentials, MariaDB folder or lake), not merely a folder of that name. */
export function holdsLab(dir: string): boolean {
  return ['lab.json', 'credentials.json', 'mariadb', 'lake'].some((m) => fs.existsSync(path.join(dir, m)));
}

/** Whether `<folder>/.lab` holds a lab an older version wrote there. */
export function folderLabDir(folder: string): string | undefined {
  const dir = path.join(folder, FOLDER_LAB_DIR);
  return holdsLab(dir) ? dir : undefined;
}

export interface EditorLabInputs {
  /** The labDir setting as the user wrote it (empty: not set). */
  setting: string;
  /** The first workspace folder; undefined with no folder open. */
  folder?: string;
  /** The extension's storage for this folder (storageUri), or its global storage with no folder open. */
  storageDir: string;
  /** The per-user index's entry for the folder (readLabIndex), if any. */
  indexed?: string;
}

/** The editor's answer (rules 1 to 3). */
export function editorLabLocation(i: EditorLabInputs): LabLocation {
  const base = i.folder ?? i.storageDir;
  const labRepository = !!i.folder && isLabRepository(i.folder);
  const notebookBeside = path.join(i.storageDir, LAB_NOTEBOOK_FILE);
  if (labRepository) {
    const notebookFile = path.join(i.folder!, LAB_NOTEBOOK_FILE);
    if (i.setting) return { labDir: path.resolve(base, i.setting), origin: 'setting', notebookFile, labRepository };
    return { labDir: path.join(i.folder!, FOLDER_LAB_DIR), origin: 'lab-repository', notebookFile, labRepository };
  }
  if (i.setting) return { labDir: path.resolve(base, i.setting), origin: 'setting', notebookFile: notebookBeside, labRepository };
  const storageLab = path.join(i.storageDir, 'lab');
  // A lab the CLI made for this folder before the editor saw it: adopted, so the two keep to one lab.
  if (i.indexed && path.resolve(i.indexed) !== storageLab && holdsLab(i.indexed)) {
    return { labDir: path.resolve(i.indexed), origin: 'index', notebookFile: notebookBeside, labRepository };
  }
  const old = i.folder ? folderLabDir(i.folder) : undefined;
  if (old) return { labDir: old, origin: 'folder-lab', notebookFile: notebookBeside, labRepository };
  return { labDir: storageLab, origin: 'storage', notebookFile: notebookBeside, labRepository };
}

/**
 * The CLI's lab folder when LIFECYCLE_LAB_LOCAL_LABDIR is not set: for `cwd` or its nearest parent that has one (a
 * terminal in a subfolder finds the workspace's lab), the repository's `.lab`, the folder's index entry or an older
 * version's `.lab`; else a
 * folder of the CLI's own in the user's state dir, which `record` says to put in the index (the next run finds it).
 */
export function cliLabDir(cwd: string, env: NodeJS.ProcessEnv = process.env): { labDir: string; origin: LabDirOrigin; record: boolean } {
  const index = readLabIndex(env);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (isLabRepository(dir)) return { labDir: path.join(dir, FOLDER_LAB_DIR), origin: 'lab-repository', record: false };
    const entry = index[dir];
    if (entry) return { labDir: entry, origin: 'index', record: false };
    const old = folderLabDir(dir);
    if (old) return { labDir: old, origin: 'folder-lab', record: false };
    if (path.dirname(dir) === dir) break;
  }
  return { labDir: path.join(userStateDir(env), 'labs', folderKey(cwd)), origin: 'storage', record: true };
}

/** `$XDG_STATE_HOME/lifecycle-lab` (default `~/.local/state/lifecycle-lab`; `%LOCALAPPDATA%` on Windows). */
export function userStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME
    || (process.platform === 'win32' && env.LOCALAPPDATA ? env.LOCALAPPDATA : path.join(env.HOME || os.homedir(), '.local', 'state'));
  return path.join(base, 'lifecycle-lab');
}

/** The per-user index of lab folders, keyed by the workspace folder's absolute path. */
export function labIndexFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userStateDir(env), 'labs.json');
}

const LabIndex = v.object({ version: v.literal(1), folders: v.record(v.string(), v.pipe(v.string(), v.minLength(1))) });

/** The index's entries; an absent or unreadable index is empty (nothing recorded is the same as no index). */
export function readLabIndex(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  try {
    const parsed = v.safeParse(LabIndex, JSON.parse(fs.readFileSync(labIndexFile(env), 'utf8')));
    return parsed.success ? parsed.output.folders : {};
  } catch {
    return {};
  }
}

/**
 * Records (or, with undefined, forgets) the lab folder of `folder`. Written whole to a temporary file and renamed, so a
 * reader never sees half of it; an unchanged entry writes nothing.
 */
export function recordLabDir(folder: string, labDir: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const key = path.resolve(folder);
  const folders = readLabIndex(env);
  if (folders[key] === labDir) return;
  if (labDir === undefined) delete folders[key];
  else folders[key] = labDir;
  const file = labIndexFile(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ version: 1, folders }, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Moves an older version's `<folder>/.lab` to `target` (a rename, or a copy and removal across file systems). Refuses
 * when `target` already holds something, so nothing is overwritten.
 */
export function moveLabDir(from: string, target: string): void {
  if (fs.existsSync(target) && fs.readdirSync(target).length) {
    throw new LabError('config', `The lab cannot move to ${target}: that folder already holds files. It stays in ${from}.`, {
      nextStep: { label: `Move or remove ${target}, or set lifecycleLab.local.labDir to ${from}`, setting: 'lifecycleLab.local.labDir' },
    });
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { recursive: true, force: true });
  try {
    fs.renameSync(from, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    // Sockets (a server's, left behind) cannot be copied and mean nothing once moved.
    fs.cpSync(from, target, { recursive: true, preserveTimestamps: true, filter: (src) => !fs.lstatSync(src).isSocket() });
    fs.rmSync(from, { recursive: true, force: true });
  }
}

/** A short, stable folder name for `folder`: its base name and a hash of its full path. */
function folderKey(folder: string): string {
  const abs = path.resolve(folder);
  const name = path.basename(abs).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'root';
  return `${name}-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
