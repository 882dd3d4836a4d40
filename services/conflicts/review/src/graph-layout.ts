import type { EventGraph, GraphNode } from './api-shapes';

/** What a node's colour says about its event. */
export type NodeKind = 'contested' | 'shelved' | 'resolved' | 'plain';

export interface PlacedNode {
  node: GraphNode;
  kind: NodeKind;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** `base`: the version the event's device had, when it is not the one it was applied on (a stale branch point). */
  kind: 'prior' | 'base';
  /** SVG path data from the older event to the newer one. */
  path: string;
}

export interface GraphLayout {
  width: number;
  height: number;
  lanes: { device: string | null; x: number }[];
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /** Where each node's label starts. */
  labelX: number;
}

export interface GraphOptions {
  laneWidth?: number;
  rowHeight?: number;
  /** Room above the first row for the lanes' device labels. */
  top?: number;
  left?: number;
  labelWidth?: number;
}

export function nodeKind(node: GraphNode): NodeKind {
  if (node.contested.length > 0) return 'contested';
  if (node.type === 'shelved') return 'shelved';
  if (node.type === 'resolved') return 'resolved';
  return 'plain';
}

/**
 * A git-graph drawing of a record's events: one column per device (the graph's lanes,
 * in order of first appearance), one row per version, oldest on top; each event linked
 * to the version it was applied on (prior) and, when it differs, to the one its device
 * branched from (base).
 */
export function graphLayout(graph: EventGraph, options: GraphOptions = {}): GraphLayout {
  const laneWidth = options.laneWidth ?? 28;
  const rowHeight = options.rowHeight ?? 32;
  const top = options.top ?? 56;
  const left = options.left ?? 18;
  const labelWidth = options.labelWidth ?? 250;
  const laneX = (device: string | null) => left + Math.max(0, graph.lanes.indexOf(device)) * laneWidth;
  const ordered = [...graph.nodes].sort((a, b) => a.version - b.version);
  const nodes = ordered.map((node, i) => ({ node, kind: nodeKind(node), x: laneX(node.device), y: top + i * rowHeight }));
  const at = new Map(nodes.map((placed) => [placed.node.id, placed]));
  const edges: PlacedEdge[] = [];
  for (const edge of graph.edges) {
    const a = at.get(edge.from);
    const b = at.get(edge.to);
    if (!a || !b) continue;
    // Straight down within a lane; between lanes, down to the row before the newer event, then across in a curve.
    const bend = Math.max(a.y, b.y - rowHeight);
    const path = a.x === b.x ? `M${a.x},${a.y} L${b.x},${b.y}` : `M${a.x},${a.y} L${a.x},${bend} C${a.x},${b.y} ${b.x},${bend} ${b.x},${b.y}`;
    edges.push({ from: edge.from, to: edge.to, kind: edge.kind, path });
  }
  const labelX = left + Math.max(1, graph.lanes.length) * laneWidth;
  return {
    width: labelX + labelWidth,
    height: top + Math.max(1, nodes.length) * rowHeight,
    lanes: graph.lanes.map((device) => ({ device, x: laneX(device) })),
    nodes,
    edges,
    labelX,
  };
}
