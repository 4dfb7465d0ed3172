/**
 * The chart renderer for Lab notebook results (application/vnd.lifecycle-lab.chart+json): bar, line or none, first
 * chosen from the result's shape (chartShape: a line over dates, bars over labels) and switchable, with the value
 * column to plot; the bundled chart.js, coloured from the theme's CSS variables. Text goes in through textContent.
 */
import {
  BarController, BarElement, CategoryScale, Chart, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { theme } from '../dashboard/charts';
import { clear, el } from '../dashboard/dom';
import { chartShape, numericColumns, tableOutputFrom, type ChartKind, type TableOutput } from '../../src/core/notebook/execute';
import type { ActivationFunction, OutputItem } from './rendererApi';
import { injectStyle } from './style';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Filler);

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

function config(kind: Exclude<ChartKind, 'none'>, labels: string[], values: (number | null)[], label: string): ChartConfiguration {
  const t = theme();
  return {
    type: kind,
    data: {
      labels,
      datasets: [{
        label, data: values, backgroundColor: kind === 'line' ? `${t.primary}33` : t.primary, borderColor: t.primary,
        borderWidth: kind === 'line' ? 2 : 0, fill: kind === 'line', pointRadius: kind === 'line' ? 2 : undefined, tension: 0.25,
      }],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, color: t.foreground,
      font: { family: t.fontFamily },
      scales: {
        x: { grid: { display: false }, ticks: { color: t.foreground, autoSkip: true } },
        y: { grid: { color: t.lines }, ticks: { color: t.foreground, callback: (v: string | number) => compact.format(Number(v)) }, beginAtZero: true },
      },
      plugins: { tooltip: { callbacks: { label: (ctx) => `${label}: ${number.format(Number(ctx.parsed.y))}` } } },
    } as ChartConfiguration['options'],
  };
}

const charts = new Map<string, Chart>();

function renderChart(id: string, output: TableOutput, element: HTMLElement): void {
  charts.get(id)?.destroy();
  const numeric = numericColumns(output).filter((i) => i !== 0);
  let kind: ChartKind = chartShape(output);
  let valueColumn = numeric[0] ?? 1;
  const canvas = el('canvas', { 'aria-label': 'Chart of the result', role: 'img' });
  const frame = el('div', { class: 'lab-nb-canvas' }, canvas);
  const kindSelect = el('select', { 'aria-label': 'Chart type' },
    ...(['bar', 'line', 'none'] as const).map((k) => el('option', { value: k, selected: k === kind }, k === 'none' ? 'no chart' : `${k} chart`)));
  const valueSelect = el('select', { 'aria-label': 'Value column' },
    ...numeric.map((i) => el('option', { value: i, selected: i === valueColumn }, output.columns[i].name)));
  const draw = () => {
    charts.get(id)?.destroy();
    charts.delete(id);
    frame.hidden = kind === 'none';
    valueSelect.disabled = kind === 'none';
    if (kind === 'none') return;
    const labels = output.rows.map((r) => (r[0] === null ? 'NULL' : String(r[0])));
    const values = output.rows.map((r) => (typeof r[valueColumn] === 'number' ? r[valueColumn] as number : null));
    charts.set(id, new Chart(canvas, config(kind, labels, values, output.columns[valueColumn]?.name ?? '')));
  };
  kindSelect.addEventListener('change', () => { kind = kindSelect.value as ChartKind; draw(); });
  valueSelect.addEventListener('change', () => { valueColumn = Number(valueSelect.value); draw(); });
  const root = el('div', { class: 'lab-nb-chart' },
    el('div', {}, el('label', {}, 'Chart ', kindSelect), numeric.length > 1 ? el('label', {}, 'of ', valueSelect) : null),
    frame);
  clear(element);
  element.appendChild(root);
  draw();
}

export const activate: ActivationFunction = () => {
  injectStyle();
  return {
    renderOutputItem(item: OutputItem, element: HTMLElement) {
      // Any notebook may hold an output of this type: only a lab result, rebuilt field by field, is drawn.
      const output = tableOutputFrom(item.json());
      if (output) renderChart(item.id, output, element);
      else clear(element);
    },
    disposeOutputItem(id?: string) {
      for (const [key, chart] of charts) {
        if (id === undefined || key === id) { chart.destroy(); charts.delete(key); }
      }
    },
  };
};
