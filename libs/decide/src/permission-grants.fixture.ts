import type { AppMetadata } from '@takes/metadata';
import { PERMISSION_ACTIONS } from '@takes/permissions';

/** The metadata with every action on `entity` granted to `roles`, without conditions (for specs whose users are not admins). */
export function grantAll(metadata: AppMetadata, entity: string, roles: string[]): AppMetadata {
  const permissions = new Map(metadata.permissions);
  for (const action of PERMISSION_ACTIONS) {
    const id = `all-${entity}-${action}`;
    permissions.set(id, { name: id, id, entity, action, roles, conditions: [] });
  }
  return { ...metadata, permissions };
}
