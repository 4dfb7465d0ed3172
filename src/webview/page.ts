import * as vscode from 'vscode';
import { buildCsp, createNonce } from './csp';

export interface WebviewPageParts {
  title: string;
  /** Bundled page script, relative to the extension root (e.g. dist/webview/grid.js). */
  script: string;
  /** Stylesheet, relative to the extension root. */
  style: string;
  /** Static markup only: pages fill in data from messages with textContent, never through this HTML. */
  body: string;
}

/** The HTML shell every Lifecycle Lab webview loads: nonce CSP, resources through asWebviewUri. */
export function webviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, parts: WebviewPageParts): string {
  const nonce = createNonce();
  const resource = (relative: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...relative.split('/'))).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${buildCsp(webview, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${resource(parts.style)}">
<title>${parts.title}</title>
</head>
<body>
${parts.body}
<script nonce="${nonce}" src="${resource(parts.script)}"></script>
</body>
</html>`;
}
