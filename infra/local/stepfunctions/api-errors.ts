/**
 * Errors of the Step Functions API. `code` is the `__type` the SDK turns into its exception class
 * (`ExecutionAlreadyExists`, `InvalidName`, ...), so codes must be the model's shape names.
 */
import { AwsApiError } from '../aws-json-protocol.js';
export class SfnApiError extends AwsApiError {
  override readonly name = 'SfnApiError';
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
