import type { EventGraph, GraphNode } from './api-shapes';
import { graphLayout } from './graph-layout';

function node(id: string, version: number, device: string | null, extra: Partial<GraphNode> = {}): GraphNode {
  const ts = '2026-12-03T10:00:00.000Z';
  return { id, version, type: 'updated', device, user: 'u1', branch_ts: ts, submit_ts: ts, commit_ts: ts, contested: [], ...extra };
}

describe('the graph drawn git-graph style', () => {
  // The README's first session: created, edited online, then an offline edit on version 1 merged as version 3.
  const graph: EventGraph = {
    nodes: [node('e3', 3, 'd:b', { type: 'merged', contested: ['/pressure'] }), node('e1', 1, null, { type: 'created' }), node('e2', 2, 'd:a'), node('e4', 4, 'd:a', { type: 'resolved' })],
    edges: [
      { from: 'e1', to: 'e2', kind: 'prior' },
      { from: 'e2', to: 'e3', kind: 'prior' },
      { from: 'e1', to: 'e3', kind: 'base' },
      { from: 'e3', to: 'e4', kind: 'prior' },
    ],
    lanes: [null, 'd:a', 'd:b'],
  };
  const layout = graphLayout(graph, { laneWidth: 30, rowHeight: 40, top: 50, left: 20, labelWidth: 200 });

  it('puts one device per lane and one version per row, oldest on top', () => {
    expect(layout.nodes.map((p) => [p.node.id, p.x, p.y, p.kind])).toEqual([
      ['e1', 20, 50, 'plain'],
      ['e2', 50, 90, 'plain'],
      ['e3', 80, 130, 'contested'],
      ['e4', 50, 170, 'resolved'],
    ]);
    expect(layout.lanes).toEqual([{ device: null, x: 20 }, { device: 'd:a', x: 50 }, { device: 'd:b', x: 80 }]);
    expect([layout.labelX, layout.width, layout.height]).toEqual([110, 310, 210]);
  });

  it('links each event to the version it was applied on, and to its branch point when that is older', () => {
    expect(layout.edges.map((e) => [e.from, e.to, e.kind])).toEqual([['e1', 'e2', 'prior'], ['e2', 'e3', 'prior'], ['e1', 'e3', 'base'], ['e3', 'e4', 'prior']]);
    // Across lanes: down its own lane to the row above the newer event, then a curve over.
    expect(layout.edges[2].path).toBe('M20,50 L20,90 C20,130 80,90 80,130');
    const sameLane = graphLayout({ nodes: [node('a', 1, 'd:a'), node('b', 2, 'd:a')], edges: [{ from: 'a', to: 'b', kind: 'prior' }], lanes: ['d:a'] }, { top: 10, rowHeight: 20, left: 5 });
    expect(sameLane.edges[0].path).toBe('M5,10 L5,30');
  });
});
