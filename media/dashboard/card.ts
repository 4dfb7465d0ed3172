/**
 * The card lifecycle shared by every card: a request per dataset (only the latest answer counts), loading with
 * Cancel, error with Retry / next step / Show Log, cancelled, empty, and data; the Export PNG / Export CSV / Copy SQL
 * actions. A failure in one card never blanks the others.
 */
import type { DatasetId, DatasetRequest, DatasetResult } from '../../src/core/dashboard/model';
import type { ErrorInfo, RenderedReport } from '../../src/webview/protocol';
import { ThemedChart, type ChartKind } from './charts';
import { append, button, clear, el, format } from './dom';
import { noteMeta, post, report } from './host';
import { dataTable } from './table';

// ---- requests -------------------------------------------------------------------------------------------------

let nextRequestId = 1;
const latestRequest = new Map<DatasetId, number>();

/** Set while a Refresh reloads the cards, so the host runs the queries again instead of answering from its cache. */
let fresh = false;

/** Runs `loadCards` with every request it makes marked fresh (Refresh) or not. */
export function loadingFresh(runAgain: boolean, loadCards: () => void): void {
  fresh = runAgain;
  try {
    loadCards();
  } finally {
    fresh = false;
  }
}

export function load(request: DatasetRequest): void {
  const requestId = nextRequestId++;
  latestRequest.set(request.id, requestId);
  cardFor(request.id)?.loading(() => post({ type: 'cancel', requestId }));
  post({ type: 'load', requestId, request, ...(fresh ? { fresh: true } : {}) });
}

export function isLatest(dataset: DatasetId, requestId: number): boolean {
  return latestRequest.get(dataset) === requestId;
}

// ---- cards ----------------------------------------------------------------------------------------------------

const cards = new Map<DatasetId, Card>();

/** The card that shows a dataset's loading, error and cancelled states. */
export function cardFor(dataset: DatasetId): Card | undefined {
  return cards.get(dataset);
}

export function allCards(): Card[] {
  return [...new Set(cards.values())];
}

export interface CardOptions {
  chart?: ChartKind;
  chartLabel?: string;
  wide?: boolean;
  /** Extra controls shown above the body (Top-N filters). */
  controls?: HTMLElement;
  /** How to retry when this card's data failed (defaults to loading the dataset again). */
  retry?: () => void;
  /** Other datasets whose loading and failures this card shows (the Top-N card shows its filter options'). */
  alsoShows?: DatasetId[];
}

/** One card: header with title and actions, a live status line, and a body in one of four states. */
export class Card {
  readonly root: HTMLElement;
  readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly actions: HTMLElement;
  readonly chart?: ThemedChart;
  private readonly chartBox?: HTMLElement;
  private readonly exportPng?: HTMLButtonElement;
  private readonly retry: () => void;

  constructor(readonly dataset: DatasetId, readonly title: string, options: CardOptions = {}) {
    this.retry = options.retry ?? (() => load({ id: dataset } as DatasetRequest));
    for (const id of [dataset, ...(options.alsoShows ?? [])]) cards.set(id, this);
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
      button('Copy SQL', () => post({ type: 'copySql', dataset }), { title: 'Copy the query to the clipboard' }),
      button('Lineage', () => post({ type: 'showLineage', dataset }), { title: 'Show where the card\'s figures come from: lake columns, model expressions, source columns' }));
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
    const box = el('div', { class: 'error', role: 'alert' },
      el('p', {}, el('strong', {}, 'Query failed: '), info.message),
      el('div', { class: 'buttons' },
        button('Retry', this.retry),
        info.nextStep?.command ? button(info.nextStep.label, () => post({ type: 'runCommand', command: info.nextStep!.command! })) : null,
        button('Show Log', () => post({ type: 'runCommand', command: 'lifecycleLab.showLog' }), { class: 'secondary' })));
    this.body.appendChild(box);
    report({ dataset: this.dataset, state: 'error', rowCount: 0, labels: [], values: [], message: info.message });
  }

  cancelled(): void {
    this.settle('error');
    clear(this.body);
    this.body.appendChild(el('div', { class: 'empty' }, el('p', {}, 'Query cancelled.'), button('Run again', this.retry)));
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
    const scan = result.bytesScanned === undefined ? '' : ` · ${format.bytes(result.bytesScanned)} scanned`;
    const cost = result.costUsd === undefined ? '' : ` · ~$${result.costUsd < 0.01 ? result.costUsd.toPrecision(2) : result.costUsd.toFixed(2)}`;
    const when = result.recorded ? 'recorded by the pipeline run' : `${Math.round(result.elapsedMs)} ms`;
    const meta = `${format.rows(result.rows.length)} · ${when}${scan}${cost}`;
    this.body.appendChild(el('p', { class: 'meta' }, meta));
    noteMeta(this.dataset, meta);
  }

  settleData(): void {
    this.settle('data');
    clear(this.body);
  }
}

/** A column of a result by name (empty when the result has no such column). */
export function column(result: DatasetResult, name: string): Array<string | number | boolean | null> {
  const i = result.columns.findIndex((c) => c.name === name);
  return i < 0 ? [] : result.rows.map((r) => r[i]);
}
