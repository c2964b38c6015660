/**
 * Errors of the Step Functions API. `code` is the `__type` the SDK turns into its exception class
 * (`ExecutionAlreadyExists`, `InvalidName`, ...), so codes must be the model's shape names.
 */
export class SfnApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'SfnApiError';
  }
}

export const validationError = (message: string): SfnApiError =>
  new SfnApiError('ValidationException', `1 validation error detected: ${message}`);

export const invalidArn = (arn: string, why: string): SfnApiError =>
  new SfnApiError('InvalidArn', `Invalid Arn: '${why}: ${arn}'`);

export const stateMachineDoesNotExist = (arn: string): SfnApiError =>
  new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);

export const executionDoesNotExist = (arn: string): SfnApiError =>
  new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);

export const invalidToken = (): SfnApiError =>
  new SfnApiError('InvalidToken', 'Invalid Token: the nextToken does not belong to this request');
