import { Pool } from 'pg';
import { getPostgreSQLEventStore, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';

/**
 * The peer library of bench:append: Emmett's PostgreSQL event store (0.42), one event
 * per appendToStream with the expected stream version, on the same server and database
 * as the event store it is compared with, through a pg pool of the same size.
 */
export interface EmmettPeer {
  append(stream: string, expectedVersion: bigint, n: number): Promise<bigint>;
  close(): Promise<void>;
}

export async function openEmmett(url: string, poolMax: number): Promise<EmmettPeer> {
  const pool = new Pool({ connectionString: url, max: poolMax });
  const store: PostgresEventStore = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
  // Emmett creates its schema on first use; do it before the clock starts.
  await store.schema.migrate();
  return {
    async append(stream, expectedVersion, n) {
      const result = await store.appendToStream(stream, [{ type: 'BenchAppended', data: { n } }], {
        expectedStreamVersion: expectedVersion,
      });
      return result.nextExpectedStreamVersion;
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
