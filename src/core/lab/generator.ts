import type { MysqlTarget } from '../config';
import { LabError } from '../errors';
import type { LongWork } from '../progress';
import { DUMP_COUNTS, type TableCounts } from './db';

/** Row counts the generator produces at a scale: every table N times the dump's, except the 7 product lines. */
export function generatedCounts(scale: number): TableCounts {
  const c = {} as TableCounts;
  for (const [t, n] of Object.entries(DUMP_COUNTS) as [keyof TableCounts, number][]) c[t] = t === 'productlines' ? n : n * scale;
  return c;
}

export interface GenerateOptions extends LongWork {
  scale: number;
  database?: string;
  seed?: number;
}

export async function generateClassicmodels(_target: MysqlTarget, _opts: GenerateOptions): Promise<{ counts: TableCounts; seconds: number }> {
  throw new LabError('internal', 'The generator is not implemented yet.');
}
