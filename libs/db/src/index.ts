export { createDatabase, DEFAULT_DATABASE_URL, type Database, type DatabaseOptions } from './database';
export { ensureDatabase, dropDatabase } from './ensure-database';
export { migrateSchema, type Migration, type Migrations, type MigrateOptions } from './migrate';
export { isUnavailableError, isRetryableTransactionError, isTimeoutError, isUniqueViolation } from './pg-errors';
export { inTransaction, inDeferredTransaction } from './transaction';
export {
  POSITION_LOCK,
  RELAY_LOCK,
  PROJECTOR_LEADER_LOCK,
  REVIEW_QUEUE_LEADER_LOCK,
  WEBHOOKS_INTAKE_LOCK,
  METADATA_LOCK_CLASS,
  migrationLock,
  type AdvisoryLockKey,
} from './advisory-locks';
export { DeferredStatements, dollarQuoted, executeSql, inOneTrip, integerLiteral, prepareOnce, type SqlStatement } from './one-trip';
export { PlaceKeeper, type PlaceKeeperOptions } from './place-keeper';
