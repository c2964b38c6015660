export { createLocalScheduler } from './local-scheduler.js';
export { DEFAULT_TIMEZONE, parseScheduleExpression, type ScheduleExpression } from './schedule-expression.js';
export { SCHEDULES_FILE_NAME } from './schedule-store.js';
export { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS } from './schedule-target.js';
export { DEFAULT_GROUP } from './scheduler-service.js';
export type {
  LocalScheduler,
  LocalSchedulerOptions,
  ScheduleInvocation,
  SchedulerEvents,
  StartExecution,
} from './types.js';
