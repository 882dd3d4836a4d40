import type { Migrations } from '@takes/db';
import { events2026112317 } from './2026_11_23_1700_events';

export const EVENT_STORE_SCHEMA = 'event_store';

/** Every migration of the event_store schema, by timestamped name. */
export const eventStoreMigrations: Migrations = {
  '2026_11_23_1700_events': events2026112317,
};
