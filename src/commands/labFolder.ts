import * as path from 'node:path';
import * as vscode from 'vscode';
import { LabError } from '../core/errors';
import type { LabServices } from '../services';

const MOVE = 'Move to Extension Storage';
const KEEP = 'Keep in Folder';
/** workspaceState: the older `.lab/` the user chose to keep in the folder (not asked again for it). */
const KEPT_KEY = 'lifecycleLab.folderLabKept';

/** The question, replaceable by tests: the chosen button, or undefined when dismissed. */
export type MovePrompt = (message: string, detail: string, ...actions: string[]) => Thenable<string | undefined>;

const modal: MovePrompt = (message, detail, ...actions) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions);

/**
 * A folder that holds a `.lab/` from an older version (written there before the lab moved to the extension's storage):
 * the move is offered in a modal, never done unasked. Keep in Folder (or a dismissed dialog) leaves it where it is and
 * the lab keeps working from there; Keep is remembered for this workspace. Returns what happened.
 */
export async function offerFolderLabMove(services: LabServices, prompt: MovePrompt = modal): Promise<'moved' | 'kept' | 'none'> {
  const from = services.labLocation;
  if (from.origin !== 'folder-lab') return 'none';
  if (services.context.workspaceState.get<string>(KEPT_KEY) === from.labDir) return 'kept';
  const target = path.join(services.storageDir, 'lab');
  const choice = await prompt(
    'This folder holds a .lab/ folder from an older Lifecycle Lab: the local lab\'s MariaDB data, lake, credentials and logs. Move it to the extension\'s storage, so the folder holds only your files?',
    `From ${from.labDir}\nTo ${target}\n\nA running local lab is stopped first (Start Local Lab starts it again from its new place). ${KEEP} leaves it where it is and Lifecycle Lab keeps using it there; to choose another folder, set lifecycleLab.local.labDir.`,
    MOVE, KEEP);
  if (choice !== MOVE) {
    if (choice === KEEP) await services.context.workspaceState.update(KEPT_KEY, from.labDir);
    services.log.info(`The lab stays in ${from.labDir} (${choice === KEEP ? 'kept by choice' : 'the move was not answered'}).`);
    return 'kept';
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Lifecycle Lab: moving the lab out of the folder' }, async () => {
    const { EmulatedAws } = await import('../core/lab/emulatedAws');
    if ((await new EmulatedAws(from.labDir).status()).running) {
      throw new LabError('config', `The emulated AWS runs from ${from.labDir}, so the lab was not moved.`, {
        nextStep: { label: 'Stop Emulated AWS, then reload the window to be asked again' },
      });
    }
    const { labFromConfig } = await import('../core/lab');
    const { moveLabDir } = await import('../core/lab/location');
    const lab = labFromConfig(services.config(), services.log, services.asset(), services.asset('data', 'mysqlsampledatabase.sql'));
    if (await lab.down()) services.log.info(`Local lab stopped to move ${from.labDir}`);
    moveLabDir(from.labDir, target);
  });
  services.relocateLab();
  services.log.info(`The lab moved from ${from.labDir} to ${services.labLocation.labDir}`);
  void vscode.window.showInformationMessage(`The lab moved to the extension's storage; the folder holds only your files now. ${services.labLocation.labDir}`);
  return 'moved';
}

/** Asks once the window is up (activation itself stays quick); a failure is shown like any command's. */
export function registerLabFolder(services: LabServices): vscode.Disposable[] {
  void offerFolderLabMove(services).catch((err: unknown) => services.showError('Moving the lab out of the folder', err));
  return [];
}
