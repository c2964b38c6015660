/**
 * DeleteStream, primary course: delete schedules → end live (off the CDN) → stop channel if running
 * (force) → wait until IDLE → teardown → remove stream. The archive stays. On failure: FAILED with the
 * reason; the ids stay on the record, and DELETE again finishes the job.
 */
import { Chain, Choice, Condition, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ChannelWait, RecordFailure, Teardown, WAIT_BOUNDS } from './fragments.js';
import type { TaskFunctions } from './task-functions.js';
import { CDN_RACE, catchInto, taskStep } from './task-step.js';

export function deleteDefinition(scope: Construct, tasks: TaskFunctions): Chain {
  const unschedule = taskStep(scope, 'Delete schedules', tasks['delete-schedules']);
  const offCdn = taskStep(scope, 'End live', tasks['end-live'], { retryOn: CDN_RACE });
  const stop = taskStep(scope, 'Stop channel if running', tasks['stop-channel'], { resultPath: '$.stop' });
  // A retry after a partial delete finds the channel deleted (or never created): it never gets IDLE.
  const channelLeft = new Choice(scope, 'Channel left to stop?');
  const idle = new ChannelWait(
    scope,
    'Wait for channel to be idle',
    tasks['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.stoppedSeconds,
  );
  const teardown = new Teardown(scope, 'Teardown', tasks);
  const remove = taskStep(scope, 'Remove stream', tasks['remove-stream']);
  const failed = new RecordFailure(scope, 'Record failure', tasks['record-failure'], {
    action: 'delete',
    status: 'FAILED',
    failName: 'Stream delete failed',
  });
  catchInto([unschedule, offCdn, stop, idle, teardown, remove], failed);

  const gone = ['NONE', 'DELETING', 'DELETED'].map((state) => Condition.stringEquals('$.stop.state', state));
  channelLeft.when(Condition.or(...gone), teardown).otherwise(idle);
  idle.next(teardown);
  teardown.next(remove).next(new Succeed(scope, 'Stream deleted'));
  return Chain.start(unschedule).next(offCdn).next(stop).next(channelLeft);
}
