import type { FieldHistory, FieldTake } from './api-shapes';
import { el } from './dom';
import { clip, deviceText, fieldName, shortUser, tickText, timeText, valueText } from './format';
import { axisTicks, firstSpot, moveInTrack, spotOf, trackLayout, type TakeSpot, type TrackKey, type TrackLayout } from './track-layout';

export const LABEL_WIDTH = 180;
const BLOCK_WIDTH = 150;
const LANE_HEIGHT = 46;
const TRACK_KEYS = new Set<string>(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

export interface TrackHandlers {
  /** The reviewer picked a take (a click, Enter or Space on it). */
  pick(history: FieldHistory, take: FieldTake): void;
  /** A take got the focus. */
  focused(take: FieldTake): void;
  /** The reviewer's own user id: their takes say "you". */
  ownUser: string | null;
}

export interface TrackView {
  element: HTMLElement;
  /** Puts the keyboard focus on a take (by field and event), or on where the track starts. */
  focus(at?: { field: string; eventId: string }): void;
}

/** Who made a take, as its block and its label say it. */
function source(take: FieldTake, ownUser: string | null): { user: string; device: string } {
  return { user: take.user.id === ownUser ? 'you' : shortUser(take.user.id), device: deviceText(take.device) };
}

function takeLabel(history: FieldHistory, take: FieldTake, ownUser: string | null): string {
  const who = take.user.id === ownUser ? 'you' : `user ${take.user.id}`;
  const states = [take.current && 'current value', take.contested && 'contested', take.picked && "a reviewer's pick", !take.applied && 'offered, not applied'].filter(Boolean);
  return `${fieldName(history.field)}: ${valueText(take.value, take.removed)}, by ${who} on ${deviceText(take.device, false)}, submitted ${timeText(take.submit_ts)}, version ${take.version} ${take.type}${states.length ? `, ${states.join(', ')}` : ''}`;
}

/**
 * One row per field, each take a button placed by its submit time, labelled with its
 * user and device; the current value highlighted, contested fields marked. One tab stop
 * for the whole track: the arrow keys move between takes, Home and End to a field's
 * first and last, Enter or Space picks.
 */
export function trackView(histories: readonly FieldHistory[], width: number, handlers: TrackHandlers): TrackView {
  const layout: TrackLayout = trackLayout(histories, { width, blockWidth: BLOCK_WIDTH });
  const buttons: HTMLButtonElement[][] = [];
  let active: TakeSpot | null = firstSpot(layout);

  const activate = (spot: TakeSpot, focus: boolean) => {
    if (active) buttons[active.row][active.index].tabIndex = -1;
    active = spot;
    const button = buttons[spot.row][spot.index];
    button.tabIndex = 0;
    if (focus) button.focus();
  };

  const rows = layout.rows.map((row, r) => {
    const { history } = row;
    buttons[r] = row.takes.map(({ take, x, lane }, i) => {
      const who = source(take, handlers.ownUser);
      const classes = ['take', take.current && 'current', take.contested && 'contested', take.picked && 'picked', !take.applied && 'offered'].filter(Boolean).join(' ');
      return el(
        'button',
        {
          type: 'button',
          class: classes,
          style: `left:${x}px;top:${lane * LANE_HEIGHT}px;width:${BLOCK_WIDTH}px`,
          tabindex: -1,
          'aria-label': takeLabel(history, take, handlers.ownUser),
          'aria-current': take.current ? 'true' : undefined,
          'data-field': history.field,
          'data-event-id': take.event_id,
          title: `${valueText(take.value, take.removed)}\n${timeText(take.submit_ts)} · v${take.version} ${take.type}`,
          onClick: () => handlers.pick(history, take),
          onMouseenter: () => handlers.focused(take),
          onFocus: () => {
            activate({ row: r, index: i }, false);
            handlers.focused(take);
          },
        },
        el('span', { class: 'take-value' }, clip(valueText(take.value, take.removed), 20)),
        el('span', { class: 'take-source' }, `${who.device} · ${who.user}`),
      );
    });
    return el(
      'div',
      { class: `track-row${history.contested ? ' contested' : ''}`, role: 'group', 'aria-label': `${fieldName(history.field)}${history.contested ? ', contested' : ''}, now ${valueText(history.value)}` },
      el(
        'div',
        { class: 'field-label', style: `width:${LABEL_WIDTH}px` },
        el('span', { class: 'field-name' }, fieldName(history.field)),
        history.contested ? el('span', { class: 'badge' }, 'contested') : null,
        el('span', { class: 'field-value', title: valueText(history.value) }, clip(valueText(history.value), 22)),
      ),
      el('div', { class: 'lanes', style: `width:${width}px;height:${row.lanes * LANE_HEIGHT}px` }, buttons[r]),
    );
  });
  if (active) buttons[active.row][active.index].tabIndex = 0;

  const axis = el(
    'div',
    { class: 'axis', 'aria-hidden': 'true', style: `margin-left:${LABEL_WIDTH}px;width:${width}px` },
    axisTicks(layout, BLOCK_WIDTH).map((tick) => el('span', { class: 'tick', style: `left:${tick.x}px` }, tickText(tick.time, layout.end - layout.start))),
  );
  const element = el(
    'div',
    {
      class: 'track',
      role: 'group',
      'aria-label': 'Takes of each field by submit time',
      'aria-describedby': 'track-keys',
      onKeydown: (event: KeyboardEvent) => {
        if (!TRACK_KEYS.has(event.key) || !active || event.altKey || event.ctrlKey || event.metaKey) return;
        event.preventDefault();
        const next = moveInTrack(layout, active, event.key as TrackKey);
        if (next) activate(next, true);
      },
    },
    axis,
    rows.length ? rows : el('p', { class: 'empty' }, 'This record has no fields with takes.'),
  );

  return {
    element,
    focus: (at) => {
      const spot = (at && spotOf(layout, at.field, at.eventId)) ?? active;
      if (spot) activate(spot, true);
    },
  };
}
