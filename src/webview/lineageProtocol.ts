/**
 * Messages between the lineage panel and its page. The page sends only what the user did (a node to open or to
 * focus); the host checks each message's shape before acting on it.
 */
import type { LineageFocus } from '../core/lineage/types';

export type { LineageFocus, LineageNode } from '../core/lineage/types';

export const LINEAGE_VIEW_TYPE = 'lifecycleLab.lineage';

export type HostToLineage =
  | { type: 'graph'; graph: LineageFocus }
  | { type: 'error'; message: string };

/** What the page drew, reported back (the extension tests read it). */
export interface LineageRendered {
  focus: string;
  lanes: Record<string, string[]>;
  edges: number;
}

export type LineageToHost =
  | { type: 'ready' }
  | { type: 'open'; id: string }
  | { type: 'focus'; id: string }
  | { type: 'rendered'; rendered: LineageRendered };

const isString = (v: unknown): v is string => typeof v === 'string' && v.length <= 400;

/** A page message, or undefined when it is not one of ours. */
export function parseLineageToHost(raw: unknown): LineageToHost | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'open':
    case 'focus':
      return isString(m.id) ? { type: m.type, id: m.id } : undefined;
    case 'rendered': {
      const r = m.rendered as Record<string, unknown> | undefined;
      if (!r || !isString(r.focus) || typeof r.edges !== 'number' || !r.lanes || typeof r.lanes !== 'object') return undefined;
      return { type: 'rendered', rendered: r as unknown as LineageRendered };
    }
    default:
      return undefined;
  }
}
