/**
 * Which parser derives the model's column lineage: DuckDB's own (json_serialize_sql, in the extension already) or
 * sqlglot's lineage (Python). Both compute every lake column's source columns from glue/sql; the answers are
 * compared before any time is printed. 5 interleaved reps, min / median / max.
 *   node out/bench/lineage-parser.js
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lineageGraph } from '../src/core/lineage/graph';
import { findModelDir, loadModel } from '../src/core/lake/model';
import { SOURCE_TABLES } from '../src/core/lake/sourceSchema';
import { fmtSpread, spread } from './lib/stats';

const REPS = 5;

async function main(): Promise<void> {
  const modelDir = findModelDir();
  const files = await loadModel(modelDir);
  const request = JSON.stringify({
    models: files.map((f) => ({ table: f.table, published: f.published, text: fs.readFileSync(f.file, 'utf8') })),
    sources: Object.fromEntries(SOURCE_TABLES.map((t) => [t.name, t.columns.map((c) => c.name)])),
  });
  const script = path.join(__dirname, '..', '..', 'bench', 'lineage_sqlglot.py');
  const duck: number[] = [];
  const glot: number[] = [];
  const glotWork: number[] = [];
  let duckAnswer: Record<string, string[]> = {};
  let glotAnswer: Record<string, string[]> = {};
  for (let i = 0; i < REPS; i++) {
    let t0 = performance.now();
    const graph = await lineageGraph(modelDir); // a new DuckDB parser session each time: the editor's cold case
    duck.push(performance.now() - t0);
    duckAnswer = Object.fromEntries(graph.columns.filter((c) => c.published)
      .map((c) => [`${c.table}.${c.column}`.toLowerCase(), c.sources.map((s) => `${s.table}.${s.column}`.toLowerCase()).sort()]));

    t0 = performance.now();
    const child = spawnSync('python3', [script], { input: request, encoding: 'utf8' });
    glot.push(performance.now() - t0);
    if (child.status !== 0) throw new Error(`sqlglot lineage failed: ${child.stderr}`);
    const parsed = JSON.parse(child.stdout) as { importMs: number; lineageMs: number; sources: Record<string, string[]> };
    glotWork.push(parsed.lineageMs);
    glotAnswer = parsed.sources;
  }
  const differ = Object.keys({ ...duckAnswer, ...glotAnswer }).filter((k) => JSON.stringify(duckAnswer[k]) !== JSON.stringify(glotAnswer[k]));
  console.log(`lake columns: ${Object.keys(duckAnswer).length} (DuckDB) / ${Object.keys(glotAnswer).length} (sqlglot); answers differ on: ${differ.length ? differ.map((k) => `${k} duckdb=${duckAnswer[k]} sqlglot=${glotAnswer[k]}`).join('; ') : 'none'}`);
  const d = spread(duck);
  const g = spread(glot);
  console.log(`DuckDB (whole graph: model, cards and notebook cells; new parser session)  ${fmtSpread(d)} ms`);
  console.log(`sqlglot (lake columns' sources only; python3 process)                       ${fmtSpread(g)} ms, of which lineage ${fmtSpread(spread(glotWork))} ms`);
  if (!differ.length) console.log(`ratio sqlglot / DuckDB (median): ${(g.median / d.median).toFixed(1)}x`);
  else process.exitCode = 1;
}

void main();
