import type { Migrations } from '@takes/db';
import { events2026112317 } from './2026_11_23_1700_events';
import { snapshots2026112319 } from './2026_11_23_1950_snapshots';
import { uniqueValues2026112320 } from './2026_11_23_2000_unique_values';
import { overwritten2026112320 } from './2026_11_23_2010_overwritten';
import { shelveReason2026112409 } from './2026_11_24_0900_shelve_reason';
import { eventSignal2026120214 } from './2026_12_02_1400_event_signal';
import { eventWebhook2026120309 } from './2026_12_03_0900_event_webhook';

export const EVENT_STORE_SCHEMA = 'event_store';

/** Every migration of the event_store schema, by timestamped name. */
export const eventStoreMigrations: Migrations = {
  '2026_11_23_1700_events': events2026112317,
  '2026_11_23_1950_snapshots': snapshots2026112319,
  '2026_11_23_2000_unique_values': uniqueValues2026112320,
  '2026_11_23_2010_overwritten': overwritten2026112320,
  '2026_11_24_0900_shelve_reason': shelveReason2026112409,
  '2026_12_02_1400_event_signal': eventSignal2026120214,
  '2026_12_03_0900_event_webhook': eventWebhook2026120309,
};
