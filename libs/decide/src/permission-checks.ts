import { TakesError, type CommandOp } from '@takes/contracts';
import { fieldOf, permissionValue, permissionsOf, type EntityDefinition } from '@takes/metadata';
import { accessFor, rowAllowed, valueOrderOf, type PermissionAction, type RowAccess } from '@takes/permissions';
import type { RecordCheck, RecordCheckContext } from './record-checks';

/** The permission action a record operation needs: a restore and a reviewer's pick are updates. */
export function actionOf(op: CommandOp): PermissionAction {
  switch (op) {
    case 'create':
      return 'create';
    case 'delete':
      return 'delete';
    default:
      return 'update';
  }
}

/** What the writing user may do with the entity's records for the action (Rocket's whitelist; admin bypasses). */
export function writeAccess(context: Pick<RecordCheckContext, 'user' | 'entity' | 'metadata'>, action: PermissionAction): RowAccess {
  const { entity, metadata, user } = context;
  return accessFor(permissionsOf(metadata, entity.name, action), entity.name, action, user, permissionValue(entity));
}

function orderOf(entity: EntityDefinition) {
  return (field: string) => valueOrderOf(fieldOf(entity, field)?.type);
}

/**
 * The role check of a write, before its record is looked at: FORBIDDEN when none of the
 * user's roles has a permission for the action on the entity. An offline edit refused
 * here is refused, not shelved: the user could never have made it.
 */
export function roleRefusal(context: RecordCheckContext): TakesError | null {
  const action = actionOf(context.command.op);
  return writeAccess(context, action).kind === 'none' ? new TakesError('FORBIDDEN', `no permission to ${action} ${context.entity.name}`) : null;
}

/**
 * Rocket's permission conditions on a write: an update or delete needs the record as it
 * stands to be among the rows the user may change; a create or update needs the result
 * to be too (a user cannot move a record out of what they may write). Runs last, on the
 * state every other check has settled (computed fields and state machine actions
 * included). FORBIDDEN online; an offline edit refused here is shelved with the reason.
 */
export const writeConditions: RecordCheck = (next, previous, context) => {
  const action = actionOf(context.command.op);
  const access = writeAccess(context, action);
  if (access.kind === 'all') return { ok: true, state: next };
  const entity = context.entity.name;
  if (access.kind === 'none') return { ok: false, error: new TakesError('FORBIDDEN', `no permission to ${action} ${entity}`) };
  const order = orderOf(context.entity);
  if (previous !== undefined && !rowAllowed(access, previous, order)) {
    return { ok: false, error: new TakesError('FORBIDDEN', `this ${entity} is not one you may ${action}`, [{ field: '', rule: 'permission', message: `the record as it stands is outside your ${action} permission` }]) };
  }
  if (action !== 'delete' && !rowAllowed(access, next, order)) {
    return { ok: false, error: new TakesError('FORBIDDEN', `the ${entity} would be outside what you may ${action}`, [{ field: '', rule: 'permission', message: `the result is outside your ${action} permission` }]) };
  }
  return { ok: true, state: next };
};
