import * as path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { LabError } from '../errors';
import { sqlLiteral } from './sqlText';

/**
 * The lake-only session: the engine reads the lake's gold folder and nothing else. DuckDB runs with
 * enable_external_access off and only gold/ in allowed_directories, its configuration locked, and only reading
 * statements are run, so no query writes a file or reads one outside the lake.
 */

/** Statements the lake-only engine runs: they read and write nothing but their result. */
const READING_STATEMENTS = new Set(['SELECT', 'EXPLAIN']);
/**
 * Words a reading statement starts with. Checked before DuckDB prepares the statement, because preparing some
 * statements already touches files (EXPORT DATABASE creates its folder); the prepared type is checked as well.
 */
const READING_KEYWORDS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'DESCRIBE', 'DESC', 'SHOW', 'SUMMARIZE', 'EXPLAIN']);

const FULL_SESSION_HINT = 'From the command line, `lifecycle-lab query --full` opens a full DuckDB session.';

/** The first word of a statement that makes it other than a read (undefined when it reads). EXPLAIN [ANALYZE] looks at what it explains. */
export function nonReadingKeyword(sql: string): string | undefined {
  const words = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*([A-Za-z_]+)/;
  let rest = sql;
  for (;;) {
    const match = words.exec(rest);
    if (!match) return (sql.trim().split(/\s+/)[0] || 'empty').toUpperCase();
    const word = match[1].toUpperCase();
    if (!READING_KEYWORDS.has(word)) return word;
    if (word !== 'EXPLAIN') return undefined;
    rest = rest.slice(match[0].length).replace(/^\s*(?:ANALY[SZ]E\b|\([^)]*\))?/i, '');
  }
}

/** Whether a prepared statement of this DuckDB statement type only reads. */
export function isReadingStatement(type: string): boolean {
  return READING_STATEMENTS.has(type);
}

export function notReadingError(what: string): LabError {
  return new LabError('queryFailed',
    `The lake engine reads only the lake and writes nothing: ${what} statements are not run (SELECT, WITH, DESCRIBE, ` +
    `SHOW, SUMMARIZE and EXPLAIN are). ${FULL_SESSION_HINT}`);
}

/** DuckDB's refusal to touch a file outside the lake, said as the sandbox's rule; undefined for any other error. */
export function outsideLakeError(message: string, lakeDir: string, cause: unknown): LabError | undefined {
  if (!/^Permission Error/i.test(message)) return undefined;
  const file = /Cannot access (?:file|directory) "([^"]*)"/i.exec(message)?.[1];
  return new LabError('queryFailed',
    `The lake engine reads only the lake (${path.join(lakeDir, 'gold')})${file ? `: ${file} is outside it` : ''}. ${FULL_SESSION_HINT}`, { cause });
}

/**
 * Reads of gold/ only (the views and the in-memory copy); no other file, no extension install, no ATTACH. The list
 * option cannot be given at create time, so it is set here, then the configuration is locked. Closes the instance
 * when that fails.
 */
export async function restrictToLake(instance: DuckDBInstance, lakeDir: string): Promise<void> {
  const setup = await instance.connect();
  try {
    await setup.run(`SET allowed_directories = [${sqlLiteral(path.resolve(lakeDir, 'gold') + path.sep)}]`);
    await setup.run('SET enable_external_access = false');
    await setup.run('SET lock_configuration = true');
  } catch (err) {
    instance.closeSync();
    throw new LabError('internal', `Could not restrict DuckDB to the lake: ${(err as Error).message}`, { cause: err });
  } finally {
    setup.closeSync();
  }
}
