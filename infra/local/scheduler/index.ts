export {
  createLocalScheduler,
  type LocalScheduler,
  type LocalSchedulerOptions,
  SCHEDULES_FILE,
} from './local-scheduler.js';
