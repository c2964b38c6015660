/**
 * Errors of the Scheduler API, answered with the model's HTTP status and the shape name in
 * `x-amzn-ErrorType`, which the SDK turns into its exception classes (`ConflictException`, ...).
 */
export class SchedulerApiError extends Error {
  override readonly name = 'SchedulerApiError';
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

export const validationError = (message: string): SchedulerApiError =>
  new SchedulerApiError('ValidationException', 400, message);

export const conflict = (message: string): SchedulerApiError =>
  new SchedulerApiError('ConflictException', 409, message);

export const notFound = (message: string): SchedulerApiError =>
  new SchedulerApiError('ResourceNotFoundException', 404, message);

export const scheduleNotFound = (groupName: string, name: string): SchedulerApiError =>
  notFound(`Schedule ${name} does not exist in schedule group ${groupName}.`);

export const groupNotFound = (groupName: string): SchedulerApiError =>
  notFound(`Schedule group ${groupName} does not exist.`);
