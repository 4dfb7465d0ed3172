import { LabError } from '../errors';
import type { QueryEngine } from './engine';
import { lakeTableName, sqlIdent } from './sqlText';

/**
 * One cell of a lake table, whole (the preview grid cuts long values), at the position the preview showed it:
 * the same unordered scan as the preview's pages, one row at that offset.
 */
export async function lakeCellValue(engine: QueryEngine, table: string, column: string, rowIndex: number): Promise<string | null> {
  lakeTableName(table);
  if (!Number.isSafeInteger(rowIndex) || rowIndex < 0) throw new LabError('internal', `Not a row number: ${rowIndex}`);
  const result = await engine.query(`select cast(${sqlIdent(column)} as varchar) from ${sqlIdent(table)} limit 1 offset ${rowIndex}`);
  if (result.rows.length === 0) throw new LabError('queryFailed', `Row ${rowIndex + 1} of ${table} is no longer in the lake; refresh the preview.`);
  const value = result.rows[0][0];
  return value === null || value === undefined ? null : String(value);
}
