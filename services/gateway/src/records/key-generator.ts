import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from '@takes/ids';
import type { EntityDefinition } from '@takes/metadata';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';

/**
 * Primary keys for creates that do not bring one: UUID v7 for uuid and string keys
 * (offline clients should make their own the same way); for integer keys, the next
 * value of a sequence per app and entity, as Rocket's serial columns give.
 */
@Injectable()
export class KeyGenerator {
  /** Sequences this process has made sure exist: CREATE … IF NOT EXISTS once, not on every create. */
  private readonly ensured = new Set<string>();

  constructor(@Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>) {}

  async next(app: string, entity: EntityDefinition): Promise<string | number> {
    const type = entity.primary_key.type as string;
    if (type !== 'int' && type !== 'bigint') return uuidv7();
    const name = `seq__${app}__${entity.name}`.replace(/-/g, '_');
    if (!this.ensured.has(name)) {
      await sql`CREATE SEQUENCE IF NOT EXISTS ${sql.id('gateway', name)}`.execute(this.db);
      this.ensured.add(name);
    }
    const { rows } = await sql<{ id: string }>`SELECT nextval(${`gateway."${name}"`}::regclass) AS id`.execute(this.db);
    return Number(rows[0].id);
  }
}
