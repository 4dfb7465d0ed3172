/** The drawn lineage graph's shape, shared by the core and the lineage page (types only, no imports). */

/** A node of the drawn graph: lanes left to right are source, staging, lake, then cards and cells. */
export interface LineageNode {
  id: string;
  lane: 'source' | 'staging' | 'lake' | 'reader';
  label: string;
  /** The expression that makes a model column, or a reader's title. */
  detail: string;
  /** Where to open it: a model column's SQL file and line. */
  file?: string;
  line?: number;
  /** `table.column` for nodes that can become the focus. */
  column?: string;
}

export interface LineageFocus {
  focus: string;
  nodes: LineageNode[];
  edges: { from: string; to: string }[];
}
