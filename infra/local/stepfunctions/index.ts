export { createLocalStepFunctions, RESTART_CAUSE, RESTART_ERROR } from './local-step-functions.js';
export type {
  DescribedExecution,
  ExecutionStatus,
  InvokeLambda,
  LocalStateMachine,
  LocalStepFunctions,
  LocalStepFunctionsOptions,
} from './types.js';
