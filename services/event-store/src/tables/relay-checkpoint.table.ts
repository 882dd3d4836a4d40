import type { ColumnType, Generated } from 'kysely';

/** event_store.relay_checkpoint: the last position the relay published, per JetStream stream. */
export interface RelayCheckpointTable {
  stream: string;
  position: ColumnType<string, string | number, string | number>;
  stream_seq: ColumnType<string, string | number, string | number>;
  updated_at: Generated<Date>;
}
