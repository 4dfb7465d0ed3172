/**
 * The preview grid page: draws rows the host sends, with DOM APIs only (textContent, never innerHTML).
 * NULL reads as NULL; long text is cut, its hover shows the start and says whether the host cut it, and a click
 * (or Enter) asks the host to open the whole value in a read-only editor. More rows load on demand.
 */
import { cellHover, displayCell, type GridColumn, type GridCut, type GridRendered, type GridToHost, type HostToGrid } from '../../src/webview/gridProtocol';

interface VsCodeApi {
  postMessage(message: GridToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const status = document.getElementById('status') as HTMLElement;
const table = document.getElementById('grid') as HTMLTableElement;
const head = table.tHead as HTMLTableSectionElement;
const body = table.tBodies[0];
const more = document.getElementById('more') as HTMLButtonElement;

let columns: GridColumn[] = [];
let title = '';
let orderBy: string[] = [];
let hasMore = false;
let loading = false;
const emptyCounts = (): GridRendered => ({ rowCount: 0, nullCells: 0, truncatedCells: 0, cutCells: 0, firstCutHover: '', firstRow: [] });
const counts: GridRendered = emptyCounts();

function drawHeader(): void {
  head.replaceChildren();
  const row = head.insertRow();
  const corner = document.createElement('th');
  corner.className = 'rownum';
  corner.textContent = '#';
  row.append(corner);
  for (const column of columns) {
    const th = document.createElement('th');
    th.textContent = column.name;
    th.title = `${column.name} ${column.type}${orderBy.includes(column.name) ? ' (primary key)' : ''}`;
    if (column.numeric) th.classList.add('num');
    if (orderBy.includes(column.name)) th.classList.add('key');
    row.append(th);
  }
}

function appendRows(rows: (string | null)[][], offset: number, cut: GridCut[]): void {
  const cutLength = new Map(cut.map((c) => [`${c.row}:${c.column}`, c.length]));
  const fragment = document.createDocumentFragment();
  rows.forEach((cells, i) => {
    const tr = document.createElement('tr');
    const num = document.createElement('td');
    num.className = 'rownum';
    num.textContent = String(offset + i + 1);
    tr.append(num);
    cells.forEach((cell, c) => {
      const td = document.createElement('td');
      const shown = displayCell(cell);
      td.textContent = shown.text;
      if (shown.isNull) {
        td.classList.add('null');
        counts.nullCells++;
      }
      const length = cutLength.get(`${i}:${c}`);
      if ((shown.truncated || length !== undefined) && cell !== null) {
        td.classList.add('truncated');
        td.title = cellHover(cell, length);
        td.tabIndex = 0;
        td.dataset.row = String(offset + i);
        td.dataset.column = String(c);
        counts.truncatedCells++;
        if (length !== undefined) {
          td.classList.add('cut');
          if (counts.cutCells === 0) counts.firstCutHover = td.title;
          counts.cutCells++;
        }
      }
      if (columns[c]?.numeric) td.classList.add('num');
      tr.append(td);
    });
    if (counts.rowCount === 0 && i === 0) counts.firstRow = cells.map((cell) => displayCell(cell, Number.MAX_SAFE_INTEGER).text);
    fragment.append(tr);
  });
  counts.rowCount += rows.length;
  body.append(fragment);
}

function showStatus(): void {
  const shown = counts.rowCount;
  const range = shown ? `rows 1–${shown.toLocaleString('en-US')}${hasMore ? ' (more available)' : ''}` : 'no rows';
  const order = orderBy.length ? ` · ordered by ${orderBy.join(', ')}` : ' · no primary key, order not guaranteed';
  status.textContent = `${title} · ${range}${order} · read-only`;
  more.hidden = !hasMore;
  more.disabled = loading;
}

function loadMore(): void {
  if (!hasMore || loading) return;
  loading = true;
  showStatus();
  vscode.postMessage({ type: 'loadMore' });
}

window.addEventListener('message', (event: MessageEvent<HostToGrid>) => {
  const message = event.data;
  switch (message.type) {
    case 'rows':
      title = message.title;
      columns = message.columns;
      orderBy = message.orderBy;
      hasMore = message.hasMore;
      loading = false;
      if (message.replace) {
        body.replaceChildren();
        Object.assign(counts, emptyCounts());
        drawHeader();
      }
      appendRows(message.rows, message.offset, message.cut);
      showStatus();
      vscode.postMessage({ type: 'rendered', ...counts });
      break;
    case 'loading':
      loading = true;
      status.textContent = title ? `${title} · loading…` : 'Loading…';
      more.disabled = true;
      break;
    case 'error':
      loading = false;
      status.textContent = message.message;
      status.classList.add('error');
      more.disabled = false;
      break;
  }
});

more.addEventListener('click', loadMore);

/** A long cell: the host opens its whole value (fetched again from the source or the lake when it was cut). */
function openValue(target: EventTarget | null): void {
  const td = target instanceof HTMLElement ? target.closest('td.truncated') : null;
  if (!(td instanceof HTMLElement)) return;
  const row = Number(td.dataset.row);
  const column = Number(td.dataset.column);
  if (Number.isInteger(row) && Number.isInteger(column)) vscode.postMessage({ type: 'openValue', row, column });
}
body.addEventListener('click', (event) => openValue(event.target));
body.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') openValue(event.target);
});
// Near the bottom, the next page comes by itself.
window.addEventListener('scroll', () => {
  if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 200) loadMore();
}, { passive: true });

vscode.postMessage({ type: 'ready' });
