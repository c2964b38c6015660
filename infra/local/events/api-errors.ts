/**
 * Errors of the EventBridge API. `code` is the `__type` the SDK turns into its exception class
 * (`ResourceNotFoundException`, `InvalidEventPatternException`, ...), so codes are model shape names.
 */
import { AwsApiError } from '../aws-json-protocol.js';
export class EventsApiError extends AwsApiError {
  override readonly name = 'EventsApiError';
}

export const validationError = (message: string): EventsApiError =>
  new EventsApiError('ValidationException', `1 validation error detected: ${message}`);

export const busNotFound = (name: string): EventsApiError =>
  new EventsApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);

export const invalidEventPattern = (message: string): EventsApiError =>
  new EventsApiError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${message}`);
