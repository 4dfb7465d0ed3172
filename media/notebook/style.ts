/** The renderers' styles, from the theme's CSS variables; added once per output webview (as text, not markup). */
const CSS = `
.lab-nb-table, .lab-nb-chart { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); }
.lab-nb-scroll { overflow-x: auto; max-height: 480px; overflow-y: auto; }
.lab-nb-table table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
.lab-nb-table th { position: sticky; top: 0; background: var(--vscode-editor-background); text-align: left; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); }
.lab-nb-table td { text-align: left; padding: 2px 10px; border-bottom: 1px solid var(--vscode-editorGroup-border, rgba(128,128,128,.15)); white-space: nowrap; max-width: 40em; overflow: hidden; text-overflow: ellipsis; }
.lab-nb-table td.lab-nb-num { text-align: right; font-variant-numeric: tabular-nums; }
.lab-nb-table td.lab-nb-null { color: var(--vscode-disabledForeground, #888); font-style: italic; }
.lab-nb-sort { background: none; border: none; color: inherit; font: inherit; font-weight: 600; cursor: pointer; padding: 4px 10px; }
.lab-nb-tools { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-top: 6px; }
.lab-nb-tools button, .lab-nb-chart select { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 2px 8px; cursor: pointer; }
.lab-nb-tools button:disabled { opacity: .5; cursor: default; }
.lab-nb-summary { margin-top: 4px; color: var(--vscode-descriptionForeground); }
.lab-nb-warning { color: var(--vscode-editorWarning-foreground); }
.lab-nb-chart .lab-nb-canvas { position: relative; height: 280px; max-width: 900px; }
.lab-nb-chart label { margin-right: 10px; }
`;

export function injectStyle(): void {
  if (document.getElementById('lifecycle-lab-notebook-style')) return;
  const style = document.createElement('style');
  style.id = 'lifecycle-lab-notebook-style';
  style.textContent = CSS;
  document.head.appendChild(style);
}
