export { pooledRandomBytes, toHex, createUuidV7Generator, uuidv7, uuidv7Time, UUID_PATTERN } from './uuid-v7';
