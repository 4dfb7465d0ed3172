import * as vscode from 'vscode';

/** Read-only documents holding one whole cell value, opened from the preview grid. */
export const VALUE_SCHEME = 'lifecycle-lab-value';

/**
 * Serves `lifecycle-lab-value:` documents from the values the grid fetched; a value is dropped when its
 * document closes. Documents of a content provider are read-only in the editor.
 */
class ValueDocuments implements vscode.TextDocumentContentProvider {
  private readonly values = new Map<string, string>();
  private next = 1;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.values.get(uri.toString()) ?? 'This value is no longer held; open it again from the preview grid.\n';
  }

  add(name: string, text: string): vscode.Uri {
    const safe = name.replace(/[/\\?#%]/g, '_');
    const uri = vscode.Uri.from({ scheme: VALUE_SCHEME, path: `/${safe}.txt`, query: String(this.next++) });
    this.values.set(uri.toString(), text);
    return uri;
  }

  forget(uri: vscode.Uri): void {
    this.values.delete(uri.toString());
  }
}

let documents: ValueDocuments | undefined;

/** Registers the `lifecycle-lab-value:` scheme; call once at activation. */
export function registerValueDocuments(): vscode.Disposable {
  const provider = new ValueDocuments();
  documents = provider;
  const registrations = [
    vscode.workspace.registerTextDocumentContentProvider(VALUE_SCHEME, provider),
    vscode.workspace.onDidCloseTextDocument((doc) => { if (doc.uri.scheme === VALUE_SCHEME) provider.forget(doc.uri); }),
  ];
  return new vscode.Disposable(() => {
    for (const r of registrations) r.dispose();
    if (documents === provider) documents = undefined;
  });
}

/** Opens `text` in a read-only editor titled `name` (e.g. `classicmodels.customers · comments · row 3`). */
export async function openValueDocument(name: string, text: string): Promise<vscode.TextDocument> {
  if (!documents) throw new Error('The value documents are not registered (registerValueDocuments at activation).');
  const doc = await vscode.workspace.openTextDocument(documents.add(name, text));
  await vscode.window.showTextDocument(doc, { preview: true });
  return doc;
}
