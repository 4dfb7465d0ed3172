import * as path from 'node:path';
import { LabError, type NextStep } from '../errors';
import type { LakeProblem } from '../run/lakeCheck';

const RUN_PIPELINE: NextStep = { label: 'Run Pipeline', command: 'lifecycleLab.pipeline.run' };

/** The error a query on a damaged table gets: names the table(s) and file(s), offers Run Pipeline. */
export function lakeDamagedError(problems: LakeProblem[], cause?: unknown): LabError {
  const tables = [...new Set(problems.map((p) => p.table))];
  const what = tables.length === 1 ? `The lake table ${tables[0]} is damaged` : `The lake tables ${tables.join(', ')} are damaged`;
  const details = problems.slice(0, 3).map((p) => p.message).join(' ');
  const more = problems.length > 3 ? ` (${problems.length - 3} more problems)` : '';
  return new LabError('lakeDamaged', `${what}: ${details}${more} Run the pipeline to rewrite the lake.`, { nextStep: RUN_PIPELINE, cause });
}

/**
 * DuckDB's own words for an unreadable Parquet file (a truncated file has no footer "magic bytes", a garbled one
 * fails to decompress or decode) turned into problems naming the table and file: the file when the message names
 * one or when `files` are the one table's only file, else `tables` (the lake tables the query mentions). Undefined
 * when the message is about something else.
 */
export function parquetDamage(lakeDir: string, message: string, tables: string[], files: string[] = []): LakeProblem[] | undefined {
  const damage = /No magic bytes found|ZSTD|Decompression|Snappy|Varint-decoding|Variable-length int|Corrupt|Thrift|page header|Invalid Input Error: .*parquet|Failed to read file/i;
  if (!damage.test(message)) return undefined;
  const gold = path.join(lakeDir, 'gold');
  const reason = damageReason(message);
  const quoted = /(?:file|File) ['"]([^'"]+\.parquet)['"]/.exec(message)?.[1];
  if (quoted && path.resolve(quoted).startsWith(gold + path.sep)) {
    const [table, ...rest] = path.relative(gold, path.resolve(quoted)).split(path.sep);
    const file = rest.join('/');
    return [{ table, file, path: quoted, kind: 'unreadable', message: `${table}/${file} cannot be read as Parquet (${reason}).` }];
  }
  if (quoted) return undefined; // a file outside the lake (full session): DuckDB's message says it all
  if (!tables.length) return undefined;
  if (tables.length === 1 && files.length === 1) {
    const file = path.basename(files[0]);
    return [{ table: tables[0], file, path: files[0], kind: 'unreadable', message: `${tables[0]}/${file} cannot be read as Parquet (${reason}).` }];
  }
  return tables.map((table) => ({ table, file: '*', path: path.join(gold, table), kind: 'unreadable' as const,
    message: `a Parquet file of ${table} cannot be read (${reason}); Verify Lake names the file.` }));
}

/** DuckDB's first line about an unreadable Parquet file, without the path (the problem names the file) or SQL. */
function damageReason(message: string): string {
  if (/No magic bytes found/i.test(message)) return 'its Parquet footer is missing: the file is truncated';
  if (/ZSTD|Decompression|Snappy/i.test(message)) return 'its compressed data does not decompress';
  if (/Variable-length int|Varint-decoding|Thrift/i.test(message)) return 'its footer does not decode';
  const first = message.split('\n')[0].replace(/^[A-Za-z ]*Error: /, '').replace(/(?:file|File) ['"][^'"]*['"]:?\s*/g, '').trim();
  return first || 'unreadable';
}
