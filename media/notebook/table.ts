/**
 * The table renderer for Lab notebook results (application/vnd.lifecycle-lab.table+json): pages of 50 rows, sorting by
 * any column (click its heading), NULL drawn as NULL, Copy CSV / Copy TSV of the rows kept, and Export for a result
 * that was cut. Every value goes in through textContent (el() in ../dashboard/dom), never as markup.
 */
import { button, clear, el } from '../dashboard/dom';
import { summaryLine, tableOutputFrom, toDelimited, type TableOutput } from '../../src/core/notebook/execute';
import type { QueryValue } from '../../src/core/query/engine';
import type { ActivationFunction, OutputItem, RendererContext } from './rendererApi';
import { injectStyle } from './style';

const PAGE_SIZE = 50;
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

type Sort = { column: number; descending: boolean } | undefined;

/** Nulls last whichever the direction; numbers as numbers, the rest as text. */
function compare(a: QueryValue, b: QueryValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

function valueText(value: QueryValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? count.format(value) : decimal.format(value);
  return String(value);
}

function renderTable(output: TableOutput & { resultId?: string }, element: HTMLElement, context: RendererContext): void {
  let page = 0;
  let sort: Sort;
  let order = output.rows.map((_, i) => i);
  const root = el('div', { class: 'lab-nb-table' });
  const status = el('span', { class: 'lab-nb-status', role: 'status' });

  const copy = (separator: ',' | '\t', label: string) => {
    const text = toDelimited(output.columns, order.map((i) => output.rows[i]), separator);
    const done = () => { status.textContent = `Copied ${count.format(order.length)} rows as ${label}`; };
    if (context.postMessage) {
      context.postMessage({ type: 'copy', text });
      done();
    } else {
      navigator.clipboard.writeText(text).then(done, () => { status.textContent = 'The clipboard refused the copy.'; });
    }
  };

  const draw = () => {
    clear(root);
    const pages = Math.max(1, Math.ceil(order.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const head = el('tr', {}, ...output.columns.map((c, i) => {
      const arrow = sort?.column === i ? (sort.descending ? ' ▼' : ' ▲') : '';
      const th = el('th', { scope: 'col', title: `${c.name} ${c.type}`.trim(), 'aria-sort': sort?.column === i ? (sort.descending ? 'descending' : 'ascending') : undefined },
        button(`${c.name}${arrow}`, () => {
          sort = sort?.column === i ? (sort.descending ? undefined : { column: i, descending: true }) : { column: i, descending: false };
          order = output.rows.map((_, r) => r);
          if (sort) {
            const s = sort;
            order.sort((a, b) => (s.descending ? -1 : 1) * compare(output.rows[a][s.column], output.rows[b][s.column]) || a - b);
          }
          page = 0;
          draw();
        }, { class: 'lab-nb-sort' }));
      return th;
    }));
    const body = el('tbody');
    for (const index of order.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)) {
      const row = output.rows[index];
      body.appendChild(el('tr', {}, ...row.map((v) => (v === null
        ? el('td', { class: 'lab-nb-null' }, 'NULL')
        : el('td', { class: typeof v === 'number' ? 'lab-nb-num' : undefined }, valueText(v))))));
    }
    const table = el('table', {}, el('thead', {}, head), body);
    const first = order.length ? page * PAGE_SIZE + 1 : 0;
    const last = Math.min(order.length, (page + 1) * PAGE_SIZE);
    const pager = el('span', { class: 'lab-nb-pager' },
      button('◀', () => { page--; draw(); }, { disabled: page === 0, title: 'Previous page', 'aria-label': 'Previous page' }),
      ` ${count.format(first)}–${count.format(last)} of ${count.format(order.length)} `,
      button('▶', () => { page++; draw(); }, { disabled: page >= pages - 1, title: 'Next page', 'aria-label': 'Next page' }));
    const tools = el('div', { class: 'lab-nb-tools' },
      pages > 1 ? pager : null,
      button('Copy CSV', () => copy(',', 'CSV'), { title: 'Copy the rows (in this order) as comma-separated values' }),
      button('Copy TSV', () => copy('\t', 'TSV'), { title: 'Copy the rows as tab-separated values (pastes into a spreadsheet)' }),
      output.truncated && output.resultId && context.postMessage
        ? button(output.countUnknown ? 'Export all rows…' : `Export all ${count.format(output.totalRows)} rows…`, () => context.postMessage?.({ type: 'export', resultId: output.resultId }), { title: 'Write the whole result to a CSV file' })
        : null,
      status);
    const summary = el('div', { class: `lab-nb-summary${output.truncated ? ' lab-nb-warning' : ''}` }, summaryLine(output));
    root.append(el('div', { class: 'lab-nb-scroll' }, table), summary, tools);
  };

  draw();
  clear(element);
  element.appendChild(root);
}

export const activate: ActivationFunction = (context) => {
  injectStyle();
  return {
    renderOutputItem(item: OutputItem, element: HTMLElement) {
      // Any notebook may hold an output of this type: only a lab result, rebuilt field by field, is drawn.
      const raw = item.json() as { resultId?: unknown };
      const output = tableOutputFrom(raw);
      if (!output) {
        clear(element);
        element.appendChild(el('div', { class: 'lab-nb-summary lab-nb-warning' }, 'This output is not a Lifecycle Lab result; it is not drawn.'));
        return;
      }
      const resultId = typeof raw?.resultId === 'string' ? raw.resultId : undefined;
      renderTable({ ...output, ...(resultId ? { resultId } : {}) }, element, context);
    },
  };
};
