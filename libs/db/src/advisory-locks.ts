/**
 * Every PostgreSQL advisory lock Takes takes, in one place, so two features never pick
 * the same key by accident. The values are fixed: running deployments hold them, and a
 * process of a new build must contend for the same lock as one of the old build.
 *
 * | lock                      | key                                  | kind                     | guards |
 * |---------------------------|--------------------------------------|--------------------------|--------|
 * | POSITION_LOCK             | (0x7a6b, 1)                          | transaction              | the event store's append: positions are drawn and events inserted under it, so positions follow commit order and a reader of "after P" never skips one |
 * | RELAY_LOCK                | (0x7a6b, 2)                          | session, own connection  | the event store's relay: one relay per deployment publishes to JetStream |
 * | PROJECTOR_LEADER_LOCK     | (0x7a6b, 3)                          | session, own connection  | the projector: one active replica applies events to the read tables; others stand by |
 * | REVIEW_QUEUE_LEADER_LOCK  | (0x7a6b, 4)                          | session, own connection  | the conflicts service: one replica keeps the review queue |
 * | WEBHOOKS_INTAKE_LOCK      | (0x7a6b, 15)                         | session, own connection  | the webhooks service: one replica turns events into deliveries (every replica delivers) |
 * | METADATA_LOCK_CLASS       | (0x7a6c, hashtext(app))              | transaction              | the event store's metadata changes of one app: decided one after another, so two defines that each pass alone (two entities claiming one table) are never both appended |
 * | migrationLock(schema)     | hashtext('takes.migrate.<schema>')   | session, own connection  | migrateSchema: replicas starting together apply each migration of a schema once |
 *
 * The two-int locks use PostgreSQL's two-int key space (`pg_advisory_lock(int, int)`),
 * class 0x7a6b for Takes; the migration lock uses the one-bigint key space
 * (`pg_advisory_lock(bigint)`), which never collides with a two-int key. A new lock
 * takes the next free object id in class 0x7a6b and a row in this table.
 */

/** A two-int advisory lock key: (class, object). Pass it as the query's two parameters. */
export type AdvisoryLockKey = [classId: number, objectId: number];

/** The class id of every two-int lock Takes takes. */
const TAKES = 0x7a6b;

/** Held by each append transaction just before it draws positions (`pg_advisory_xact_lock`). */
export const POSITION_LOCK: AdvisoryLockKey = [TAKES, 1];

/** Held by the leading relay on a connection of its own (`pg_try_advisory_lock`). */
export const RELAY_LOCK: AdvisoryLockKey = [TAKES, 2];

/** Held by the active projector replica on a connection of its own (`pg_advisory_lock`). */
export const PROJECTOR_LEADER_LOCK: AdvisoryLockKey = [TAKES, 3];

/** Held by the replica of the conflicts service that keeps the review queue (`pg_advisory_lock`). */
export const REVIEW_QUEUE_LEADER_LOCK: AdvisoryLockKey = [TAKES, 4];

/** The webhooks service's intake (15: the issue that made it, so the numbers other services take next stay free). */
export const WEBHOOKS_INTAKE_LOCK: AdvisoryLockKey = [TAKES, 15];

/**
 * The text whose `hashtext` is the key of a schema's migration lock: take it with
 * `pg_advisory_lock(hashtext($1))`.
 */
export function migrationLock(schema: string): string {
  return `takes.migrate.${schema}`;
}

/**
 * The class of the per-app metadata locks, [METADATA_LOCK_CLASS, hashtext(app)]: held
 * (`pg_advisory_xact_lock`) by an append transaction that changes the app's metadata,
 * taken before it reads the app's metadata, so metadata changes are decided one after
 * another. Record writes never take it.
 */
export const METADATA_LOCK_CLASS = 0x7a6c;
