import * as path from 'node:path';
import * as vscode from 'vscode';
import { LabError } from '../core/errors';
import { NOTEBOOK_TYPE } from '../core/notebook/format';
import { labNotebookText } from '../core/notebook/labNotebook';
import type { LabServices } from '../services';
import { registerLakeCompletion } from './completion';
import { LabNotebookController } from './controller';
import { registerNotebookSerializer, SQL_LANGUAGE } from './serializer';

/**
 * The Lab notebook: the `.labnb` serializer, the controller on the backend's query engine, completion of lake names,
 * Open Lab Notebook (creates `lab.labnb` with the lab's analysis, or opens the one there) and Run Query on Selection
 * (a plain .sql file's selection, run in an untitled notebook so its result shows in the same renderers).
 */
export function registerNotebook(services: LabServices): { disposables: vscode.Disposable[]; controller: LabNotebookController } {
  const controller = new LabNotebookController(services);

  const show = async (document: vscode.NotebookDocument): Promise<vscode.NotebookEditor> => {
    controller.prefer(document);
    const editor = await vscode.window.showNotebookDocument(document);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: controller.id, extension: services.context.extension.id });
    return editor;
  };

  const openLab = async (): Promise<vscode.NotebookDocument> => {
    // Beside the lab in the extension's storage (the lab's own repository: its root), never in a user's folder.
    const uri = vscode.Uri.file(services.labLocation.notebookFile);
    const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
    // An existing lab.labnb is the learner's own work: it is opened, never overwritten.
    if (!exists) {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(uri.fsPath)));
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(labNotebookText()));
    }
    const document = await vscode.workspace.openNotebookDocument(uri);
    await show(document);
    services.log.info(`${exists ? 'Opened' : 'Created'} the lab notebook ${uri.fsPath}`);
    return document;
  };

  const runSelection = async (): Promise<vscode.NotebookDocument> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new LabError('config', 'Open a .sql file and select a query first.');
    const selected = editor.selections.map((s) => editor.document.getText(s)).filter((t) => t.trim()).join('\n');
    const sql = (selected || editor.document.getText()).trim();
    if (!sql) throw new LabError('queryFailed', 'The selection (and the file) holds no SQL to run.');
    const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, sql, SQL_LANGUAGE);
    const document = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([cell]));
    await show(document);
    await controller.execute(document.getCells(), document);
    return document;
  };

  return {
    controller,
    disposables: [
      controller,
      registerNotebookSerializer(),
      registerLakeCompletion(services),
      vscode.commands.registerCommand('lifecycleLab.notebook.openLab', services.command('Open Lab Notebook', openLab)),
      vscode.commands.registerCommand('lifecycleLab.notebook.runSelection', services.command('Run Query on Selection', runSelection)),
    ],
  };
}
