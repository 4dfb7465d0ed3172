/**
 * The typed messages between a read-only preview grid (src/webview/gridPanel.ts) and its page (media/grid). What the
 * page sends is a valibot schema with its type inferred from it. No Node or DOM APIs here: the page bundle includes
 * this file.
 */
import * as v from 'valibot';

export const GRID_VIEW_TYPE = 'lifecycleLab.grid';

/** Cells longer than this are shown cut to this many characters; hovering shows more, a click opens the whole value. */
export const GRID_CELL_DISPLAY_CHARS = 80;

/**
 * Longer values are cut before they reach the page (a preview must not ship megabytes of one text column);
 * the page says so, and the host fetches the whole value when the user opens it.
 */
export const GRID_CELL_SEND_CHARS = 64 * 1024;

/** At most this much of a value goes into a cell's hover. */
export const GRID_HOVER_CHARS = 2000;

export interface GridColumn {
  name: string;
  /** Column type as the server reports it, shown on hover. */
  type: string;
  numeric: boolean;
}

/** null is SQL NULL (shown as NULL), '' is an empty string. */
export type GridCell = string | null;

/** A cell the host cut at GRID_CELL_SEND_CHARS: where it is in the message's rows, and the whole value's length. */
export interface GridCut {
  row: number;
  column: number;
  length: number;
}

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
      /** Cells of `rows` that hold only the start of their value. */
      cut: GridCut[];
    }
  | { type: 'loading' }
  | { type: 'error'; message: string };

/** What the page drew, reported back so the host (and tests) know the rendered result. */
const GridRenderedSchema = v.object({
  rowCount: v.number(),
  nullCells: v.number(),
  truncatedCells: v.number(),
  /** Cells whose value the host cut (see GridCut). */
  cutCells: v.number(),
  /** The hover of the first cut cell ('' when none), so a test can read what the page says. */
  firstCutHover: v.string(),
  /** The first row's cells as displayed (NULL for null). */
  firstRow: v.array(v.string()),
});
export type GridRendered = v.InferOutput<typeof GridRenderedSchema>;

const index = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const GridToHostSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('loadMore') }),
  v.object({ type: v.literal('rendered'), ...GridRenderedSchema.entries }),
  /** Open the whole value of a cell in a read-only document; `row` counts from the grid's first row. */
  v.object({ type: v.literal('openValue'), row: index, column: index }),
]);
export type GridToHost = v.InferOutput<typeof GridToHostSchema>;

/** Accepts only well-formed page messages (unknown fields dropped); anything else is undefined. */
export function parseGridToHost(message: unknown): GridToHost | undefined {
  const parsed = v.safeParse(GridToHostSchema, message);
  return parsed.success ? parsed.output : undefined;
}

/** How a cell reads in the grid: NULL for null; long text cut with an ellipsis. */
export function displayCell(cell: GridCell, max = GRID_CELL_DISPLAY_CHARS): { text: string; isNull: boolean; truncated: boolean } {
  if (cell === null) return { text: 'NULL', isNull: true, truncated: false };
  // Cut on code points so a surrogate pair (an emoji) is never split.
  const chars = Array.from(cell);
  if (chars.length <= max) return { text: cell, isNull: false, truncated: false };
  return { text: `${chars.slice(0, max - 1).join('')}…`, isNull: false, truncated: true };
}

/** Cuts a value to `max` UTF-16 units for sending, never splitting a surrogate pair; `length` is set when cut. */
export function capCell(cell: GridCell, max = GRID_CELL_SEND_CHARS): { cell: GridCell; length?: number } {
  if (cell === null || cell.length <= max) return { cell };
  const end = /[\uD800-\uDBFF]/.test(cell.charAt(max - 1)) ? max - 1 : max;
  return { cell: cell.slice(0, end), length: cell.length };
}

/** 65536 -> "64 K", 102400 -> "100 K", 500 -> "500". */
function shortCount(n: number): string {
  return n >= 1024 ? `${Math.round(n / 1024).toLocaleString('en-US')} K` : n.toLocaleString('en-US');
}

/**
 * A cell's hover: the start of the value, and what the user can do. A value the host cut says that it is cut
 * (and where); every long value says that a click opens it whole.
 */
export function cellHover(cell: string, cutLength?: number, max = GRID_HOVER_CHARS): string {
  const chars = Array.from(cell);
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}…` : cell;
  if (cutLength !== undefined) {
    return `${shown}${shown === cell ? '…' : ''}\n\n(cut at ${shortCount(cell.length)} characters of ${cutLength.toLocaleString('en-US')}; click to open the full value)`;
  }
  return `${shown}\n\n(${chars.length.toLocaleString('en-US')} characters; click to open the full value)`;
}
