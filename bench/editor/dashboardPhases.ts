/**
 * Where the time of one Open Dashboard went, from the marks the panel's test hooks keep (host and page, epoch ms):
 * the command to the panel, the webview's start, the bundle's fetch, parse and evaluation, the first message, the
 * answers, and each card's drawing and paint. No vscode import: bench/run.ts prints these.
 */
import type { DashboardTimings } from '../../src/webview/dashboardHooks';
import { fmtSpread, mdTable, spread } from '../lib/stats';

/** Each phase in milliseconds; a phase whose marks are missing is left out. */
export type DashboardPhases = Partial<Record<PhaseName, number>>;

export const PHASES = [
  ['command', 'command to panel creation (the panel module loads on the first open)'],
  ['createPanel', 'createWebviewPanel'],
  ['setHtml', 'HTML built and set'],
  ['webviewStart', 'HTML set to the page document starting (the webview frame)'],
  ['documentLoad', "the webview's blank first document loaded (waits for the webview's service worker)"],
  ['bundleFetch', 'document to the bundle fetched'],
  ['bundleParse', 'bundle fetched to its first statement (parse, compile)'],
  ['bundleEval', 'bundle evaluated (chart.js, layout)'],
  ['readyToHost', 'page ready to the host receiving it'],
  ['firstAnswer', 'host ready to its first answer sent'],
  ['lastAnswer', 'host ready to its last answer sent'],
  ['answerToPage', 'answer sent to the page receiving it (median per card)'],
  ['drawCards', 'first answer received on the page to the last card drawn (DOM, charts)'],
  ['lastPaint', 'last card drawn to its frame painted'],
  ['reportToHost', 'last card drawn to its report at the host'],
  ['total', 'command to every card reported rendered'],
] as const;
export type PhaseName = (typeof PHASES)[number][0];

/** `startedAt`: when the bench ran the command (epoch ms); `doneAt`: when it saw every card reported. */
export function dashboardPhases(timings: DashboardTimings, startedAt: number, doneAt: number): DashboardPhases {
  const first = (marks: DashboardTimings['host'], name: string) => marks.find((m) => m.name === name)?.at;
  const host = (name: string) => first(timings.host, name);
  const page = (name: string) => first(timings.page, name);
  const all = (marks: DashboardTimings['host'], prefix: string) => marks.filter((m) => m.name.startsWith(prefix));
  const out: DashboardPhases = {};
  const put = (name: PhaseName, from: number | undefined, to: number | undefined) => {
    if (from !== undefined && to !== undefined) out[name] = to - from;
  };
  const bundle = timings.page.find((m) => /^responseEnd:dashboard\.js$/.test(m.name))?.at;
  put('command', startedAt, host('show'));
  put('createPanel', host('show'), host('panelCreated'));
  put('setHtml', host('panelCreated'), host('htmlSet'));
  put('webviewStart', host('htmlSet'), page('navigationStart'));
  put('documentLoad', page('navigationStart'), page('document:responseEnd'));
  put('bundleFetch', page('document:responseEnd'), bundle);
  put('bundleParse', bundle, page('scriptStart'));
  put('bundleEval', page('scriptStart'), page('scriptEvaluated'));
  put('readyToHost', page('scriptEvaluated'), host('ready'));
  const answers = all(timings.host, 'answer:').map((m) => m.at);
  if (answers.length) {
    put('firstAnswer', host('ready'), Math.min(...answers));
    put('lastAnswer', host('ready'), Math.max(...answers));
  }
  const latencies: number[] = [];
  for (const answer of all(timings.host, 'answer:')) {
    const received = page(`result:${answer.name.slice('answer:'.length)}`);
    if (received !== undefined) latencies.push(received - answer.at);
  }
  if (latencies.length) out.answerToPage = latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)];
  const received = all(timings.page, 'result:').map((m) => m.at);
  const drawn = all(timings.page, 'drawn:').map((m) => m.at);
  if (received.length && drawn.length) put('drawCards', Math.min(...received), Math.max(...drawn));
  const painted = all(timings.page, 'painted:').map((m) => m.at);
  if (drawn.length && painted.length) put('lastPaint', Math.max(...drawn), Math.max(...painted));
  const rendered = all(timings.host, 'rendered:').map((m) => m.at);
  if (drawn.length && rendered.length) put('reportToHost', Math.max(...drawn), Math.max(...rendered));
  put('total', startedAt, doneAt);
  return out;
}

/**
 * The phases of Open Dashboard as a markdown table (median, min–max over the hosts' cold opens and all warm opens),
 * for bench/results.md section 4.
 */
export function renderDashboardPhases(hosts: Array<{ dashboardColdPhases?: DashboardPhases; dashboardWarmPhases?: DashboardPhases[] }>): string[] {
  const cold = hosts.map((h) => h.dashboardColdPhases).filter((p): p is DashboardPhases => p !== undefined);
  const warm = hosts.flatMap((h) => h.dashboardWarmPhases ?? []);
  if (!cold.length && !warm.length) return [];
  const cell = (opens: DashboardPhases[], name: PhaseName) => {
    const values = opens.map((p) => p[name]).filter((v): v is number => v !== undefined);
    return values.length ? fmtSpread(spread(values)) : '–';
  };
  return [
    'Where the time of Open Dashboard goes (marks taken in the extension host and in the page under LIFECYCLE_LAB_TEST_HOOKS=1, ' +
    'bench/editor/dashboardPhases.ts); phases overlap where the host works while the webview starts:', '',
    mdTable(['phase', 'cold ms', 'warm ms'], PHASES.map(([name, what]) => [what, cell(cold, name), cell(warm, name)])), '',
  ];
}
