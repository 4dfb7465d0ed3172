/**
 * The dashboard page: lays the cards out, asks the host for one dataset per card, and routes the host's messages
 * to the cards (see card.ts for the states a card goes through; a failure never blanks the others). Filters and
 * table settings live in the webview state, so they survive hide/show and a window reload.
 */
import { mark, markPainted } from './timing';
import type { DatasetResult } from '../../src/core/dashboard/model';
import { initialRequests } from '../../src/webview/dashboardRequests';
import { parseHostMessage, type HostMessage } from '../../src/webview/protocol';
import { allCards, cardFor, isLatest, load, loadingFresh } from './card';
import { drawPendingCharts } from './charts';
import { append, button, el } from './dom';
import { detailCard, productsCard, renderDetail, renderProducts } from './grids';
import { post, report, saveState, state } from './host';
import { banner, kpiCard, lakeCard, renderKpis, renderLake, showLakeUnavailable, warning } from './keyFigures';
import { countryCard, lineCard, monthlyCard, renderCountries, renderMonthly, renderProductLines } from './salesCharts';
import { applyHostFilter, applyOptions, forgetOptions, loadTopWithFirst, renderTopProducts, topCard } from './topProducts';

// ---- layout ---------------------------------------------------------------------------------------------------

const app = document.getElementById('app') as HTMLElement;

const header = el('header', { class: 'page' },
  el('div', { class: 'titles' }, el('h1', {}, 'Lifecycle Lab dashboard'), banner),
  el('div', { class: 'page-actions' }, button('Refresh', () => loadAll(true), { title: 'Run every query again' })));

append(app, header, warning, el('div', { class: 'grid' },
  kpiCard.root, countryCard.root, lineCard.root, monthlyCard.root, topCard.root, productsCard.root, detailCard.root, lakeCard.root));
app.removeAttribute('aria-busy');

// ---- message routing --------------------------------------------------------------------------------------------

function render(result: DatasetResult): void {
  switch (result.id) {
    case 'lakeStatus': return renderLake(result);
    case 'kpis': return renderKpis(result);
    case 'salesByCountry': return renderCountries(result);
    case 'salesByProductLine': return renderProductLines(result);
    case 'monthlySales': return renderMonthly(result);
    case 'topProducts': return renderTopProducts(result);
    case 'filterOptions': return result.filterOptions ? applyOptions(result.filterOptions) : undefined;
    case 'products': return renderProducts(result);
    case 'salesDetail': return renderDetail(result);
  }
}

function onMessage(message: HostMessage): void {
  switch (message.type) {
    case 'result':
      if (!isLatest(message.result.id, message.requestId)) return;
      mark(`result:${message.result.id}`);
      queueRender(message.requestId, message.result);
      return;
    case 'error':
      if (!isLatest(message.dataset, message.requestId)) return;
      if (message.dataset === 'lakeStatus') showLakeUnavailable();
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

/**
 * Results are drawn in a task of their own, together with those that arrived meanwhile: a burst of answers is laid
 * out once, and what the page sends in between (the Top-N request that follows the filter options) leaves first:
 * the page shares its thread with the editor window that forwards it.
 */
let toRender: Array<{ requestId: number; result: DatasetResult }> = [];

function queueRender(requestId: number, result: DatasetResult): void {
  // Filter options first: the Top-N request waits for them.
  if (result.id === 'filterOptions') {
    render(result);
    mark('drawn:filterOptions');
    markPainted('filterOptions');
    return;
  }
  if (!toRender.length) setTimeout(renderQueued, 0);
  toRender.push({ requestId, result });
}

function renderQueued(): void {
  const queued = toRender;
  toRender = [];
  const drawn: string[] = [];
  for (const { requestId, result } of queued) {
    if (!isLatest(result.id, requestId)) continue;
    render(result);
    drawn.push(result.id);
  }
  drawPendingCharts();
  for (const id of drawn) {
    mark(`drawn:${id}`);
    markPainted(id);
  }
}

let firstMessage = true;
window.addEventListener('message', (event: MessageEvent) => {
  if (firstMessage) mark('firstMessage');
  firstMessage = false;
  const message = parseHostMessage(event.data);
  if (message) onMessage(message);
  else console.warn('Lifecycle Lab dashboard: ignored an invalid message', event.data);
});

function loadAll(runAgain = false): void {
  forgetOptions();
  saveState();
  // The same requests, in the same order, that the host starts as the panel opens (src/webview/dashboardRequests.ts).
  loadingFresh(runAgain, () => {
    for (const request of initialRequests(state)) load(request);
    loadTopWithFirst();
  });
}

// Charts take their colours from the theme: draw them again when the theme changes.
new MutationObserver(() => {
  for (const card of allCards()) card.chart?.rerender();
  drawPendingCharts();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

mark('scriptEvaluated');
post({ type: 'ready' });
loadAll();
