import {
  BarController, BarElement, CategoryScale, Chart, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { format } from './dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Filler);

export type ChartKind = 'hbar' | 'bar' | 'line';

/** Colours and font from the VS Code theme (CSS variables on the page), read fresh on each render (notebook charts too). */
export function theme() {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    foreground: v('--vscode-charts-foreground', v('--vscode-foreground', '#cccccc')),
    lines: v('--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    primary: v('--vscode-charts-blue', '#3794ff'),
    secondary: v('--vscode-charts-purple', '#b180d7'),
    background: v('--vscode-editor-background', '#1e1e1e'),
    fontFamily: v('--vscode-font-family', 'sans-serif'),
    fontSize: Number.parseFloat(v('--vscode-font-size', '13')) || 13,
  };
}

type Theme = ReturnType<typeof theme>;

function config(kind: ChartKind, labels: string[], values: number[], label: string, t: Theme): ChartConfiguration {
  const horizontal = kind === 'hbar';
  const valueAxis = {
    grid: { color: t.lines },
    ticks: { color: t.foreground, callback: (v: string | number) => format.moneyShort(Number(v)) },
    beginAtZero: true,
  };
  const labelAxis = { grid: { display: false }, ticks: { color: t.foreground, autoSkip: kind === 'line' } };
  return {
    type: kind === 'line' ? 'line' : 'bar',
    data: {
      labels,
      datasets: [{
        label,
        data: values,
        backgroundColor: kind === 'line' ? `${t.primary}33` : t.primary,
        borderColor: t.primary,
        borderWidth: kind === 'line' ? 2 : 0,
        fill: kind === 'line',
        pointRadius: kind === 'line' ? 2 : undefined,
        tension: 0.25,
      }],
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      font: { family: t.fontFamily, size: t.fontSize },
      color: t.foreground,
      scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: {
        tooltip: { callbacks: { label: (ctx) => `${label}: ${format.money(Number(ctx.parsed[horizontal ? 'x' : 'y']))}` } },
      },
    } as ChartConfiguration['options'],
  };
}

/**
 * Charts given data since the last drawPendingCharts(). They are created together once the cards' DOM is built:
 * each new chart measures its box, and measuring between DOM changes lays the page out again every time.
 */
const pending = new Set<ThemedChart>();

/** Creates every chart rendered since the last call, with the theme read once. */
export function drawPendingCharts(): void {
  if (!pending.size) return;
  const t = theme();
  Chart.defaults.font.family = t.fontFamily;
  for (const chart of pending) chart.draw(t);
  pending.clear();
}

/** One chart on a canvas; re-created on theme change so every colour follows the theme. */
export class ThemedChart {
  private chart?: Chart;
  private last?: { labels: string[]; values: number[] };

  constructor(readonly canvas: HTMLCanvasElement, private readonly kind: ChartKind, private readonly label: string) {}

  /** Takes the data; the chart is drawn by the next drawPendingCharts(). */
  render(labels: string[], values: number[]): void {
    this.last = { labels, values };
    pending.add(this);
  }

  draw(t: Theme): void {
    if (!this.last) return;
    this.chart?.destroy();
    this.chart = new Chart(this.canvas, config(this.kind, this.last.labels, this.last.values, this.label, t));
  }

  rerender(): void {
    if (this.last) this.render(this.last.labels, this.last.values);
  }

  destroy(): void {
    pending.delete(this);
    this.chart?.destroy();
    this.chart = undefined;
  }

  /** PNG of the chart on the theme's background (the canvas itself is transparent). */
  toPng(): string {
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const ctx = out.getContext('2d');
    if (!ctx) return this.canvas.toDataURL('image/png');
    ctx.fillStyle = theme().background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(this.canvas, 0, 0);
    return out.toDataURL('image/png');
  }
}
