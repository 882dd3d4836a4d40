import type { ErrorDetail } from '@takes/contracts';
import { parseWorkflow, type WorkflowDefinition } from '@takes/workflows';
import type { AppMetadata } from './app-metadata';
import { fieldOf } from './entity-definition';
import type { Parsed } from './parsed';

/** Reads a workflow as sent to `/_admin/workflows` (`workflow:<id>`), normalized; see @takes/workflows. */
export function parseStoredWorkflow(input: unknown): Parsed<WorkflowDefinition> {
  return parseWorkflow(input);
}

/** Why a workflow cannot be stored in this app: the entities and fields its trigger and actions name must exist. */
export function workflowProblems(workflow: WorkflowDefinition, metadata: AppMetadata): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const entityField = (entityName: string, field: string | null, at: string) => {
    const entity = metadata.entities.get(entityName);
    if (!entity) problems.push({ field: `${at}.entity`, rule: 'exists', message: `unknown entity ${entityName}` });
    else if (field !== null && !fieldOf(entity, field)) problems.push({ field: `${at}.field`, rule: 'exists', message: `entity ${entityName} has no field ${field}` });
  };
  entityField(workflow.trigger.entity, workflow.trigger.field, 'trigger');
  workflow.steps.forEach((step, i) => {
    if (step.type !== 'action') return;
    step.actions.forEach((action, j) => entityField(action.entity, action.type === 'set_field' ? action.field : null, `steps[${i}].actions[${j}]`));
  });
  return problems;
}
