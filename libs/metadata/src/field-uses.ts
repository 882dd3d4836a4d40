import type { ErrorDetail } from '@takes/contracts';
import type { AppMetadata } from './app-metadata';

/** One definition that names a field of an entity: what it is (`rule r1`) and where (`definition.field`). */
export interface FieldUse {
  readonly by: string;
  readonly at: string;
}

/** `record.<name>` and `old.<name>` in an expression's text: the entity's fields it reads. */
function fieldsRead(text: string): Set<string> {
  return new Set([...text.matchAll(/\b(?:record|old)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]));
}

/**
 * Every definition in force that names `field` of `entity`: rules (their field, the fields
 * their expression reads), state machines (the state field, guards, set_field targets, and
 * create_record data aimed at the entity), permission conditions, and relation keys.
 */
export function fieldUses(metadata: AppMetadata, entity: string, field: string): FieldUse[] {
  const uses: FieldUse[] = [];
  for (const rule of metadata.rules.values()) {
    if (rule.entity !== entity) continue;
    if (rule.type === 'field' && rule.conditions.length > 1) {
      for (const [i, condition] of rule.conditions.entries()) if (condition.field === field) uses.push({ by: `rule ${rule.id}`, at: `definition.conditions[${i}].field` });
    } else if (rule.field === field) uses.push({ by: `rule ${rule.id}`, at: 'definition.field' });
    if (rule.type !== 'field' && fieldsRead(rule.expression.text).has(field)) uses.push({ by: `rule ${rule.id}`, at: 'definition.expression' });
  }
  for (const machine of metadata.stateMachines.values()) {
    if (machine.entity === entity && machine.field === field) uses.push({ by: `state machine ${machine.id}`, at: 'field' });
    for (const [i, transition] of machine.transitions.entries()) {
      if (machine.entity === entity && transition.guard && fieldsRead(transition.guard.text).has(field)) uses.push({ by: `state machine ${machine.id}`, at: `transitions[${i}].guard` });
      for (const [j, action] of transition.actions.entries()) {
        const at = `transitions[${i}].actions[${j}]`;
        if (machine.entity === entity && action.type === 'set_field' && action.field === field) uses.push({ by: `state machine ${machine.id}`, at: `${at}.field` });
        if (action.type === 'create_record' && action.entity === entity && field in action.data) uses.push({ by: `state machine ${machine.id}`, at: `${at}.data.${field}` });
      }
    }
  }
  for (const permission of metadata.permissions.values()) {
    if (permission.entity !== entity) continue;
    for (const [i, condition] of permission.conditions.entries()) if (condition.field === field) uses.push({ by: `permission ${permission.id}`, at: `conditions[${i}].field` });
  }
  for (const relation of metadata.relations.values()) {
    if (relation.source === entity && relation.source_key === field) uses.push({ by: `relation ${relation.name}`, at: 'source_key' });
    if (relation.target === entity && relation.target_key === field) uses.push({ by: `relation ${relation.name}`, at: 'target_key' });
  }
  return uses;
}

/**
 * Why an entity cannot lose these fields: each one a rule, state machine, permission or
 * relation still names (it would go on checking a field that no longer exists, or fail
 * open). The definitions that name it are changed or removed first.
 */
export function removedFieldProblems(metadata: AppMetadata, entity: string, removed: readonly string[]): ErrorDetail[] {
  return removed.flatMap((field) =>
    fieldUses(metadata, entity, field).map((use) => ({
      field: 'fields',
      rule: 'in_use',
      message: `field ${field} cannot be removed: ${use.by} names it (${use.at}); change or remove that first`,
    })),
  );
}
