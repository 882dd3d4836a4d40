import type { TakesEvent } from '@takes/contracts';

/** One event as a node of a record's graph, with its three timestamps and device. */
export interface GraphNode {
  id: string;
  version: number;
  type: string;
  command_id: string;
  device: string | null;
  user: string;
  branch_ts: string;
  submit_ts: string;
  commit_ts: string;
  contested: string[];
}

/** `prior`: the version this event was applied on top of; `base`: the version its client had (the branch point). */
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'prior' | 'base';
}

export interface EventGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Devices in order of first appearance: the lanes a git-graph view draws. */
  lanes: (string | null)[];
}

/** A record's branch/submit/commit graph, in a shape a git-graph view can draw. */
export function eventGraph(events: TakesEvent[]): EventGraph {
  const byVersion = new Map(events.map((e) => [e.version, e]));
  const lanes: (string | null)[] = [];
  const nodes = events.map((e) => {
    if (!lanes.includes(e.device)) lanes.push(e.device);
    return {
      id: e.id, version: e.version, type: e.type, command_id: e.command_id, device: e.device, user: e.user.id,
      branch_ts: e.branch_ts, submit_ts: e.submit_ts, commit_ts: e.commit_ts, contested: e.contested,
    };
  });
  const edges: GraphEdge[] = [];
  for (const e of events) {
    const prior = byVersion.get(e.prior_version);
    if (prior) edges.push({ from: prior.id, to: e.id, kind: 'prior' });
    const base = byVersion.get(e.base_version);
    if (base && e.base_version !== e.prior_version) edges.push({ from: base.id, to: e.id, kind: 'base' });
  }
  return { nodes, edges, lanes };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The graph drawn as SVG: one row per version (top = oldest), one lane per device;
 * prior edges solid, base edges (a stale branch point) dashed, contested events red.
 */
export function graphSvg(graph: EventGraph): string {
  const row = 40;
  const lane = 120;
  const left = 30;
  const top = 30;
  const width = left * 2 + Math.max(1, graph.lanes.length) * lane + 260;
  const height = top * 2 + graph.nodes.length * row;
  const position = new Map(graph.nodes.map((n, i) => [n.id, { x: left + graph.lanes.indexOf(n.device) * lane, y: top + i * row }]));
  const parts: string[] = [];
  for (const edge of graph.edges) {
    const a = position.get(edge.from)!;
    const b = position.get(edge.to)!;
    parts.push(`<path d="M${a.x},${a.y} C${a.x},${(a.y + b.y) / 2} ${b.x},${(a.y + b.y) / 2} ${b.x},${b.y}" fill="none" stroke="${edge.kind === 'base' ? '#888' : '#333'}" stroke-width="2"${edge.kind === 'base' ? ' stroke-dasharray="5,4"' : ''}/>`);
  }
  for (const node of graph.nodes) {
    const p = position.get(node.id)!;
    const fill = node.contested.length > 0 ? '#d33' : node.type === 'shelved' ? '#aaa' : node.type === 'resolved' ? '#2a7' : '#36c';
    parts.push(`<circle cx="${p.x}" cy="${p.y}" r="8" fill="${fill}"><title>${escape(`${node.type} v${node.version} submit ${node.submit_ts} commit ${node.commit_ts}`)}</title></circle>`);
    const label = `v${node.version} ${node.type}${node.contested.length ? ` ${node.contested.join(',')}` : ''}`;
    parts.push(`<text x="${left + graph.lanes.length * lane}" y="${p.y + 4}" font-family="sans-serif" font-size="12">${escape(label)} · ${escape(node.device ?? 'server')} · ${escape(node.submit_ts.slice(0, 19))}</text>`);
  }
  graph.lanes.forEach((device, i) => {
    parts.push(`<text x="${left + i * lane - 10}" y="14" font-family="sans-serif" font-size="11">${escape(device ?? 'server')}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}
