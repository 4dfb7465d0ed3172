import type { LakeComparison, TableComparison } from './lakes';
import type { CanonicalRow } from './merge';

/**
 * The comparison as people read it: side-by-side lines for the terminal (comparisonLines) and a Markdown document for
 * the editor's preview (comparisonMarkdown), both saying per table what differs: columns, rows, money totals, keys
 * only on one side and the first differing rows.
 */

const NULL_TEXT = 'NULL';

function shown(value: string | null | undefined): string {
  return value === null || value === undefined ? NULL_TEXT : value;
}

function count(n: number | undefined): string {
  return n === undefined ? '?' : n.toLocaleString('en-US');
}

function keyText(t: TableComparison, key: CanonicalRow): string {
  return t.key.map((name, i) => `${name}=${shown(key[i])}`).join(', ');
}

/** The key values of a whole row (rows carry every compared column; the key's positions are looked up by name). */
function rowKey(t: TableComparison, row: CanonicalRow): CanonicalRow {
  return t.key.map((name) => row[t.columns.findIndex((c) => c.name === name)]);
}

function status(t: TableComparison): string {
  return t.equal ? 'equal' : 'DIFFERENT';
}

function keyDescription(t: TableComparison): string {
  return t.keyFrom === 'none' ? 'no key declared: whole rows compared' : `key ${t.key.join(', ')}`;
}

/** Plain-text lines, one block per table, A and B in columns. */
export function comparisonLines(c: LakeComparison): string[] {
  const lines = [`A: ${c.left.name}  (${c.left.description})`, `B: ${c.right.name}  (${c.right.description})`, ''];
  for (const t of c.tables) {
    lines.push(`${t.table} (${keyDescription(t)}): ${status(t)}`);
    if (t.leftError) lines.push(`  A cannot read it: ${t.leftError}`);
    if (t.rightError) lines.push(`  B cannot read it: ${t.rightError}`);
    if (t.leftError || t.rightError) {
      lines.push(`  rows  A ${count(t.leftRows)}  B ${count(t.rightRows)}`, '');
      continue;
    }
    const grid: Array<[string, string, string, string]> = [['', 'A', 'B', '']];
    grid.push(['rows', count(t.leftRows), count(t.rightRows), t.leftRows === t.rightRows ? '' : '✗']);
    for (const m of t.money) grid.push([`SUM(${m.column})`, shown(m.left), shown(m.right), m.equal ? '' : '✗']);
    const widths = [0, 1, 2].map((i) => Math.max(...grid.map((row) => row[i].length)));
    for (const row of grid) {
      lines.push(`  ${row[0].padEnd(widths[0])}  ${row[1].padStart(widths[1])}  ${row[2].padStart(widths[2])}${row[3] ? `  ${row[3]}` : ''}`.trimEnd());
    }
    if (t.onlyLeftColumns.length) lines.push(`  columns only in A: ${t.onlyLeftColumns.join(', ')}`);
    if (t.onlyRightColumns.length) lines.push(`  columns only in B: ${t.onlyRightColumns.join(', ')}`);
    for (const m of t.typeMismatches) lines.push(`  column ${m.column}: ${m.left} in A, ${m.right} in B (not compared)`);
    if (t.problem) lines.push(`  rows not compared: ${t.problem}`);
    const rows = t.rows;
    if (rows) {
      if (rows.onlyLeftCount) {
        lines.push(`  keys only in A: ${count(rows.onlyLeftCount)}${more(rows.onlyLeftCount, rows.onlyLeft.length)}`);
        for (const row of rows.onlyLeft) lines.push(`    ${keyText(t, rowKey(t, row))}`);
      }
      if (rows.onlyRightCount) {
        lines.push(`  keys only in B: ${count(rows.onlyRightCount)}${more(rows.onlyRightCount, rows.onlyRight.length)}`);
        for (const row of rows.onlyRight) lines.push(`    ${keyText(t, rowKey(t, row))}`);
      }
      if (rows.differingCount) {
        lines.push(`  rows that differ: ${count(rows.differingCount)}${more(rows.differingCount, rows.differing.length)}`);
        for (const d of rows.differing) {
          const changes = d.columns.map((name) => {
            const i = t.columns.findIndex((col) => col.name === name);
            return `${name} A ${shown(d.left[i])} | B ${shown(d.right[i])}`;
          });
          lines.push(`    ${keyText(t, d.key)}: ${changes.join('; ')}`);
        }
      }
    }
    lines.push('');
  }
  const differing = c.tables.filter((t) => !t.equal).length;
  lines.push(c.equal ? `The lakes are equal: ${c.tables.length} tables.` : `The lakes differ: ${differing} of ${c.tables.length} tables.`);
  return lines;
}

function more(total: number, shownCount: number): string {
  return total > shownCount ? ` (the first ${shownCount} shown)` : '';
}

/** Text as Markdown shows it literally: every ASCII punctuation mark escaped, line breaks as spaces. */
export function markdownText(value: string): string {
  return value.replace(/[\\`*_{}[\]()#+\-.!|<>&~"'=:;,/?@$%^]/g, '\\$&').replace(/\r\n|\r|\n/g, ' ');
}

function cell(value: string | null | undefined): string {
  return value === null || value === undefined ? `*${NULL_TEXT}*` : markdownText(value);
}

/** A Markdown document of the comparison; every value from a lake escaped, so data never becomes markup. */
export function comparisonMarkdown(c: LakeComparison): string {
  const out: string[] = [
    '# Compare Lakes',
    '',
    `- **A**: ${markdownText(c.left.name)} (${markdownText(c.left.description)})`,
    `- **B**: ${markdownText(c.right.name)} (${markdownText(c.right.description)})`,
    '',
    c.equal ? `**The lakes are equal** (${c.tables.length} tables).` : `**The lakes differ** in ${c.tables.filter((t) => !t.equal).length} of ${c.tables.length} tables.`,
    '',
  ];
  for (const t of c.tables) {
    out.push(`## ${markdownText(t.table)}: ${t.equal ? 'equal' : 'different'}`, '', `${markdownText(keyDescription(t))}`, '');
    if (t.leftError) out.push(`A cannot read it: ${markdownText(t.leftError)}`, '');
    if (t.rightError) out.push(`B cannot read it: ${markdownText(t.rightError)}`, '');
    if (t.leftError || t.rightError) {
      out.push(`Rows: A ${count(t.leftRows)}, B ${count(t.rightRows)}`, '');
      continue;
    }
    out.push('| | A | B | |', '|---|---:|---:|---|');
    out.push(`| rows | ${count(t.leftRows)} | ${count(t.rightRows)} | ${t.leftRows === t.rightRows ? '' : '✗'} |`);
    for (const m of t.money) out.push(`| SUM\\(${markdownText(m.column)}\\) | ${cell(m.left)} | ${cell(m.right)} | ${m.equal ? '' : '✗'} |`);
    out.push('');
    if (t.onlyLeftColumns.length) out.push(`Columns only in A: ${t.onlyLeftColumns.map(markdownText).join(', ')}`, '');
    if (t.onlyRightColumns.length) out.push(`Columns only in B: ${t.onlyRightColumns.map(markdownText).join(', ')}`, '');
    for (const m of t.typeMismatches) out.push(`Column ${markdownText(m.column)}: ${markdownText(m.left)} in A, ${markdownText(m.right)} in B \\(not compared\\)`, '');
    if (t.problem) out.push(`Rows not compared: ${markdownText(t.problem)}`, '');
    const rows = t.rows;
    if (!rows) continue;
    // A row on one side only is shown whole: what is missing on the other side is the whole row.
    const rowHeader = `| ${t.columns.map((c) => markdownText(c.name)).join(' | ')} |`;
    const rowRule = `|${t.columns.map(() => '---').join('|')}|`;
    for (const [label, total, list] of [['A', rows.onlyLeftCount, rows.onlyLeft], ['B', rows.onlyRightCount, rows.onlyRight]] as const) {
      if (!total) continue;
      out.push(`### Keys only in ${label}: ${count(total)}${more(total, list.length)}`, '', rowHeader, rowRule);
      for (const row of list) out.push(`| ${row.map(cell).join(' | ')} |`);
      out.push('');
    }
    if (rows.differingCount) {
      out.push(`### Rows that differ: ${count(rows.differingCount)}${more(rows.differingCount, rows.differing.length)}`, '',
        '| key | column | A | B |', '|---|---|---|---|');
      for (const d of rows.differing) {
        for (const name of d.columns) {
          const i = t.columns.findIndex((col) => col.name === name);
          out.push(`| ${markdownText(keyText(t, d.key))} | ${markdownText(name)} | ${cell(d.left[i])} | ${cell(d.right[i])} |`);
        }
      }
      out.push('');
    }
  }
  return `${out.join('\n')}\n`;
}
