/** The chart cards: total sales by country (top 10), by product line, and by month. */
import type { DatasetResult } from '../../src/core/dashboard/model';
import type { RenderedReport } from '../../src/webview/protocol';
import { Card, column } from './card';
import { format } from './dom';

export const countryCard = new Card('salesByCountry', 'Total sales by country (top 10)', { chart: 'hbar' });
export const lineCard = new Card('salesByProductLine', 'Sales by product line', { chart: 'bar' });
export const monthlyCard = new Card('monthlySales', 'Monthly sales', { chart: 'line', wide: true });

/** A chart of `totalSales` by `labelColumn` with its data table, or the empty state. */
export function renderChart(card: Card, result: DatasetResult, labelColumn: string, extra: Partial<RenderedReport> = {}, emptyMessage = 'No sales in the lake.',
  label: (v: string) => string = (v) => v): void {
  if (!result.rows.length) {
    card.empty(emptyMessage, extra);
    return;
  }
  const labels = column(result, labelColumn).map((v) => (v === null ? '(none)' : label(String(v))));
  const values = column(result, 'totalSales').map((v) => Number(v));
  card.chartWithTable(result, labels, values, extra);
}

export function renderCountries(result: DatasetResult): void {
  renderChart(countryCard, result, 'country');
}

export function renderProductLines(result: DatasetResult): void {
  renderChart(lineCard, result, 'productLine');
}

export function renderMonthly(result: DatasetResult): void {
  renderChart(monthlyCard, result, 'month', {}, 'No sales in the lake.', format.month);
}
