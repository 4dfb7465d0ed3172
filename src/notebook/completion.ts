import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../core/notebook/format';
import type { LabServices } from '../services';
import { SQL_LANGUAGE } from './serializer';

interface LakeNames {
  version: string;
  tables: Map<string, string[]>;
}

/**
 * Completion of lake table and column names in the notebook's SQL cells, from the backend's LakeCatalog (tables from
 * its overview, columns from each table's schema), read again when the lake's version changes.
 */
export class LakeCompletion implements vscode.CompletionItemProvider {
  private cache?: Promise<LakeNames>;

  constructor(private readonly services: LabServices) {
    services.onDidChangeBackend(() => { this.cache = undefined; });
  }

  private async names(): Promise<LakeNames> {
    const lake = (await this.services.backend()).lake;
    const version = await lake.version();
    const cached = await this.cache?.catch(() => undefined);
    if (cached && cached.version === version) return cached;
    this.cache = (async () => {
      const overview = await lake.overview();
      const tables = new Map<string, string[]>();
      await Promise.all(overview.tables.filter((t) => !t.problems?.length).map(async (t) => {
        const schema = await lake.schema(t.name).catch(() => undefined);
        tables.set(t.name, schema ? schema.rows.map((r) => String(r[0])) : []);
      }));
      return { version, tables };
    })();
    return this.cache;
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    let names: LakeNames;
    try {
      names = await this.names();
    } catch {
      return []; // no lake yet, or a catalog that cannot list: running the cell says why
    }
    const before = document.lineAt(position.line).text.slice(0, position.character);
    const qualifier = /([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z0-9_]*$/.exec(before)?.[1];
    const items: vscode.CompletionItem[] = [];
    const text = document.getText();
    for (const [table, columns] of names.tables) {
      if (!qualifier) {
        const item = new vscode.CompletionItem(table, vscode.CompletionItemKind.Struct);
        item.detail = `lake table (${columns.length} columns)`;
        item.documentation = columns.join(', ');
        items.push(item);
      }
      // After `alias.` every table's columns are offered (aliases are not resolved); without one, only the columns
      // of tables the cell names, so the list stays short.
      if (qualifier || new RegExp(`\\b${table}\\b`, 'i').test(text)) {
        for (const column of columns) {
          const item = new vscode.CompletionItem(column, vscode.CompletionItemKind.Field);
          item.detail = `${table}.${column}`;
          items.push(item);
        }
      }
    }
    return items;
  }
}

export function registerLakeCompletion(services: LabServices): vscode.Disposable {
  return vscode.languages.registerCompletionItemProvider(
    [{ notebookType: NOTEBOOK_TYPE, language: SQL_LANGUAGE }],
    new LakeCompletion(services),
    '.',
  );
}
