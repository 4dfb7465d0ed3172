/**
 * The interactive Top-N products card: date range, country, product line and N as native labelled inputs (they
 * work with the keyboard and screen readers); the choice is kept in the page state.
 */
import type { DatasetResult, FilterOptions, TopProductsFilter } from '../../src/core/dashboard/model';
import { TOP_N_DEFAULT, TOP_N_MAX, TOP_N_MIN, validateTopProductsFilter } from '../../src/core/dashboard/parameters';
import { defaultTopProductsFilter } from '../../src/webview/dashboardRequests';
import { isTopProductsFilter } from '../../src/webview/protocol';
import { Card, load } from './card';
import { clear, el } from './dom';
import { report, saveState, state } from './host';
import { renderChart } from './salesCharts';

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

export const topCard = new Card('topProducts', 'Top products', {
  chart: 'hbar', wide: true, controls: topControls, retry: () => retryTopProducts(), alsoShows: ['filterOptions'],
});

/** The countries, product lines and date range to choose from; undefined until they arrive (again after a reload). */
let options: FilterOptions | undefined;

/**
 * The default filter the host expects for this lake (it knew the options when it opened the panel): asked for with
 * the first questions, and kept only if the options, once here, give the same default.
 */
const hintText = document.getElementById('app')?.dataset.topProducts;
let hint: TopProductsFilter | undefined = ((raw: unknown) => (isTopProductsFilter(raw) ? raw : undefined))(hintText ? JSON.parse(hintText) : undefined);
/** The filter of the latest Top-N request (what the card shows when its answer comes). */
let requested: TopProductsFilter | undefined;

function loadTop(filter: TopProductsFilter): void {
  requested = filter;
  load({ id: 'topProducts', filter });
}

/** With the page's first questions: the Top-N card at once when the host gave its default filter (no saved one). */
export function loadTopWithFirst(): void {
  if (hint && !state.filter) loadTop(hint);
}

export function forgetOptions(): void {
  options = undefined;
}

export function renderTopProducts(result: DatasetResult): void {
  const filter = requested ?? state.filter;
  renderChart(topCard, result, 'productName', { filter }, 'No sales match these filters. Widen the dates or choose All.');
}

function fillSelect(select: HTMLSelectElement, values: string[], allLabel: string, selected: string): void {
  clear(select);
  select.appendChild(el('option', { value: '' }, allLabel));
  for (const v of values) select.appendChild(el('option', { value: v }, v));
  select.value = values.includes(selected) ? selected : '';
}

export function applyOptions(o: FilterOptions): void {
  options = o;
  const saved = state.filter;
  const filter: TopProductsFilter = saved ?? defaultTopProductsFilter(o);
  for (const input of [startInput, endInput]) { input.min = o.firstOrderDate; input.max = o.lastOrderDate; }
  fillSelect(countrySelect, o.countries, 'All countries', filter.country);
  fillSelect(lineSelect, o.productLines, 'All product lines', filter.productLine);
  setControls({ ...filter, country: countrySelect.value, productLine: lineSelect.value });
  report({ dataset: 'filterOptions', state: 'data', rowCount: o.countries.length + o.productLines.length, labels: o.countries, values: [] });
  const asked = hint;
  hint = undefined; // once: a refresh after a lake change starts from the options again
  if (asked && !saved && JSON.stringify(currentFilter()) === JSON.stringify(asked)) {
    // Already asked with the first questions.
    state.filter = asked;
    saveState();
    return;
  }
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
  loadTop(filter);
}

export function retryTopProducts(): void {
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
export function applyHostFilter(partial: Partial<TopProductsFilter>): void {
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
