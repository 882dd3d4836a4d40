import type { AppendCommand } from '@takes/contracts';

/** Fields the event store's suites write: JSON-typed, so any value fits. */
const FIELDS = ['a', 'b', 'n', 'i', 'notes', 'list', 'status', 'pressure', 'blob', 'reading', 'note'];

/**
 * The `_meta` command that defines a test entity (records keyed by a client-given string
 * id). Its merge policy is `reject` unless told otherwise, so a stale base is a CONFLICT,
 * which is what the store's own suites check; merges are tested where they are made.
 */
export function defineTestEntity(name: string, app = 'main', mergePolicy: 'reject' | 'field' | 'longest-chain' = 'reject'): AppendCommand {
  return {
    v: 1,
    command_id: `define-${app}-${name}`,
    app,
    entity: '_meta',
    entity_id: `entity:${name}`,
    op: 'define',
    data: {
      name,
      table: name,
      primary_key: { field: 'id', type: 'string', generated: false },
      merge_policy: mergePolicy,
      fields: [{ name: 'id', type: 'string' }, ...FIELDS.map((field) => ({ name: field, type: 'json' }))],
    },
    user: { id: 'setup', roles: ['admin'] },
  };
}
