/**
 * DOM building for the dashboard page. Text always goes in through textContent and attributes through
 * setAttribute, never through innerHTML, so a value from the lake can never become markup.
 */
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') node.className = String(value);
    else if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const moneyShort = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

const monthYear = new Intl.DateTimeFormat('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });

export const format = {
  rows: (n: number) => `${count.format(n)} ${n === 1 ? 'row' : 'rows'}`,
  /** '2004-03-01' -> 'Mar 2004'. */
  month: (isoDate: string) => {
    const t = Date.parse(`${isoDate}T00:00:00Z`);
    return Number.isNaN(t) ? isoDate : monthYear.format(t);
  },
  money: (n: number) => money.format(n),
  moneyShort: (n: number) => moneyShort.format(n),
  count: (n: number) => count.format(n),
  /** Bytes in binary units: 1536 -> '1.5 KB'. */
  bytes(n: number): string {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${i ? decimal.format(n) : n} ${units[i]}`;
  },
  /** A table cell: amounts as money, whole numbers with separators, the rest as text. */
  cell(value: unknown, column: { name: string; type: string }): string {
    if (value === null || value === undefined) return '—';
    if (typeof value === 'number') {
      if (/sales|amount|value|price|limit/i.test(column.name)) return money.format(value);
      return Number.isInteger(value) ? count.format(value) : decimal.format(value);
    }
    return String(value);
  },
  /** Column names as headings: "totalSales" -> "Total sales". */
  heading(name: string): string {
    const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    return words.charAt(0).toUpperCase() + words.slice(1);
  },
};
