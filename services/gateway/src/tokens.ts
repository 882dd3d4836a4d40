export { DATABASE, NATS_CONNECTION } from '@takes/service-kit';

/** Injection tokens of the gateway's own providers. */
export const GATEWAY_DB = Symbol('GATEWAY_DB');
export const LOGGER = Symbol('LOGGER');
export const TOKEN_KEY = Symbol('TOKEN_KEY');
