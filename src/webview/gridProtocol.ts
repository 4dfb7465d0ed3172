/**
 * The typed messages between a read-only preview grid (src/webview/gridPanel.ts) and its page (media/grid).
 * No Node or DOM APIs here: the page bundle includes this file.
 */
export const GRID_VIEW_TYPE = 'lifecycleLab.grid';

/** Cells longer than this are shown cut, with the full value on hover. */
export const GRID_CELL_DISPLAY_CHARS = 80;

export interface GridColumn {
  name: string;
  /** Column type as the server reports it, shown on hover. */
  type: string;
  numeric: boolean;
}

/** null is SQL NULL (shown as NULL), '' is an empty string. */
export type GridCell = string | null;

export type HostToGrid =
  | {
      type: 'rows';
      title: string;
      columns: GridColumn[];
      rows: GridCell[][];
      /** Row number (0-based) of rows[0]. */
      offset: number;
      /** true: these rows replace what is shown (first page, or re-sent after the page reloaded). */
      replace: boolean;
      hasMore: boolean;
      orderBy: string[];
    }
  | { type: 'loading' }
  | { type: 'error'; message: string };

/** What the page drew, reported back so the host (and tests) know the rendered result. */
export interface GridRendered {
  rowCount: number;
  nullCells: number;
  truncatedCells: number;
  /** The first row's cells as displayed (NULL for null). */
  firstRow: string[];
}

export type GridToHost = { type: 'ready' } | { type: 'loadMore' } | ({ type: 'rendered' } & GridRendered);

/** Accepts only well-formed page messages; anything else is dropped. */
export function parseGridToHost(message: unknown): GridToHost | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m.type === 'ready' || m.type === 'loadMore') return { type: m.type };
  if (m.type === 'rendered' && typeof m.rowCount === 'number' && typeof m.nullCells === 'number' && typeof m.truncatedCells === 'number'
      && Array.isArray(m.firstRow) && m.firstRow.every((c) => typeof c === 'string')) {
    return { type: 'rendered', rowCount: m.rowCount, nullCells: m.nullCells, truncatedCells: m.truncatedCells, firstRow: m.firstRow as string[] };
  }
  return undefined;
}

/** How a cell reads in the grid: NULL for null; long text cut with an ellipsis. */
export function displayCell(cell: GridCell, max = GRID_CELL_DISPLAY_CHARS): { text: string; isNull: boolean; truncated: boolean } {
  if (cell === null) return { text: 'NULL', isNull: true, truncated: false };
  // Cut on code points so a surrogate pair (an emoji) is never split.
  const chars = Array.from(cell);
  if (chars.length <= max) return { text: cell, isNull: false, truncated: false };
  return { text: `${chars.slice(0, max - 1).join('')}…`, isNull: false, truncated: true };
}
