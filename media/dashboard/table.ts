import type { QueryColumn, QueryValue } from '../../src/core/dashboard/model';
import { el, format } from './dom';

export interface SortState {
  column: number;
  descending: boolean;
}

export interface TableOptions {
  caption: string;
  /** Makes headers buttons that sort (client side). */
  sort?: SortState;
  onSort?: (sort: SortState) => void;
  /** Show at most this many rows (the caller says how many there are). */
  maxRows?: number;
  /** Rows come sorted already (by the engine); `sort` only marks the header. */
  serverSorted?: boolean;
}

/** A plain, accessible data table (caption, scoped headers, aria-sort). */
export function dataTable(columns: QueryColumn[], rows: QueryValue[][], options: TableOptions): HTMLTableElement {
  const shown = options.sort && !options.serverSorted ? sortRows(rows, options.sort) : rows;
  const limited = options.maxRows !== undefined ? shown.slice(0, options.maxRows) : shown;
  const head = el('tr');
  columns.forEach((c, i) => {
    const numeric = isNumericColumn(c);
    const th = el('th', { scope: 'col', class: numeric ? 'num' : undefined });
    if (options.onSort) {
      const active = options.sort?.column === i;
      th.setAttribute('aria-sort', active ? (options.sort!.descending ? 'descending' : 'ascending') : 'none');
      const b = el('button', { type: 'button', class: 'sort', title: `Sort by ${format.heading(c.name)}` }, format.heading(c.name), active ? (options.sort!.descending ? ' ▼' : ' ▲') : '');
      b.addEventListener('click', () => options.onSort!({ column: i, descending: active ? !options.sort!.descending : numeric }));
      th.appendChild(b);
    } else {
      th.textContent = format.heading(c.name);
    }
    head.appendChild(th);
  });
  const body = el('tbody');
  for (const row of limited) {
    const tr = el('tr');
    row.forEach((value, i) => tr.appendChild(el('td', { class: isNumericColumn(columns[i]) ? 'num' : undefined }, format.cell(value, columns[i]))));
    body.appendChild(tr);
  }
  return el('table', { class: 'data' }, el('caption', { class: 'visually-hidden' }, options.caption), el('thead', {}, head), body);
}

export function isNumericColumn(c: QueryColumn): boolean {
  return /INT|DECIMAL|DOUBLE|FLOAT|REAL|NUMERIC|HUGEINT/i.test(c.type);
}

function sortRows(rows: QueryValue[][], sort: SortState): QueryValue[][] {
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[sort.column];
    const y = b[sort.column];
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
    return String(x).localeCompare(String(y), 'en', { numeric: true }) * dir;
  });
}
