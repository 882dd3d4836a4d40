import type { ReviewQueuePage } from './api-shapes';
import { el } from './dom';
import { deviceText, fieldName, shortUser, timeText } from './format';
import type { Gateway, QueueFilters } from './gateway';

const FILTERS: { name: keyof QueueFilters; label: string; hint: string }[] = [
  { name: 'entity', label: 'Entity', hint: 'inspection' },
  { name: 'user', label: 'User id', hint: 'a user id' },
  { name: 'device', label: 'Device', hint: 'tablet-7 or d:…' },
  { name: 'min_age', label: 'Older than (s)', hint: '3600' },
];

export function recordHash(entity: string, id: string): string {
  return `#/record/${encodeURIComponent(entity)}/${encodeURIComponent(id)}`;
}

export function queueHash(filters: QueueFilters): string {
  const query = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')).toString();
  return `#/queue${query ? `?${query}` : ''}`;
}

/** The review queue: contested records the reviewer may read, oldest contest first, with its filters and pages. */
export async function queueView(gateway: Gateway, filters: QueueFilters): Promise<HTMLElement> {
  const page = await gateway.queue(filters);
  const inputs = FILTERS.map((filter) => el('input', { id: `filter-${filter.name}`, name: filter.name, value: filters[filter.name] ?? '', placeholder: filter.hint }));
  const form = el(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter the queue',
      onSubmit: (event: SubmitEvent) => {
        event.preventDefault();
        const next: QueueFilters = {};
        inputs.forEach((input, i) => (next[FILTERS[i].name] = input.value.trim()));
        location.hash = queueHash(next);
      },
    },
    FILTERS.map((filter, i) => el('div', { class: 'filter' }, el('label', { for: `filter-${filter.name}` }, filter.label), inputs[i])),
    el('button', { type: 'submit' }, 'Filter'),
    el('a', { href: queueHash({}), class: 'button-like' }, 'Clear'),
  );
  return el('section', { class: 'queue', 'aria-labelledby': 'queue-title' }, el('h1', { id: 'queue-title' }, 'Review queue'), form, queueTable(page), pager(page, filters));
}

function queueTable(page: ReviewQueuePage): HTMLElement {
  if (page.data.length === 0) return el('p', { class: 'empty' }, 'Nothing to review: no contested record you may read matches.');
  return el(
    'table',
    { class: 'queue-table' },
    el('caption', {}, `${page.meta.total} contested record${page.meta.total === 1 ? '' : 's'}`),
    el('thead', {}, el('tr', {}, ['Record', 'Contested fields', 'Users', 'Devices', 'Contested since', 'Version'].map((title) => el('th', { scope: 'col' }, title)))),
    el(
      'tbody',
      {},
      page.data.map((item) =>
        el(
          'tr',
          {},
          el('td', {}, el('a', { href: recordHash(item.entity, item.id), 'aria-label': `Open ${item.entity} ${item.id}` }, `${item.entity} `, el('code', {}, item.id.slice(0, 8)))),
          el('td', {}, item.fields.map(fieldName).join(', ')),
          el('td', { title: item.users.join(', ') }, item.users.map(shortUser).join(', ')),
          el('td', { title: item.devices.join(', ') }, item.devices.map((d) => deviceText(d)).join(', ')),
          el('td', {}, timeText(item.contested_since)),
          el('td', {}, item.version),
        ),
      ),
    ),
  );
}

function pager(page: ReviewQueuePage, filters: QueueFilters): HTMLElement {
  const { page: current, total_pages: pages } = page.meta;
  const go = (to: number) => queueHash({ ...filters, page: String(to) });
  return el(
    'nav',
    { class: 'pager', 'aria-label': 'Queue pages' },
    current > 1 ? el('a', { href: go(current - 1) }, 'Previous page') : null,
    el('span', {}, `Page ${current} of ${Math.max(1, pages)}`),
    current < pages ? el('a', { href: go(current + 1) }, 'Next page') : null,
  );
}
