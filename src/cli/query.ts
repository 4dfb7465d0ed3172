import { once } from 'node:events';
import { backendOptions, withBackend } from './backend';
import { cancelOnSigint, stringOption, usage, type CliArgs, type CliContext } from './context';
import type { QueryColumn, QueryValue } from '../core/query/engine';

/**
 * `lifecycle-lab query "<SQL>"`: the configured mode's query engine over its lake, the one the dashboard uses (locally
 * DuckDB reading the lake and nothing else, in AWS mode Athena); `--full` asks for a full DuckDB session over the local
 * lake's views. Rows are printed as the engine reads them (the result is never held whole), at most `--limit N`;
 * Ctrl-C interrupts the query.
 */
export async function run(args: CliArgs, ctx: CliContext): Promise<number> {
  const sql = args.positionals.join(' ').trim();
  const limitText = stringOption(args, 'limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!/^\d+$/.test(limitText!) || !Number.isSafeInteger(limit))) {
    return usage(ctx, 'usage: lifecycle-lab query "<SQL>" [--lake DIR] [--full] [--limit N] [--json]', `--limit takes a whole number of rows, not "${limitText}".`);
  }
  const printer = ctx.json ? jsonPrinter(ctx) : textPrinter(ctx);
  return withBackend(ctx, backendOptions(args), async (backend) => {
    const summary = await cancelOnSigint((signal) => backend.query.stream(sql, undefined, {
      signal,
      limit,
      onColumns: (columns) => printer.columns(columns),
      onRows: async (rows) => {
        printer.rows(rows);
        // A slow reader of stdout (a pipe, a pager) holds the reading back instead of the rows piling up here.
        if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
      },
    }));
    printer.end(summary.rowsRead, summary.more, Math.round(summary.stats.elapsedMs), limit);
    return 0;
  });
}

interface Printer {
  columns(columns: QueryColumn[]): void;
  rows(rows: QueryValue[][]): void;
  end(rows: number, more: boolean, elapsedMs: number, limit: number | undefined): void;
}

/** One JSON document, written as it goes: {"ok":true,"columns":[...],"rows":[...],"more":false,"elapsedMs":12}. */
function jsonPrinter(ctx: CliContext): Printer {
  let first = true;
  return {
    columns: (columns) => ctx.out(`{"ok":true,"columns":${JSON.stringify(columns)},"rows":[`),
    rows: (rows) => {
      ctx.out(`${first ? '' : ','}${rows.map((r) => JSON.stringify(r)).join(',')}`);
      first = false;
    },
    end: (_rows, more, elapsedMs) => ctx.out(`],"more":${more},"elapsedMs":${elapsedMs}}`),
  };
}

/**
 * Aligned columns, numbers to the right: the widths come from the header and the first batch of rows (later rows
 * are printed as they come, a longer value pushing its line out), with a row count on stderr at the end.
 */
function textPrinter(ctx: CliContext): Printer {
  let names: string[] = [];
  let widths: number[] | undefined;
  let numeric: boolean[] = [];
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths![i]) : v.padEnd(widths![i]))).join('  ').trimEnd();
  const start = (cells: string[][], rows: QueryValue[][]) => {
    widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => r[i].length)));
    numeric = names.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
    ctx.out(line(names));
    ctx.out(widths.map((w) => '-'.repeat(w)).join('  '));
  };
  return {
    columns: (columns) => { names = columns.map((c) => c.name); },
    rows: (rows) => {
      const cells = rows.map((row) => row.map((v) => (v === null ? 'NULL' : String(v))));
      if (!widths) start(cells, rows);
      for (const row of cells) ctx.out(line(row));
    },
    end: (rows, more, elapsedMs, limit) => {
      if (!widths) start([], []);
      const count = `${rows} row${rows === 1 ? '' : 's'}`;
      process.stderr.write(`${more ? `${count} shown (--limit ${limit}; the result has more)` : count} in ${elapsedMs} ms\n`);
    },
  };
}
