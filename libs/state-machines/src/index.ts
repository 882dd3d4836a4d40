export {
  parseStateMachine,
  type StateMachine,
  type Transition,
  type TransitionAction,
} from './state-machine-definition';
export {
  checkTransition,
  findTransition,
  type ShellAction,
  type TransitionContext,
  type TransitionOutcome,
} from './check-transition';
