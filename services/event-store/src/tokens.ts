export { DATABASE, NATS_CONNECTION } from '@takes/service-kit';

/** Injection tokens of the event store's own providers. */
export const LOGGER = Symbol('LOGGER');
/** The kysely instance scoped to the event_store schema. */
export const EVENT_STORE_DB = Symbol('EVENT_STORE_DB');
