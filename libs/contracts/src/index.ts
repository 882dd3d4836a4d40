export * from './errors';
export * from './subjects';
export * from './event';
export * from './command';
export * from './reads';
export * from './rebuild';
export * from './reply';
export * from './validate';
export { asyncApiDocument } from './asyncapi';
