export { DATABASE, NATS_CONNECTION } from '@takes/service-kit';

/** Injection tokens of the webhooks service's own providers. */
export const LOGGER = Symbol('LOGGER');
