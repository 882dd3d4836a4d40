/** Injection tokens of the gateway's providers. */
export const DATABASE = Symbol('DATABASE');
export const GATEWAY_DB = Symbol('GATEWAY_DB');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const LOGGER = Symbol('LOGGER');
export const TOKEN_KEY = Symbol('TOKEN_KEY');
