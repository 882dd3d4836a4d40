import type { FieldHistory, FieldTake, RecordEvent } from './api-shapes';
import { el } from './dom';
import { deviceText, fieldName, timeText, valueText } from './format';
import type { Gateway } from './gateway';
import { graphView, type GraphView } from './graph-view';
import type { PickHistory } from './pick-history';
import { queueHash } from './queue-view';
import { LABEL_WIDTH, trackView, type TrackView } from './track-view';

export type Say = (message: string, kind?: 'info' | 'error') => void;

export interface RecordView {
  element: HTMLElement;
  /** Reads and draws the record; call once the element is on the page (the track measures its width). */
  start(): Promise<void>;
  /** Stops listening for the page-wide `u` key. */
  dispose(): void;
}

/**
 * A record's takes: the track view and the graph beside it, the record as it is now, and
 * the event of the focused take. A pick (click, Enter) resolves the field with that take;
 * `u` or the Undo button re-picks what was current before the last pick.
 */
export function recordView(gateway: Gateway, entity: string, id: string, picks: PickHistory, say: Say, ownUser: string | null): RecordView {
  const key = `${entity}\u001f${id}`;
  const undoButton = el('button', { type: 'button', class: 'undo', 'aria-keyshortcuts': 'u', onClick: () => void undo(true) }, 'Undo last pick (u)');
  const version = el('span', { class: 'version' });
  const takesBox = el('div', { class: 'takes-box' });
  const graphBox = el('div', {});
  const stateBox = el('div', {});
  const eventBox = el('div', {}, el('p', { class: 'hint' }, 'Focus a take (Tab, the arrow keys) to see the event it comes from.'));
  const element = el(
    'section',
    { class: 'record', 'aria-labelledby': 'record-title' },
    el('p', {}, el('a', { href: queueHash({}) }, '← Back to the queue')),
    el('h1', { id: 'record-title', tabindex: -1 }, `${entity} `, el('code', {}, id), ' ', version),
    el('div', { class: 'toolbar' }, undoButton, el('p', { id: 'track-keys', class: 'hint' }, 'Tab to the takes; ← → between the takes of a field, ↑ ↓ between fields, Enter picks the take, u undoes the last pick.')),
    el(
      'div',
      { class: 'record-grid' },
      el('section', { 'aria-labelledby': 'takes-title' }, el('h2', { id: 'takes-title' }, 'Takes'), takesBox),
      el('section', { 'aria-labelledby': 'graph-title' }, el('h2', { id: 'graph-title' }, 'Graph'), graphBox),
    ),
    el(
      'div',
      { class: 'details-grid' },
      el('section', { 'aria-labelledby': 'state-title' }, el('h2', { id: 'state-title' }, 'The record now'), stateBox),
      el('section', { 'aria-labelledby': 'event-title' }, el('h2', { id: 'event-title' }, 'Event of the focused take'), eventBox),
    ),
  );

  let histories: FieldHistory[] = [];
  let events = new Map<string, RecordEvent>();
  let track: TrackView | null = null;
  let graph: GraphView | null = null;
  let busy = false;

  const showEvent = (take: FieldTake) => {
    graph?.select(take.event_id);
    const event = events.get(take.event_id);
    eventBox.replaceChildren(
      event
        ? el(
            'dl',
            { class: 'facts' },
            fact('event', `v${event.version} ${event.type} (applied on v${event.prior_version}, branched from v${event.base_version})`),
            fact('user', event.user.id === ownUser ? `${event.user.id} (you)` : event.user.id),
            fact('device', deviceText(event.device, false)),
            fact('branch / submit / commit', `${timeText(event.branch_ts)} / ${timeText(event.submit_ts)} / ${timeText(event.commit_ts)}`),
            fact('submitted', JSON.stringify(event.submitted)),
            event.contested.length ? fact('contested', event.contested.join(', ')) : null,
          )
        : el('p', {}, 'No event for this take.'),
    );
  };

  /** Reads everything again from the gateway and draws it; puts focus back on a take when asked. */
  const load = async (focus?: { field: string; eventId: string } | 'track') => {
    const [record, history, eventGraph, eventList] = await Promise.all([
      gateway.record(entity, id).catch(() => null),
      gateway.history(entity, id),
      gateway.graph(entity, id),
      gateway.events(entity, id),
    ]);
    histories = history;
    events = new Map(eventList.map((event) => [event.id, event]));
    version.textContent = `version ${eventList.at(-1)?.version ?? '?'}`;
    graph = graphView(eventGraph);
    graphBox.replaceChildren(graph.element);
    stateBox.replaceChildren(
      record ? el('dl', { class: 'facts' }, Object.entries(record).map(([name, value]) => fact(name, valueText(value)))) : el('p', {}, 'Not in the read tables (deleted, or not yet projected).'),
    );
    const width = Math.max(320, takesBox.clientWidth - LABEL_WIDTH - 12);
    track = trackView(histories, width, { pick: (h, t) => void pick(h, t), focused: showEvent, ownUser });
    takesBox.replaceChildren(track.element);
    undoButton.disabled = !picks.last(key);
    if (focus) track.focus(focus === 'track' ? undefined : focus);
  };

  const pick = async (history: FieldHistory, take: FieldTake) => {
    if (busy) return;
    busy = true;
    try {
      const result = await gateway.resolve(entity, id, { field: history.field, take: take.event_id });
      picks.picked(key, history, take);
      await load({ field: history.field, eventId: take.event_id });
      say(`Picked ${valueText(take.value, take.removed)} for ${fieldName(history.field)}: version ${result.meta.version}, ${result.meta.outcome}. Press u to undo.`);
    } catch (error) {
      say(`The pick failed: ${(error as Error).message}`, 'error');
    } finally {
      busy = false;
    }
  };

  const undo = async (fromButton: boolean) => {
    const last = picks.last(key);
    if (!last) return say('No pick to undo on this record.');
    if (busy) return;
    busy = true;
    const focused = document.activeElement as HTMLElement | null;
    const at = focused?.dataset.eventId && focused.dataset.field ? { field: focused.dataset.field, eventId: focused.dataset.eventId } : undefined;
    try {
      const result = await gateway.resolve(entity, id, last.undo);
      picks.undone(key);
      const back = 'take' in last.undo ? histories.find((h) => h.field === last.field)?.takes.find((t) => t.event_id === (last.undo as { take: string }).take) : undefined;
      // The Undo button may be disabled now: focus goes back to the track rather than being lost.
      await load(at ?? (fromButton ? 'track' : undefined));
      say(`Undid the pick of ${fieldName(last.field)}: back to ${back ? valueText(back.value, back.removed) : valueText((last.undo as { value: unknown }).value)}, version ${result.meta.version}.`);
    } catch (error) {
      say(`The undo failed: ${(error as Error).message}`, 'error');
    } finally {
      busy = false;
    }
  };

  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'u' || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target as HTMLElement | null;
    if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
    event.preventDefault();
    void undo(false);
  };
  document.addEventListener('keydown', onKey);
  return { element, start: () => load(), dispose: () => document.removeEventListener('keydown', onKey) };
}

function fact(name: string, value: string): HTMLElement[] {
  return [el('dt', {}, name), el('dd', {}, value)];
}
