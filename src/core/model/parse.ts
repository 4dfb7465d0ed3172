/**
 * SQL to syntax trees with DuckDB's own parser (`json_serialize_sql`), and expressions back to SQL text
 * (`json_deserialize_sql`). DuckDB is already loaded by the extension, parses every model and dashboard query in
 * one call, and gives each node its offset in the text; bench/lineage-parser.ts compares it with sqlglot.
 */
import { LabError } from '../errors';

/** A node of DuckDB's serialized parse tree (only the fields lineage reads are typed). */
export interface SqlNode {
  class?: string;
  type?: string;
  alias?: string;
  query_location?: number;
  /** A STAR's table qualifier (`c.*`), '' for a bare `*`. */
  relation_name?: string;
  /** A JOIN's kind: INNER, LEFT, … */
  join_type?: string;
  [key: string]: unknown;
}

export interface ParsedStatement {
  /** The SELECT (or set operation) node of the statement. */
  node: SqlNode;
}

interface Serialized {
  error: boolean;
  error_message?: string;
  statements?: { node: SqlNode }[];
}

/** Where DuckDB leaves a node's position unset (UINT64_MAX, which JSON numbers round). */
export function validLocation(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

type DuckDbConnection = import('@duckdb/node-api').DuckDBConnection;

/** One parser session: an in-memory DuckDB opened on first use, closed by close(). */
export class SqlParser {
  private connection?: Promise<{ connection: DuckDbConnection; close(): void }>;

  private async connect(): Promise<DuckDbConnection> {
    this.connection ??= (async () => {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      return { connection, close: () => { connection.closeSync(); instance.closeSync(); } };
    })();
    return (await this.connection).connection;
  }

  /** Parses each text as one SELECT statement; `names` label the errors (a file, a card). */
  async parse(texts: readonly string[], names: readonly string[]): Promise<ParsedStatement[]> {
    if (!texts.length) return [];
    const connection = await this.connect();
    const reader = await connection.runAndReadAll(
      'select json_serialize_sql(t.sql) as tree from unnest($texts::varchar[]) with ordinality as t(sql, i) order by t.i',
      { texts: await listValue(texts) },
    );
    return reader.getRowObjects().map((row, i) => {
      const tree = JSON.parse(String(row.tree)) as Serialized;
      if (tree.error || !tree.statements?.length) {
        throw new LabError('config', `${names[i]} could not be parsed: ${tree.error_message ?? 'no statement'}.`);
      }
      if (tree.statements.length > 1) throw new LabError('config', `${names[i]} holds more than one statement.`);
      return { node: tree.statements[0].node };
    });
  }

  /** Each expression as SQL text, in DuckDB's spelling (`CAST(x AS INTEGER)`), by rendering `SELECT <expr>`. */
  async render(expressions: readonly SqlNode[]): Promise<string[]> {
    if (!expressions.length) return [];
    const connection = await this.connect();
    const template = await this.selectTemplate();
    // An unset position came back as a rounded double that DuckDB cannot read again: positions do not matter here.
    const statements = expressions.map((e) => JSON.stringify({
      error: false, statements: [{ node: { ...template, select_list: [{ ...e, alias: '' }] }, named_param_map: [] }],
    }, (k, v: unknown) => (k === 'query_location' && !validLocation(v) ? 0 : v)));
    const reader = await connection.runAndReadAll(
      'select json_deserialize_sql(t.j::json) as text from unnest($statements::varchar[]) with ordinality as t(j, i) order by t.i',
      { statements: await listValue(statements) },
    );
    return reader.getRowObjects().map((row) => String(row.text).replace(/^SELECT\s+/i, '').trim());
  }

  private template?: SqlNode;

  private async selectTemplate(): Promise<SqlNode> {
    this.template ??= (await this.parse(['select 1'], ['template']))[0].node;
    return this.template;
  }

  close(): void {
    void this.connection?.then((c) => c.close(), () => undefined);
    this.connection = undefined;
  }
}

async function listValue(items: readonly string[]) {
  const { listValue: list } = await import('@duckdb/node-api');
  return list([...items]);
}
