export { DATABASE, NATS_CONNECTION } from '@takes/service-kit';

/** Injection tokens of the projector's own providers. */
export const LOGGER = Symbol('LOGGER');
