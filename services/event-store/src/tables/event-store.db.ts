import type { CommandsTable } from './commands.table';
import type { EventsTable } from './events.table';
import type { RelayCheckpointTable } from './relay-checkpoint.table';
import type { SnapshotsTable } from './snapshots.table';
import type { StreamsTable } from './streams.table';

/** The event_store schema as kysely sees it (queries go through `withSchema('event_store')`). */
export interface EventStoreDb {
  events: EventsTable;
  streams: StreamsTable;
  commands: CommandsTable;
  relay_checkpoint: RelayCheckpointTable;
  snapshots: SnapshotsTable;
}
