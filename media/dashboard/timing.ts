/**
 * Timing marks of this page load, kept and sent to the host only when the host asked for them (the test and bench
 * hooks put data-test-hooks on #app); otherwise every call here does nothing. Imported first by main.ts, so
 * `scriptStart` is taken before the other modules (chart.js among them) are evaluated.
 */
import type { TimingMark } from '../../src/webview/protocol';

export const testHooks = document.getElementById('app')?.dataset.testHooks === '1';

const marks: TimingMark[] = [];
let sendScheduled = false;
let send: (marks: TimingMark[]) => void = () => {};

/** Epoch milliseconds, comparable with the extension host's performance.timeOrigin + performance.now(). */
const now = () => performance.timeOrigin + performance.now();

export function mark(name: string, at = now()): void {
  if (testHooks) marks.push({ name, at });
}

/** Marks `painted:<name>` once the frame that shows what was just drawn has been painted, then sends the marks. */
export function markPainted(name: string): void {
  if (!testHooks) return;
  // A task queued from the frame callback runs after that frame's paint.
  requestAnimationFrame(() => setTimeout(() => {
    mark(`painted:${name}`);
    scheduleSend();
  }, 0));
}

function scheduleSend(): void {
  if (sendScheduled) return;
  sendScheduled = true;
  setTimeout(() => {
    sendScheduled = false;
    send([...marks]);
  }, 0);
}

/** How marks reach the host (host.ts gives its post; a cycle of imports is avoided this way). */
export function sendTimingsWith(post: (marks: TimingMark[]) => void): void {
  send = post;
}

if (testHooks) {
  mark('scriptStart');
  // What the browser measured before the script ran: the document and the bundle's fetch.
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  mark('navigationStart', performance.timeOrigin);
  if (nav) {
    // The webview loads an empty document first and writes the page's HTML into it: these are that first document's.
    for (const field of ['workerStart', 'fetchStart', 'requestStart', 'responseStart', 'responseEnd', 'domContentLoadedEventEnd', 'loadEventEnd'] as const) {
      if (nav[field] > 0) mark(`document:${field}`, performance.timeOrigin + nav[field]);
    }
  }
  for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    const file = entry.name.split('?')[0].split('/').pop() ?? entry.name;
    mark(`fetchStart:${file}`, performance.timeOrigin + entry.fetchStart);
    mark(`responseEnd:${file}`, performance.timeOrigin + entry.responseEnd);
  }
}
