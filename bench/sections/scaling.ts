/** Section 5: the DuckDB pipeline at scale N, the least-squares fit of its run time, and the chart (PNG beside the results). */
import * as path from 'node:path';
import { fitLine, fmtMb, fmtMs, fmtRate, fmtSpread, mdTable, median, spread } from '../lib/stats';
import type { PipelineFigures } from './pipeline';

export async function renderScaling(f: PipelineFigures, outPng: string): Promise<string[]> {
  const { results, scalingScales, sparkShared } = f;
  const lines: string[] = [];
  const scaleRows: string[][] = [];
  const wallMed: number[] = [];
  const rssMed: number[] = [];
  const sparkWall: number[] = [];
  const sparkRss: number[] = [];
  for (const scale of scalingScales) {
    const r = results.get(scale)!;
    wallMed.push(median(r.duck.map((d) => d.wallMs)));
    rssMed.push(median(r.duck.map((d) => d.peakRssBytes)));
    sparkWall.push(r.spark.length && !sparkShared ? median(r.spark.map((s) => s.wallMs)) : Number.NaN);
    sparkRss.push(r.spark.length && !sparkShared ? median(r.spark.map((s) => s.peakRssBytes)) : Number.NaN);
    scaleRows.push([`x${scale}`, r.sourceRows.toLocaleString('en-US'), fmtSpread(spread(r.duck.map((d) => d.wallMs))), fmtSpread(spread(r.duck.map((d) => d.value.runMs))),
      fmtSpread(spread(r.duck.map((d) => d.peakRssBytes)), fmtMb), fmtRate(r.sourceRows / (median(r.duck.map((d) => d.value.runMs)) / 1000))]);
  }
  const rows = scalingScales.map((s) => results.get(s)!.sourceRows);
  lines.push('## 5. Scaling: the DuckDB pipeline at scale N', '', mdTable(['scale', 'source rows', 'wall ms', 'run ms (in process)', 'peak RSS', 'rows/s (run)'], scaleRows), '');
  if (scalingScales.length >= 2) {
    const fit = fitLine(rows, scalingScales.map((s) => median(results.get(s)!.duck.map((d) => d.value.runMs))));
    const [a, b] = [rows.length - 2, rows.length - 1];
    const runA = median(results.get(scalingScales[a])!.duck.map((d) => d.value.runMs));
    const runB = median(results.get(scalingScales[b])!.duck.map((d) => d.value.runMs));
    const marginal = (runB - runA) / (rows[b] - rows[a]);
    const linear = fit.r2 >= 0.98 && fit.slope > 0 && Math.abs(marginal / fit.slope - 1) < 0.25;
    lines.push(`Least-squares fit of the run time on source rows: run ≈ ${fmtMs(fit.intercept)} ms + rows / ${fmtRate(1000 / fit.slope)} (R² ${fit.r2.toFixed(3)}); ` +
      `between x${scalingScales[a]} and x${scalingScales[b]} a million extra rows cost ${fmtMs(marginal * 1e6)} ms vs ${fmtMs(fit.slope * 1e6)} ms in the fit. ` +
      (linear ? 'Growth is linear in the source rows: a fixed start-up cost plus a constant cost per row.'
        : 'Growth is not linear over this range: the fixed start-up cost dominates the small scales, or the cost per row changes between the top scales.'), '');
    const chartError = await renderChart(outPng, scalingScales, [
      { label: 'DuckDB engine', wall: wallMed, rss: rssMed },
      ...(sparkWall.some(Number.isFinite) ? [{ label: 'pyspark', wall: sparkWall, rss: sparkRss }] : []),
    ]);
    lines.push(chartError ? `The chart could not be drawn: ${chartError}` : `![Pipeline wall time and peak RSS at scale N](${path.basename(outPng)})`, '');
  }
  return lines;
}

/** Draws the chart with chart.js in headless Chromium; the error's first line when it cannot. */
async function renderChart(pngFile: string, scales: number[], series: Array<{ label: string; wall: number[]; rss: number[] }>): Promise<string | undefined> {
  try {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 480 }, deviceScaleFactor: 1 });
      await page.setContent('<html><body style="margin:0;background:#fff"><div style="width:1000px;height:480px"><canvas id="c"></canvas></div></body></html>');
      // chart.js exports only its module builds; the UMD file (a page global) sits beside them in dist/.
      await page.addScriptTag({ path: path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js') });
      const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
      const datasets = series.flatMap((s, i) => [
        { label: `${s.label} wall time (s)`, data: s.wall.map((v) => (Number.isFinite(v) ? v / 1000 : null)), borderColor: colors[i], backgroundColor: colors[i], yAxisID: 'y', spanGaps: true },
        { label: `${s.label} peak RSS (MB)`, data: s.rss.map((v) => (Number.isFinite(v) ? v / 1e6 : null)), borderColor: colors[i], backgroundColor: colors[i], borderDash: [6, 4], yAxisID: 'rss', spanGaps: true },
      ]);
      const config = {
        type: 'line',
        data: { labels: scales.map((s) => `x${s}`), datasets },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          plugins: { title: { display: true, text: 'Pipeline at scale N: wall time (solid) and peak RSS (dashed), median of the reps' } },
          scales: {
            y: { type: 'logarithmic', position: 'left', title: { display: true, text: 'wall time, s (log)' } },
            rss: { type: 'logarithmic', position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'peak RSS of the process tree, MB (log)' } },
          },
        },
      };
      // chart.js is a global in the page (the UMD build added above); the config is plain JSON.
      await page.evaluate(`new Chart(document.getElementById('c'), ${JSON.stringify(config)})`);
      await page.locator('div').first().screenshot({ path: pngFile });
    } finally {
      await browser.close();
    }
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}
