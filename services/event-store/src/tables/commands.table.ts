import type { ColumnType, Generated } from 'kysely';

/** event_store.commands: the result of each accepted command, per (app, user, command id). */
export interface CommandsTable {
  app: string;
  user_id: string;
  command_id: string;
  body_hash: string;
  result: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
}
