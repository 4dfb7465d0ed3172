import * as path from 'node:path';
import type { CliArgs, CliContext } from './context';
import { columnView, lineageGraph, type LakeReader } from '../core/lineage/graph';
import { findModelDir } from '../core/lake/model';
import type { ColumnLineage, ColumnRef } from '../core/model';

const refText = (r: ColumnRef) => `${r.table}.${r.column}`;
const readerText = (r: LakeReader) => `${r.kind} ${r.id}`;

/**
 * `lifecycle-lab lineage <table.column>`: where a column comes from and what reads it, derived from glue/sql and the
 * dashboard's and notebook's SQL (the graph the editor's Show Lineage draws).
 */
export async function run(args: CliArgs, ctx: CliContext): Promise<number> {
  const name = args.positionals.join('').trim();
  const modelDir = findModelDir();
  const view = columnView(await lineageGraph(modelDir), name);
  if (ctx.json) {
    ctx.out(JSON.stringify({ ok: true, ...view }));
    return 0;
  }
  const where = (c: ColumnLineage) => `${path.relative(process.cwd(), c.file) || c.file}:${c.line}`;
  if ('source' in view) {
    ctx.out(`${refText(view.source)} (source column)`);
  } else {
    const c = view.column;
    ctx.out(`${refText(c)} (${c.published ? 'lake' : 'staging'} column, ${where(c)})`);
    ctx.out(`  = ${c.expression}`);
    ctx.out(`  reads: ${c.reads.map(refText).join(', ')}`);
    ctx.out(`  source columns: ${c.sources.map(refText).join(', ')}`);
    for (const j of c.joins) ctx.out(`  join (${j.kind}): ${j.condition}`);
    for (const u of view.upstream) ctx.out(`  upstream ${refText(u)} = ${u.expression} (${where(u)})`);
  }
  for (const d of view.downstream) ctx.out(`  used by ${refText(d)} = ${d.expression} (${where(d)})`);
  ctx.out(`  read by: ${view.readers.length ? view.readers.map(readerText).join(', ') : 'no dashboard card or notebook cell'}`);
  return 0;
}
