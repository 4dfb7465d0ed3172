/**
 * The dashboard page. Asks the host for one dataset per card, renders loading / error / empty / data states per
 * card (a failure never blanks the others), and reports back what it rendered. Filters and table settings live in
 * the webview state, so they survive hide/show and a window reload.
 */
import type { DatasetId, DatasetRequest, DatasetResult, FilterOptions, LakeStatus, TopProductsFilter } from '../../src/core/dashboard/model';
import {
  PRODUCT_SORT_COLUMNS, TOP_N_DEFAULT, TOP_N_MAX, TOP_N_MIN, validateProductsQuery, validateTopProductsFilter, type ProductsQuery,
} from '../../src/core/dashboard/queries';
import { parseHostMessage, type ErrorInfo, type HostMessage, type PageMessage, type RenderedReport } from '../../src/webview/protocol';
import { ThemedChart, type ChartKind } from './charts';
import { append, button, clear, el, format } from './dom';
import { dataTable, type SortState } from './table';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): unknown;
  setState(state: PageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface PageState {
  filter?: TopProductsFilter;
  salesDetailPage: number;
  products: ProductsQuery;
}

const vscode = acquireVsCodeApi();
const state: PageState = restoreState(vscode.getState());

function restoreState(raw: unknown): PageState {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Partial<PageState>;
  return {
    filter: s.filter && validateTopProductsFilter(s.filter) === undefined ? s.filter : undefined,
    salesDetailPage: Number.isInteger(s.salesDetailPage) && (s.salesDetailPage as number) >= 0 ? (s.salesDetailPage as number) : 0,
    products: s.products && validateProductsQuery(s.products) === undefined ? s.products
      : { page: 0, search: '', sortColumn: 'productCode', descending: false },
  };
}

function saveState(): void {
  vscode.setState(state);
}

function post(message: PageMessage): void {
  vscode.postMessage(message);
}

function report(r: RenderedReport): void {
  post({ type: 'rendered', report: r });
}

// ---- requests -------------------------------------------------------------------------------------------------

let nextRequestId = 1;
const latestRequest = new Map<DatasetId, number>();
const results = new Map<DatasetId, DatasetResult>();

/** Set while a Refresh reloads the cards, so the host runs the queries again instead of answering from its cache. */
let fresh = false;

function load(request: DatasetRequest): void {
  const requestId = nextRequestId++;
  latestRequest.set(request.id, requestId);
  cardFor(request.id)?.loading(() => post({ type: 'cancel', requestId }));
  post({ type: 'load', requestId, request, ...(fresh ? { fresh: true } : {}) });
}

function isLatest(dataset: DatasetId, requestId: number): boolean {
  return latestRequest.get(dataset) === requestId;
}

// ---- cards ----------------------------------------------------------------------------------------------------

interface CardOptions {
  chart?: ChartKind;
  chartLabel?: string;
  wide?: boolean;
  /** Extra controls shown above the body (Top-N filters). */
  controls?: HTMLElement;
  /** How to retry when this card's data failed (defaults to reloading the dataset). */
  retry?: () => void;
}

/** One card: header with title and actions, a live status line, and a body in one of four states. */
class Card {
  readonly root: HTMLElement;
  readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly actions: HTMLElement;
  readonly chart?: ThemedChart;
  private readonly chartBox?: HTMLElement;
  private readonly exportPng?: HTMLButtonElement;

  constructor(readonly dataset: DatasetId, readonly title: string, private readonly options: CardOptions = {}) {
    const headingId = `card-${dataset}-title`;
    this.actions = el('div', { class: 'actions', role: 'toolbar', 'aria-label': `${title} actions` });
    this.status = el('p', { class: 'status', 'aria-live': 'polite' });
    this.body = el('div', { class: 'body' });
    if (options.chart) {
      const canvas = el('canvas', { role: 'img', 'aria-label': `${title} chart; the data table below has the same values` });
      this.chartBox = el('div', { class: `chart ${options.chart}` }, canvas);
      this.chart = new ThemedChart(canvas, options.chart, options.chartLabel ?? 'Total sales');
      this.exportPng = button('Export PNG', () => post({ type: 'exportPng', dataset, dataUrl: this.chart!.toPng() }), { title: 'Save the chart as a PNG image' });
      this.actions.appendChild(this.exportPng);
    }
    append(this.actions,
      button('Export CSV', () => post({ type: 'exportCsv', dataset }), { title: 'Save the data as CSV' }),
      button('Copy SQL', () => post({ type: 'copySql', dataset }), { title: 'Copy the query to the clipboard' }));
    this.root = el('section', { class: `card${options.wide ? ' wide' : ''}`, 'aria-labelledby': headingId, 'data-dataset': dataset },
      el('header', {}, el('h2', { id: headingId }, title), this.actions),
      options.controls ?? null,
      this.status,
      this.body);
    this.setActionsEnabled(false);
  }

  private setActionsEnabled(enabled: boolean): void {
    for (const b of Array.from(this.actions.querySelectorAll('button'))) b.disabled = !enabled;
  }

  loading(cancel: () => void): void {
    this.root.setAttribute('aria-busy', 'true');
    this.root.dataset.state = 'loading';
    clear(this.status);
    append(this.status, el('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading… ',
      button('Cancel', cancel, { class: 'link', title: 'Cancel this query' }));
  }

  private settle(state: 'data' | 'empty' | 'error'): void {
    this.root.removeAttribute('aria-busy');
    this.root.dataset.state = state;
    clear(this.status);
    this.setActionsEnabled(state !== 'error');
    if (this.exportPng) this.exportPng.disabled = state !== 'data';
  }

  error(info: ErrorInfo): void {
    this.settle('error');
    this.chart?.destroy();
    clear(this.body);
    const retry = this.options.retry ?? (() => reload(this.dataset));
    const box = el('div', { class: 'error', role: 'alert' },
      el('p', {}, el('strong', {}, 'Query failed: '), info.message),
      el('div', { class: 'buttons' },
        button('Retry', retry),
        info.nextStep?.command ? button(info.nextStep.label, () => post({ type: 'runCommand', command: info.nextStep!.command! })) : null,
        button('Show Log', () => post({ type: 'runCommand', command: 'lifecycleLab.showLog' }), { class: 'secondary' })));
    this.body.appendChild(box);
    report({ dataset: this.dataset, state: 'error', rowCount: 0, labels: [], values: [], message: info.message });
  }

  cancelled(): void {
    this.settle('error');
    clear(this.body);
    this.body.appendChild(el('div', { class: 'empty' }, el('p', {}, 'Query cancelled.'), button('Run again', this.options.retry ?? (() => reload(this.dataset)))));
  }

  empty(message: string, extra: Partial<RenderedReport> = {}): void {
    this.settle('empty');
    this.chart?.destroy();
    clear(this.body);
    this.body.appendChild(el('div', { class: 'empty', role: 'status' }, el('p', {}, message)));
    report({ dataset: this.dataset, state: 'empty', rowCount: 0, labels: [], values: [], ...extra });
  }

  /** Chart (when the card has one) plus the data table behind it. */
  chartWithTable(result: DatasetResult, labels: string[], values: number[], extra: Partial<RenderedReport> = {}): void {
    this.settle('data');
    clear(this.body);
    if (this.chartBox) {
      this.body.appendChild(this.chartBox);
      this.chart!.render(labels, values);
    }
    const details = el('details', { class: 'table' }, el('summary', {}, `Data table (${format.rows(result.rows.length)})`),
      dataTable(result.columns, result.rows, { caption: this.title }));
    this.body.appendChild(details);
    this.footer(result);
    report({ dataset: this.dataset, state: 'data', rowCount: result.rows.length, labels, values, ...extra });
  }

  footer(result: DatasetResult): void {
    this.body.appendChild(el('p', { class: 'meta' }, `${format.rows(result.rows.length)} · ${Math.round(result.elapsedMs)} ms`));
  }

  settleData(): void {
    this.settle('data');
    clear(this.body);
  }
}

// ---- layout ---------------------------------------------------------------------------------------------------

const app = document.getElementById('app') as HTMLElement;

const banner = el('div', { class: 'banner', 'aria-live': 'polite' });
const warning = el('div', { class: 'warning', role: 'alert', hidden: true });
const header = el('header', { class: 'page' },
  el('div', { class: 'titles' }, el('h1', {}, 'Lifecycle Lab dashboard'), banner),
  el('div', { class: 'page-actions' }, button('Refresh', () => loadAll(true), { title: 'Run every query again' })));

const kpiCard = new Card('kpis', 'Key figures', { wide: true });
const lakeCard = new Card('lakeStatus', 'Lake', { wide: true });
const countryCard = new Card('salesByCountry', 'Total sales by country (top 10)', { chart: 'hbar' });
const lineCard = new Card('salesByProductLine', 'Sales by product line', { chart: 'bar' });
const monthlyCard = new Card('monthlySales', 'Monthly sales', { chart: 'line', wide: true });

// Top-N controls: native inputs, each with a label, so they work with the keyboard and screen readers.
const startInput = el('input', { type: 'date', id: 'top-start', required: true });
const endInput = el('input', { type: 'date', id: 'top-end', required: true });
const countrySelect = el('select', { id: 'top-country' });
const lineSelect = el('select', { id: 'top-line' });
const nInput = el('input', { type: 'range', id: 'top-n', min: TOP_N_MIN, max: TOP_N_MAX, step: 1, value: TOP_N_DEFAULT });
const nOutput = el('output', { for: 'top-n', id: 'top-n-value' }, String(TOP_N_DEFAULT));
const filterMessage = el('p', { class: 'filter-message', 'aria-live': 'polite' });
const topControls = el('form', { class: 'controls', 'aria-label': 'Top products filters' },
  el('label', { for: 'top-start' }, 'Start date', startInput),
  el('label', { for: 'top-end' }, 'End date', endInput),
  el('label', { for: 'top-country' }, 'Country', countrySelect),
  el('label', { for: 'top-line' }, 'Product line', lineSelect),
  el('label', { for: 'top-n', class: 'range' }, 'Top N ', nOutput, nInput),
  filterMessage);
topControls.addEventListener('submit', (e) => e.preventDefault());
const topCard = new Card('topProducts', 'Top products', { chart: 'hbar', wide: true, controls: topControls, retry: () => retryTopProducts() });

const productsQuery = el('input', { type: 'search', id: 'products-filter', placeholder: 'Code, name, line or vendor', value: state.products.search });
const productsCard = new Card('products', 'Products', {
  wide: true,
  controls: el('div', { class: 'controls' }, el('label', { for: 'products-filter' }, 'Filter products', productsQuery)),
});
const detailCard = new Card('salesDetail', 'Sales by order date, product line, product and country', { wide: true });

const cards: Partial<Record<DatasetId, Card>> = {
  kpis: kpiCard, lakeStatus: lakeCard, salesByCountry: countryCard, salesByProductLine: lineCard, monthlySales: monthlyCard,
  topProducts: topCard, products: productsCard, salesDetail: detailCard,
};

function cardFor(dataset: DatasetId): Card | undefined {
  return dataset === 'filterOptions' ? topCard : cards[dataset];
}

append(app, header, warning, el('div', { class: 'grid' },
  kpiCard.root, countryCard.root, lineCard.root, monthlyCard.root, topCard.root, productsCard.root, detailCard.root, lakeCard.root));
app.removeAttribute('aria-busy');

// ---- renderers ------------------------------------------------------------------------------------------------

function column(result: DatasetResult, name: string): Array<string | number | boolean | null> {
  const i = result.columns.findIndex((c) => c.name === name);
  return i < 0 ? [] : result.rows.map((r) => r[i]);
}

function renderChart(card: Card, result: DatasetResult, labelColumn: string, extra: Partial<RenderedReport> = {}, emptyMessage = 'No sales in the lake.',
  label: (v: string) => string = (v) => v): void {
  if (!result.rows.length) {
    card.empty(emptyMessage, extra);
    return;
  }
  const labels = column(result, labelColumn).map((v) => (v === null ? '(none)' : label(String(v))));
  const values = column(result, 'totalSales').map((v) => Number(v));
  card.chartWithTable(result, labels, values, extra);
}

function renderKpis(result: DatasetResult): void {
  if (!result.rows.length || column(result, 'orders')[0] === 0) {
    kpiCard.empty('The lake has no orders.');
    return;
  }
  kpiCard.settleData();
  const tiles: Array<[string, string, (n: number) => string]> = [
    ['totalSales', 'Total sales', format.money],
    ['orders', 'Orders', format.count],
    ['customers', 'Customers', format.count],
    ['averageOrderValue', 'Average order value', format.money],
  ];
  const list = el('dl', { class: 'kpis' });
  const values: number[] = [];
  for (const [name, label, fmt] of tiles) {
    const value = Number(column(result, name)[0] ?? 0);
    values.push(value);
    list.appendChild(el('div', { class: 'kpi' }, el('dt', {}, label), el('dd', {}, fmt(value))));
  }
  kpiCard.body.appendChild(list);
  kpiCard.footer(result);
  report({ dataset: 'kpis', state: 'data', rowCount: result.rows.length, labels: tiles.map((t) => t[0]), values });
}

function renderLake(result: DatasetResult): void {
  const s = result.lakeStatus;
  if (!s) return;
  renderBanner(s);
  lakeCard.settleData();
  const list = el('dl', { class: 'facts' });
  const fact = (k: string, v: string) => append(list, el('dt', {}, k), el('dd', {}, v));
  fact('Engine', s.engine);
  fact('Reads', s.source);
  fact('Model', s.model === 'legacy' ? 'original lab job (postalCode-keyed locations)' : s.model);
  fact('Fact rows', format.count(s.factRows));
  fact('Distinct order lines', format.count(s.orderLines));
  if (s.run) {
    fact('Last run', `${s.run.runId}${s.run.finishedAt ? ` · finished ${new Date(s.run.finishedAt).toLocaleString()}` : ''}`);
    if (s.run.engine) fact('Pipeline engine', s.run.engine);
  }
  lakeCard.body.appendChild(list);
  if (s.run?.checks.length) {
    const checks = el('ul', { class: 'checks', 'aria-label': 'Reconciliation checks' });
    for (const c of s.run.checks) {
      checks.appendChild(el('li', { class: c.ok ? 'ok' : 'failed' }, el('span', { class: 'mark', 'aria-hidden': 'true' }, c.ok ? '✓ ' : '✗ '),
        el('span', { class: 'visually-hidden' }, c.ok ? 'passed: ' : 'failed: '), c.name, c.detail ? el('span', { class: 'detail' }, ` — ${c.detail}`) : null));
    }
    lakeCard.body.appendChild(checks);
  }
  lakeCard.footer(result);
  report({ dataset: 'lakeStatus', state: 'data', rowCount: result.rows.length, labels: [s.model, s.inflated ? 'inflated' : 'ok'], values: [s.factRows, s.orderLines] });
}

function renderBanner(s: LakeStatus): void {
  clear(banner);
  append(banner, el('span', { class: 'engine' }, `${s.engine} · ${s.source}`));
  let badge: HTMLElement;
  if (!s.run) {
    badge = el('span', { class: 'badge neutral', title: 'The lake has no run manifest' }, 'No pipeline run recorded');
  } else {
    const passed = s.run.checks.filter((c) => c.ok).length;
    const when = s.run.finishedAt ? new Date(s.run.finishedAt).toLocaleString() : 'unknown time';
    badge = el('span', { class: `badge ${s.run.ok ? 'ok' : 'failed'}`, title: s.run.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}`).join('\n') },
      s.run.ok ? '✓ Reconciled' : '✗ Reconciliation failed', ` · ${passed}/${s.run.checks.length} checks · last run ${when}`);
  }
  banner.appendChild(badge);
  warning.hidden = s.warnings.length === 0;
  clear(warning);
  if (s.warnings.length) {
    append(warning, el('strong', {}, s.inflated ? 'Totals on this dashboard are inflated. ' : 'Check this lake. '));
    for (const w of s.warnings) append(warning, el('span', {}, `${w} `));
    append(warning, button('Run Pipeline', () => post({ type: 'runCommand', command: 'lifecycleLab.pipeline.run' })));
  }
}

// Products: the grid pages, sorts and searches in the engine (the lake can hold many thousands of products).
function loadProducts(): void {
  saveState();
  load({ id: 'products', query: state.products });
}

function renderProducts(result: DatasetResult): void {
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

function renderDetail(result: DatasetResult): void {
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

// ---- Top-N filters ----------------------------------------------------------------------------------------------

let options: FilterOptions | undefined;

function fillSelect(select: HTMLSelectElement, values: string[], allLabel: string, selected: string): void {
  clear(select);
  select.appendChild(el('option', { value: '' }, allLabel));
  for (const v of values) select.appendChild(el('option', { value: v }, v));
  select.value = values.includes(selected) ? selected : '';
}

function applyOptions(o: FilterOptions): void {
  options = o;
  const saved = state.filter;
  const filter: TopProductsFilter = saved ?? { startDate: o.firstOrderDate, endDate: o.lastOrderDate, country: '', productLine: '', n: TOP_N_DEFAULT };
  for (const input of [startInput, endInput]) { input.min = o.firstOrderDate; input.max = o.lastOrderDate; }
  fillSelect(countrySelect, o.countries, 'All countries', filter.country);
  fillSelect(lineSelect, o.productLines, 'All product lines', filter.productLine);
  setControls({ ...filter, country: countrySelect.value, productLine: lineSelect.value });
  report({ dataset: 'filterOptions', state: 'data', rowCount: o.countries.length + o.productLines.length, labels: o.countries, values: [] });
  filterChanged();
}

function setControls(f: TopProductsFilter): void {
  startInput.value = f.startDate;
  endInput.value = f.endDate;
  countrySelect.value = f.country;
  lineSelect.value = f.productLine;
  nInput.value = String(f.n);
  nOutput.textContent = String(f.n);
  nInput.setAttribute('aria-valuetext', `Top ${f.n}`);
}

function currentFilter(): TopProductsFilter {
  return { startDate: startInput.value, endDate: endInput.value, country: countrySelect.value, productLine: lineSelect.value, n: Number(nInput.value) };
}

function filterChanged(): void {
  if (!options) return;
  const filter = currentFilter();
  nOutput.textContent = String(filter.n);
  nInput.setAttribute('aria-valuetext', `Top ${filter.n}`);
  const problem = validateTopProductsFilter(filter);
  filterMessage.textContent = problem ?? '';
  if (problem) return;
  state.filter = filter;
  saveState();
  load({ id: 'topProducts', filter });
}

function retryTopProducts(): void {
  if (options) filterChanged();
  else load({ id: 'filterOptions' });
}

let sliderTimer: number | undefined;
for (const control of [startInput, endInput, countrySelect, lineSelect]) control.addEventListener('change', filterChanged);
nInput.addEventListener('input', () => {
  nOutput.textContent = nInput.value;
  window.clearTimeout(sliderTimer);
  sliderTimer = window.setTimeout(filterChanged, 120);
});

/** A filter from the host (e.g. the Open Dashboard command with arguments): merged into the controls. */
function applyHostFilter(partial: Partial<TopProductsFilter>): void {
  const merged = { ...(state.filter ?? currentFilter()), ...partial };
  state.filter = merged;
  saveState();
  if (!options) return; // applied when the options arrive
  for (const [select, value] of [[countrySelect, merged.country], [lineSelect, merged.productLine]] as const) {
    if (value && !Array.from(select.options).some((o) => o.value === value)) select.appendChild(el('option', { value }, value));
  }
  setControls(merged);
  filterChanged();
}

// ---- message routing --------------------------------------------------------------------------------------------

function render(result: DatasetResult): void {
  results.set(result.id, result);
  switch (result.id) {
    case 'lakeStatus': return renderLake(result);
    case 'kpis': return renderKpis(result);
    case 'salesByCountry': return renderChart(countryCard, result, 'country');
    case 'salesByProductLine': return renderChart(lineCard, result, 'productLine');
    case 'monthlySales': return renderChart(monthlyCard, result, 'month', {}, 'No sales in the lake.', format.month);
    case 'topProducts': {
      const filter = state.filter;
      return renderChart(topCard, result, 'productName', { filter }, 'No sales match these filters. Widen the dates or choose All.');
    }
    case 'filterOptions': return result.filterOptions ? applyOptions(result.filterOptions) : undefined;
    case 'products': return renderProducts(result);
    case 'salesDetail': return renderDetail(result);
  }
}

function onMessage(message: HostMessage): void {
  switch (message.type) {
    case 'result':
      if (isLatest(message.result.id, message.requestId)) render(message.result);
      return;
    case 'error':
      if (!isLatest(message.dataset, message.requestId)) return;
      if (message.dataset === 'lakeStatus') {
        clear(banner);
        banner.appendChild(el('span', { class: 'badge failed' }, 'Lake unavailable'));
      }
      cardFor(message.dataset)?.error(message.error);
      if (message.dataset === 'filterOptions') report({ dataset: 'filterOptions', state: 'error', rowCount: 0, labels: [], values: [], message: message.error.message });
      return;
    case 'cancelled':
      if (isLatest(message.dataset, message.requestId)) cardFor(message.dataset)?.cancelled();
      return;
    case 'refresh':
      loadAll(message.fresh === true);
      return;
    case 'setFilter':
      applyHostFilter(message.filter);
      return;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseHostMessage(event.data);
  if (message) onMessage(message);
  else console.warn('Lifecycle Lab dashboard: ignored an invalid message', event.data);
});

function reload(dataset: DatasetId): void {
  if (dataset === 'topProducts') retryTopProducts();
  else if (dataset === 'salesDetail') load({ id: 'salesDetail', page: state.salesDetailPage });
  else if (dataset === 'products') loadProducts();
  else load({ id: dataset } as DatasetRequest);
}

function loadAll(runAgain = false): void {
  options = undefined;
  fresh = runAgain;
  for (const id of ['lakeStatus', 'kpis', 'salesByCountry', 'salesByProductLine', 'monthlySales', 'filterOptions'] as const) load({ id });
  loadProducts();
  load({ id: 'salesDetail', page: state.salesDetailPage });
  fresh = false;
}

// Charts take their colours from the theme: draw them again when the theme changes.
new MutationObserver(() => {
  for (const card of Object.values(cards)) card?.chart?.rerender();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: 'ready' });
loadAll();
