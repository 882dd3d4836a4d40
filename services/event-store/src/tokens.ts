/** Injection tokens of the event store's providers. */
export const DATABASE = Symbol('DATABASE');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const LOGGER = Symbol('LOGGER');
/** The kysely instance scoped to the event_store schema. */
export const EVENT_STORE_DB = Symbol('EVENT_STORE_DB');
