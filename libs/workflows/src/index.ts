export { parseDuration } from './duration';
export {
  END,
  gotosOf,
  isValueExpression,
  parseWorkflow,
  type Assignee,
  type ParsedWorkflow,
  type StateChangeTrigger,
  type WorkflowAction,
  type WorkflowDefinition,
  type WorkflowStep,
} from './workflow-definition';
export {
  decideApproval,
  enterStep,
  firstStep,
  initialContext,
  mayDecide,
  resolveValue,
  stepOf,
  type Decision,
  type InstanceScope,
  type Move,
  type PlannedSignal,
  type PlannedWrite,
} from './step-machine';
export { movedValue, triggerMatches, type TriggerEvent } from './trigger-match';
export { createdRecordId, workflowCommandId, workflowSignalCommandId, workflowUserId } from './command-ids';
