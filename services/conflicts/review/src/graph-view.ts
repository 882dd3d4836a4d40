import type { EventGraph } from './api-shapes';
import { el, svg } from './dom';
import { clip, deviceText, fieldName, timeText } from './format';
import { graphLayout } from './graph-layout';

export interface GraphView {
  element: HTMLElement;
  /** Rings the node of an event (the focused take's), none for null. */
  select(eventId: string | null): void;
}

/** The record's branch/submit/commit graph drawn as SVG, git-graph style: one lane per device, one row per version. */
export function graphView(graph: EventGraph): GraphView {
  const layout = graphLayout(graph);
  const bottom = layout.height - 14;
  const circles = new Map<string, SVGCircleElement>();
  const drawing = svg(
    'svg',
    {
      class: 'graph',
      width: layout.width,
      height: layout.height,
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      role: 'img',
      'aria-label': `Graph of ${layout.nodes.length} events on ${layout.lanes.length} device lane${layout.lanes.length === 1 ? '' : 's'}`,
    },
    layout.lanes.map((lane) =>
      svg(
        'g',
        { class: 'lane' },
        svg('line', { x1: lane.x, y1: 44, x2: lane.x, y2: bottom }),
        svg('text', { x: lane.x, y: 38, transform: `rotate(-40 ${lane.x} 38)` }, deviceText(lane.device)),
      ),
    ),
    layout.edges.map((edge) => svg('path', { class: `edge ${edge.kind}`, d: edge.path })),
    layout.nodes.map((placed) => {
      const circle = svg(
        'circle',
        { class: `node ${placed.kind}`, cx: placed.x, cy: placed.y, r: 7, 'data-event-id': placed.node.id },
        svg('title', {}, `v${placed.node.version} ${placed.node.type} · ${deviceText(placed.node.device, false)}\nbranch ${timeText(placed.node.branch_ts)}\nsubmit ${timeText(placed.node.submit_ts)}\ncommit ${timeText(placed.node.commit_ts)}`),
      );
      circles.set(placed.node.id, circle);
      const contested = placed.node.contested.length ? ` ⚑ ${placed.node.contested.map(fieldName).join(', ')}` : '';
      return svg(
        'g',
        {},
        circle,
        svg('text', { class: `node-label ${placed.kind}`, x: layout.labelX, y: placed.y + 4 }, clip(`v${placed.node.version} ${placed.node.type} · ${timeText(placed.node.submit_ts).slice(11)}${contested}`, 40)),
      );
    }),
  );
  const legend = el(
    'ul',
    { class: 'legend', 'aria-label': 'Legend' },
    el('li', {}, el('span', { class: 'dot plain' }), 'applied'),
    el('li', {}, el('span', { class: 'dot contested' }), 'contested'),
    el('li', {}, el('span', { class: 'dot resolved' }), 'pick'),
    el('li', {}, el('span', { class: 'dot shelved' }), 'shelved'),
    el('li', {}, el('span', { class: 'line base' }), 'branched from'),
  );
  let selected: SVGCircleElement | undefined;
  return {
    element: el('div', { class: 'graph-box' }, drawing, legend),
    select: (eventId) => {
      selected?.classList.remove('selected');
      selected = eventId ? circles.get(eventId) : undefined;
      selected?.classList.add('selected');
    },
  };
}
