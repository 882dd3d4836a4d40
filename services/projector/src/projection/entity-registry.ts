import type { PoolClient } from 'pg';
import type { EntityDefinition } from '@takes/metadata';

/**
 * The entity definitions the projector has built read tables from, kept in
 * projector.entities in the same transaction as the tables, so a restart knows them
 * without replaying. Changes made inside a batch are staged and become visible to the
 * next batch only once that batch committed.
 */
export class EntityRegistry {
  private entities = new Map<string, { definition: EntityDefinition; removed: boolean; position: number }>();
  private staged = new Map<string, { definition: EntityDefinition; removed: boolean; position: number }>();

  private static key(app: string, name: string): string {
    return `${app}\u001f${name}`;
  }

  async load(client: PoolClient): Promise<void> {
    const { rows } = await client.query<{ app: string; name: string; definition: EntityDefinition; removed: boolean; position: string }>(
      'SELECT app, name, definition, removed, position FROM projector.entities',
    );
    this.entities = new Map(rows.map((r) => [EntityRegistry.key(r.app, r.name), { definition: r.definition, removed: r.removed, position: Number(r.position) }]));
  }

  private entry(app: string, name: string) {
    const key = EntityRegistry.key(app, name);
    return this.staged.get(key) ?? this.entities.get(key);
  }

  /** The live definition (undefined once removed). */
  get(app: string, name: string): EntityDefinition | undefined {
    const entry = this.entry(app, name);
    return entry && !entry.removed ? entry.definition : undefined;
  }

  /** Position of the last metadata event applied for this entity (0 if none): older ones are redeliveries. */
  position(app: string, name: string): number {
    return this.entry(app, name)?.position ?? 0;
  }

  /** The last definition, removed or not: what the next `defined` event's patch applies to. */
  last(app: string, name: string): EntityDefinition | undefined {
    return this.entry(app, name)?.definition;
  }

  /**
   * The committed definitions of one app's entities, removed or not (what a rebuild
   * works from): staged changes of a batch in progress are left out.
   */
  committed(app: string): { name: string; definition: EntityDefinition; removed: boolean; position: number }[] {
    const prefix = EntityRegistry.key(app, '');
    return [...this.entities].filter(([key]) => key.startsWith(prefix)).map(([key, entry]) => ({ name: key.slice(prefix.length), ...entry }));
  }

  async stage(client: PoolClient, app: string, name: string, definition: EntityDefinition, removed: boolean, position: number): Promise<void> {
    await client.query(
      `INSERT INTO projector.entities (app, name, definition, removed, position) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (app, name) DO UPDATE SET definition = EXCLUDED.definition, removed = EXCLUDED.removed, position = EXCLUDED.position`,
      [app, name, JSON.stringify(definition), removed, position],
    );
    this.staged.set(EntityRegistry.key(app, name), { definition, removed, position });
  }

  commit(): void {
    for (const [key, entry] of this.staged) this.entities.set(key, entry);
    this.staged.clear();
  }

  rollback(): void {
    this.staged.clear();
  }
}
