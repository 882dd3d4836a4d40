import { TakesError } from '@takes/contracts';
import type { Principal } from '../http/request-context';

export type RecordAction = 'read' | 'create' | 'update' | 'delete';

/**
 * Rocket's whitelist: the admin role (and platform tokens) may do anything; any other
 * role needs a permission row for the entity and action. Permission rows come with the
 * permissions admin; until one exists for an entity and action, other roles are refused.
 */
export function assertAllowed(principal: Principal, entity: string, action: RecordAction): void {
  if (principal.roles.includes('admin')) return;
  throw new TakesError('FORBIDDEN', `no permission to ${action} ${entity}`);
}
