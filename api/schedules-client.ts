/**
 * The schedule routes' Scheduler client, in its own module so that the API's entry chunk does not
 * hold it (api/lazy.ts).
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { observed } from '../core/aws-call-observer.js';
import { type ScheduleTargets, StreamSchedules } from '../core/stream-schedules.js';

export function streamSchedules(targets: ScheduleTargets): StreamSchedules {
  return new StreamSchedules(observed(new SchedulerClient({})), targets);
}
