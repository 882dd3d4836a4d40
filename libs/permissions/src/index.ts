// @takes/permissions: Rocket's permission rows (entity, action, roles, conditions) and
// what they allow one user: every row, none, or the rows meeting conditions, with `$user.`
// values resolved. Pure: the gateway turns an access into SQL filters on the read
// tables; the event store's decide checks a record's state against it.
export {
  CONDITION_OPERATORS,
  LIST_OPERATORS,
  PERMISSION_ACTIONS,
  parsePermission,
  type ConditionOperator,
  type Permission,
  type PermissionAction,
  type PermissionCondition,
  type PermissionParse,
} from './permission-definition';
export { isMalformedReference, resolveUserValue, userReference, type PermissionUser } from './user-values';
export { ADMIN_ROLE, accessFor, type NormalizeValue, type ResolvedCondition, type RowAccess } from './row-access';
export { compareNumbers, conditionHolds, rowAllowed, valueOrderOf, type ValueOrder } from './row-match';
