/**
 * The grids: the products grid (pages, sorts and searches in the engine: the lake can hold many thousands of
 * products) and the detailed sales grid (paged, its total counted after the first page arrives).
 */
import type { DatasetResult } from '../../src/core/dashboard/model';
import { PRODUCT_SORT_COLUMNS, type ProductsQuery } from '../../src/core/dashboard/parameters';
import { Card, load } from './card';
import { button, el, format } from './dom';
import { report, saveState, state } from './host';
import { dataTable, type SortState } from './table';

const productsQuery = el('input', { type: 'search', id: 'products-filter', placeholder: 'Code, name, line or vendor', value: state.products.search });
export const productsCard = new Card('products', 'Products', {
  wide: true,
  controls: el('div', { class: 'controls' }, el('label', { for: 'products-filter' }, 'Filter products', productsQuery)),
  retry: () => loadProducts(),
});
export const detailCard = new Card('salesDetail', 'Sales by order date, product line, product and country', {
  wide: true,
  retry: () => loadSalesDetail(),
});

export function loadProducts(): void {
  saveState();
  load({ id: 'products', query: state.products });
}

/** The detailed sales at the saved page. */
export function loadSalesDetail(): void {
  load({ id: 'salesDetail', page: state.salesDetailPage });
}

export function renderProducts(result: DatasetResult): void {
  const page = result.page ?? { index: 0, size: result.rows.length, totalRows: result.rows.length };
  const q = state.products;
  if (page.totalRows === 0) {
    productsCard.empty(q.search ? 'No product matches the filter.' : 'dim_products is empty.', { page: page.index });
    return;
  }
  if (!result.rows.length && page.index > 0) {
    state.products = { ...q, page: 0 };
    loadProducts();
    return;
  }
  productsCard.settleData();
  const sortIndex = result.columns.findIndex((c) => c.name === q.sortColumn);
  const table = dataTable(result.columns, result.rows, {
    caption: 'Products',
    sort: { column: sortIndex, descending: q.descending },
    serverSorted: true,
    onSort: (sort: SortState) => {
      const column = result.columns[sort.column]?.name;
      if (!(PRODUCT_SORT_COLUMNS as readonly string[]).includes(column)) return;
      state.products = { ...state.products, page: 0, sortColumn: column as ProductsQuery['sortColumn'], descending: sort.descending };
      loadProducts();
    },
  });
  productsCard.body.appendChild(el('div', { class: 'scroll' }, table));
  productsCard.body.appendChild(pager(page, result.rows.length, (index) => { state.products = { ...state.products, page: index }; loadProducts(); }));
  productsCard.footer(result);
  report({ dataset: 'products', state: 'data', rowCount: result.rows.length, labels: result.rows.map((r) => String(r[0])), values: [page.totalRows], page: page.index });
}

let productsTimer: number | undefined;
productsQuery.addEventListener('input', () => {
  window.clearTimeout(productsTimer);
  productsTimer = window.setTimeout(() => { state.products = { ...state.products, search: productsQuery.value.slice(0, 200), page: 0 }; loadProducts(); }, 250);
});

/** Previous / Next with the position, for a paged card. */
function pager(page: { index: number; size: number; totalRows: number; totalPending?: boolean }, shown: number, go: (index: number) => void): HTMLElement {
  const first = page.index * page.size + 1;
  const last = page.index * page.size + shown;
  const pages = Math.max(1, Math.ceil(page.totalRows / page.size));
  // While the total is being counted, a full page may have more after it.
  const position = page.totalPending
    ? `Rows ${format.count(first)}–${format.count(last)} · page ${page.index + 1} (counting the rows…)`
    : `Rows ${format.count(first)}–${format.count(last)} of ${format.count(page.totalRows)} · page ${page.index + 1} of ${format.count(pages)}`;
  return el('nav', { class: 'pager', 'aria-label': 'Pages' },
    button('Previous', () => go(page.index - 1), { disabled: page.index === 0 }),
    el('span', { 'aria-live': 'polite' }, position),
    button('Next', () => go(page.index + 1), { disabled: page.totalPending ? shown < page.size : page.index + 1 >= pages }));
}

export function renderDetail(result: DatasetResult): void {
  const page = result.page ?? { index: 0, size: result.rows.length, totalRows: result.rows.length };
  if (page.totalRows === 0) {
    detailCard.empty('No sales in the lake.', { page: page.index });
    return;
  }
  if (!result.rows.length && page.index > 0) {
    // The lake shrank under a saved page number: go back to the first page.
    state.salesDetailPage = 0;
    saveState();
    load({ id: 'salesDetail', page: 0 });
    return;
  }
  detailCard.settleData();
  const go = (index: number) => { state.salesDetailPage = index; saveState(); load({ id: 'salesDetail', page: index }); };
  detailCard.body.appendChild(el('div', { class: 'scroll' }, dataTable(result.columns, result.rows, { caption: detailCard.title })));
  detailCard.body.appendChild(pager(page, result.rows.length, go));
  detailCard.footer(result);
  // Reported once the total is known (the result with the total follows a pending one for the same request).
  if (page.totalPending) return;
  report({ dataset: 'salesDetail', state: 'data', rowCount: result.rows.length, labels: [], values: [page.totalRows], page: page.index });
}
