/**
 * Open Dashboard in the extension host, on the test harness's code-server (4.100.3, VS Code 1.100) as it is, and on
 * the same code-server with its webview page registering its service worker the way VS Code 1.103 and later do:
 *   npx tsc -p . && node out/bench/webviewServiceWorker.js [--hosts 3] [--warm-reps 3]
 *
 * Why: in VS Code 1.100 the webview page (lib/vscode/out/vs/workbench/contrib/webview/browser/pre/index.html) puts the
 * webview's id in its service worker's URL, so every new webview replaces the service worker the last one registered
 * and waits for it before its first document (the "blank first document" phase of bench/results.md section 4: about
 * 1 s on every warm open). VS Code 1.103 dropped the id from that URL (code-server 4.103.2, which needs Node.js 22:
 * this machine has 20). The variant changes only that URL (and the page's CSP hash of its script), for the run, and
 * puts the file back after it, also on Ctrl+C.
 *
 * Hosts alternate (as-is, variant, variant, as-is, ...), each a new code-server and Chromium (bench/editor-run.mjs:
 * one cold open, then --warm-reps closes and reopens). Prints the medians side by side and their ratio.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { countOption, scriptArgs, withUsage } from './lib/args';
import { codeVersion, loadText, machineLine } from './lib/machine';
import { fmtSpread, spread } from './lib/stats';

const USAGE = 'node out/bench/webviewServiceWorker.js [--hosts N] [--warm-reps N]';
const repoRoot = path.resolve(__dirname, '../..');
const WEBVIEW_PAGE = path.join(repoRoot, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'vs', 'workbench', 'contrib', 'webview', 'browser', 'pre', 'index.html');
const ID_IN_WORKER_URL = '&id=${ID}&remoteAuthority';

interface HostFigures { dashboardColdMs?: number; dashboardWarmMs?: number[]; dashboardWarmPhases?: Array<{ documentLoad?: number }>; ok?: boolean }

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

/** The page with its service worker's URL as VS Code 1.103 builds it: without the webview's id. */
function withoutIdInWorkerUrl(page: string): string {
  const script = /<script[^>]*>([\s\S]*?)<\/script>/.exec(page)?.[1];
  if (!script?.includes(ID_IN_WORKER_URL)) throw new Error(`${WEBVIEW_PAGE} has no service worker URL with the webview's id: another code-server?`);
  const changed = script.replace(ID_IN_WORKER_URL, '&remoteAuthority');
  // The page's CSP allows its one inline script by hash.
  if (!page.includes(`'sha256-${sha256(script)}'`)) throw new Error(`${WEBVIEW_PAGE}: its CSP does not name its script's hash`);
  return page.replace(script, changed).replace(`'sha256-${sha256(script)}'`, `'sha256-${sha256(changed)}'`);
}

function runHost(warmReps: number): HostFigures {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bench', 'editor-run.mjs'), '--warm-reps', String(warmReps)], { encoding: 'utf8', timeout: 300_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`bench/editor-run.mjs failed (exit ${r.status}):\n${(r.stderr || r.stdout).slice(-2000)}`);
  return JSON.parse(last) as HostFigures;
}

function main(): void {
  const args = scriptArgs(USAGE, { hosts: { type: 'string' }, 'warm-reps': { type: 'string' } });
  const hosts = withUsage(USAGE, args, () => countOption(args, 'hosts', 3));
  const warmReps = withUsage(USAGE, args, () => countOption(args, 'warm-reps', 3));
  const original = fs.readFileSync(WEBVIEW_PAGE, 'utf8');
  const variant = withoutIdInWorkerUrl(original);
  const restore = () => fs.writeFileSync(WEBVIEW_PAGE, original);
  process.once('SIGINT', () => { restore(); process.exit(130); });
  console.log(`webview service worker bench: ${machineLine()}, load ${loadText()}, code ${codeVersion(repoRoot)}, ${hosts} hosts a side, ${warmReps} warm opens each`);
  const figures: Record<'asIs' | 'variant', HostFigures[]> = { asIs: [], variant: [] };
  try {
    for (let i = 0; i < 2 * hosts; i++) {
      const side = i % 4 === 0 || i % 4 === 3 ? 'asIs' : 'variant';
      fs.writeFileSync(WEBVIEW_PAGE, side === 'asIs' ? original : variant);
      const host = runHost(warmReps);
      if (!host.ok) throw new Error(`a ${side} host did not render every card: ${JSON.stringify(host).slice(0, 500)}`);
      figures[side].push(host);
      console.log(`  host ${i + 1} (${side === 'asIs' ? 'as is' : 'worker URL without the id'}): cold ${host.dashboardColdMs?.toFixed(0)} ms, warm ${(host.dashboardWarmMs ?? []).map((v) => v.toFixed(0)).join(' / ')} ms`);
    }
  } finally {
    restore();
  }
  const cold = (side: HostFigures[]) => spread(side.map((h) => h.dashboardColdMs).filter((v): v is number => v !== undefined));
  const warm = (side: HostFigures[]) => spread(side.flatMap((h) => h.dashboardWarmMs ?? []));
  const wait = (side: HostFigures[]) => spread(side.flatMap((h) => (h.dashboardWarmPhases ?? []).map((p) => p.documentLoad)).filter((v): v is number => v !== undefined));
  console.log('| Open Dashboard to every card rendered, ms | code-server 4.100.3 as is | its webview worker URL as in VS Code 1.103 | ratio |');
  console.log('|---|---|---|---|');
  for (const [label, of] of [['cold (first open in the host)', cold], ['warm (closed, opened again: a new webview)', warm], ['of warm: the wait for the webview\'s service worker', wait]] as const) {
    const [a, b] = [of(figures.asIs), of(figures.variant)];
    console.log(`| ${label} | ${fmtSpread(a)} | ${fmtSpread(b)} | ${(b.median / a.median).toFixed(2)}x |`);
  }
  console.log(`load at the end ${loadText()}`);
}

main();
