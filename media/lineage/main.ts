/**
 * The lineage page: lanes of column nodes (source, staging, lake, cards and cells) with the edges between them,
 * drawn with DOM APIs and SVG only (textContent, never innerHTML). Keyboard: arrows move, Enter opens the SQL,
 * Space makes the column the focus.
 */
import type { HostToLineage, LineageFocus, LineageNode, LineageRendered, LineageToHost } from '../../src/webview/lineageProtocol';

interface VsCodeApi {
  postMessage(message: LineageToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const graphEl = document.getElementById('graph') as HTMLElement;
const statusEl = document.getElementById('status') as HTMLElement;
const titleEl = document.getElementById('title') as HTMLElement;

const LANES: { lane: LineageNode['lane']; title: string }[] = [
  { lane: 'source', title: 'Source columns' },
  { lane: 'staging', title: 'Staging model' },
  { lane: 'lake', title: 'Lake columns' },
  { lane: 'reader', title: 'Dashboard cards and notebook cells' },
];
const SVG = 'http://www.w3.org/2000/svg';

let current: LineageFocus | undefined;
const buttons = new Map<string, HTMLButtonElement>();

function draw(graph: LineageFocus): void {
  current = graph;
  buttons.clear();
  graphEl.replaceChildren();
  statusEl.textContent = '';
  const focusNode = graph.nodes.find((n) => n.id === graph.focus);
  titleEl.textContent = `Lineage of ${focusNode?.label ?? graph.focus}`;
  const lanes: Record<string, string[]> = {};
  for (const { lane, title } of LANES) {
    const nodes = graph.nodes.filter((n) => n.lane === lane);
    lanes[lane] = nodes.map((n) => n.label);
    const section = document.createElement('section');
    section.className = 'lane';
    section.setAttribute('role', 'group');
    section.setAttribute('aria-label', title);
    const heading = document.createElement('h2');
    heading.textContent = title;
    section.append(heading);
    if (!nodes.length) {
      const none = document.createElement('p');
      none.className = 'none';
      none.textContent = 'none';
      section.append(none);
    }
    for (const node of nodes) section.append(nodeButton(node, node.id === graph.focus));
    graphEl.append(section);
  }
  const svg = document.createElementNS(SVG, 'svg');
  svg.classList.add('edges');
  svg.setAttribute('aria-hidden', 'true');
  graphEl.append(svg);
  requestAnimationFrame(() => {
    drawEdges(svg);
    buttons.get(graph.focus)?.focus();
    const rendered: LineageRendered = { focus: graph.focus, lanes, edges: svg.childElementCount };
    vscode.postMessage({ type: 'rendered', rendered });
  });
}

function nodeButton(node: LineageNode, isFocus: boolean): HTMLButtonElement {
  const button = document.createElement('button');
  button.className = `node ${node.lane}${isFocus ? ' focus' : ''}`;
  button.dataset.id = node.id;
  button.tabIndex = isFocus ? 0 : -1;
  button.setAttribute('role', 'treeitem');
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = node.label;
  const detail = document.createElement('code');
  detail.className = 'detail';
  detail.textContent = node.detail;
  button.append(label, detail);
  button.title = node.file ? `${node.label}\n${node.detail}\nEnter: open the SQL at line ${node.line ?? 1}; Space: focus this column` : `${node.label}\n${node.detail}`;
  button.addEventListener('click', () => act(node, 'open'));
  button.addEventListener('keydown', (e) => onKey(e, node));
  button.addEventListener('focus', () => highlight(node.id));
  buttons.set(node.id, button);
  return button;
}

function act(node: LineageNode, what: 'open' | 'focus'): void {
  if (what === 'open' && node.file) vscode.postMessage({ type: 'open', id: node.id });
  else if (node.column && node.id !== current?.focus) vscode.postMessage({ type: 'focus', id: node.id });
}

function onKey(e: KeyboardEvent, node: LineageNode): void {
  if (!current) return;
  const laneOrder = LANES.map((l) => l.lane).filter((lane) => current!.nodes.some((n) => n.lane === lane));
  const inLane = current.nodes.filter((n) => n.lane === node.lane);
  const index = inLane.findIndex((n) => n.id === node.id);
  let target: LineageNode | undefined;
  switch (e.key) {
    case 'ArrowDown': target = inLane[Math.min(inLane.length - 1, index + 1)]; break;
    case 'ArrowUp': target = inLane[Math.max(0, index - 1)]; break;
    case 'ArrowRight':
    case 'ArrowLeft': {
      const lane = laneOrder[laneOrder.indexOf(node.lane) + (e.key === 'ArrowRight' ? 1 : -1)];
      const candidates = current.nodes.filter((n) => n.lane === lane);
      // Prefer a node connected to this one, else the first of the lane.
      target = candidates.find((n) => current!.edges.some((x) => (x.from === node.id && x.to === n.id) || (x.to === node.id && x.from === n.id))) ?? candidates[0];
      break;
    }
    case 'Enter': act(node, 'open'); e.preventDefault(); return;
    case ' ': act(node, 'focus'); e.preventDefault(); return;
    default: return;
  }
  e.preventDefault();
  if (!target) return;
  const from = buttons.get(node.id);
  const to = buttons.get(target.id);
  if (from && to) {
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }
}

function highlight(id: string): void {
  for (const path of graphEl.querySelectorAll<SVGPathElement>('path')) {
    path.classList.toggle('lit', path.dataset.from === id || path.dataset.to === id);
  }
}

function drawEdges(svg: SVGSVGElement): void {
  if (!current) return;
  const box = graphEl.getBoundingClientRect();
  svg.setAttribute('width', String(graphEl.scrollWidth));
  svg.setAttribute('height', String(graphEl.scrollHeight));
  for (const edge of current.edges) {
    const a = buttons.get(edge.from)?.getBoundingClientRect();
    const b = buttons.get(edge.to)?.getBoundingClientRect();
    if (!a || !b) continue;
    const x1 = a.right - box.left;
    const y1 = a.top + a.height / 2 - box.top;
    const x2 = b.left - box.left;
    const y2 = b.top + b.height / 2 - box.top;
    const mid = (x1 + x2) / 2;
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`);
    path.dataset.from = edge.from;
    path.dataset.to = edge.to;
    svg.append(path);
  }
  highlight(current.focus);
}

window.addEventListener('message', (event: MessageEvent<HostToLineage>) => {
  const message = event.data;
  if (message.type === 'graph') draw(message.graph);
  else if (message.type === 'error') statusEl.textContent = message.message;
});
window.addEventListener('resize', () => {
  const svg = graphEl.querySelector('svg');
  if (svg && current) {
    svg.replaceChildren();
    drawEdges(svg as SVGSVGElement);
  }
});
vscode.postMessage({ type: 'ready' });
