/** Key figures and the lake: the KPI tiles, the Lake card with its reconciliation checks, and the page banner. */
import { lakeBadge, type DatasetResult, type LakeStatus } from '../../src/core/dashboard/model';
import { Card, column } from './card';
import { append, button, clear, el, format } from './dom';
import { post, report } from './host';

export const banner = el('div', { class: 'banner', 'aria-live': 'polite' });
export const warning = el('div', { class: 'warning', role: 'alert', hidden: true });

export const kpiCard = new Card('kpis', 'Key figures', { wide: true });
export const lakeCard = new Card('lakeStatus', 'Lake', { wide: true });

export function renderKpis(result: DatasetResult): void {
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

export function renderLake(result: DatasetResult): void {
  const s = result.lakeStatus;
  if (!s) return;
  renderBanner(s);
  lakeCard.settleData();
  const list = el('dl', { class: 'facts' });
  const fact = (k: string, v: string) => append(list, el('dt', {}, k), el('dd', {}, v));
  fact('Engine', s.engine);
  fact('Reads', s.source);
  fact('Model', s.model === 'legacy' ? 'original lab job (postalCode-keyed locations)' : s.model);
  if (s.damaged.length) fact('Damaged tables', s.damaged.join(', '));
  fact('Fact rows', s.factRows === undefined ? 'unknown: fact_orders is damaged' : format.count(s.factRows));
  fact('Distinct order lines', s.orderLines === undefined ? 'unknown: fact_orders is damaged' : format.count(s.orderLines));
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
  report({ dataset: 'lakeStatus', state: 'data', rowCount: result.rows.length, labels: [s.model, s.inflated ? 'inflated' : 'ok', lakeBadge(s).text],
    values: [s.factRows, s.orderLines].filter((n): n is number => n !== undefined) });
}

function renderBanner(s: LakeStatus): void {
  clear(banner);
  append(banner, el('span', { class: 'engine' }, `${s.engine} · ${s.source}`));
  const badge = lakeBadge(s);
  const passed = s.run?.checks.filter((c) => c.ok).length ?? 0;
  const when = s.run?.finishedAt ? new Date(s.run.finishedAt).toLocaleString() : 'unknown time';
  const detail = s.damaged.length ? ' · Verify Lake names the files' : s.run ? ` · ${passed}/${s.run.checks.length} checks · last run ${when}` : '';
  banner.appendChild(el('span', { class: `badge ${badge.tone}`, title: badge.title }, badge.text, detail));
  warning.hidden = s.warnings.length === 0;
  clear(warning);
  if (s.warnings.length) {
    const lead = s.damaged.length ? 'This lake is damaged. ' : s.inflated ? 'Totals on this dashboard are inflated. ' : 'Check this lake. ';
    append(warning, el('strong', {}, lead));
    for (const w of s.warnings) append(warning, el('span', {}, `${w} `));
    if (s.damaged.length) append(warning, button('Verify Lake', () => post({ type: 'runCommand', command: 'lifecycleLab.lake.verify' })), ' ');
    append(warning, button('Run Pipeline', () => post({ type: 'runCommand', command: 'lifecycleLab.pipeline.run' })));
  }
}

/** The banner when the lake status could not be read. */
export function showLakeUnavailable(): void {
  clear(banner);
  banner.appendChild(el('span', { class: 'badge failed' }, 'Lake unavailable'));
}
