export { DATABASE, NATS_CONNECTION } from '@takes/service-kit';

/** Injection tokens of the workflows service's own providers. */
export const LOGGER = Symbol('LOGGER');
