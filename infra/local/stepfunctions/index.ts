export { localSfnClientConfig } from './client-config.js';
export { createLocalStepFunctions } from './local-step-functions.js';
export { RESTART_CAUSE, RESTART_ERROR } from './step-functions-service.js';
export type {
  DescribedExecution,
  ExecutionStatus,
  InvokeLambda,
  InvokeServiceIntegration,
  LocalStateMachine,
  LocalStepFunctions,
  LocalStepFunctionsOptions,
} from './types.js';
