/**
 * CreateStream, primary course: create package channel → create origin endpoint → create input →
 * create channel → wait until IDLE → record created.
 * On any failure: delete whatever was created (the teardown, its states prefixed "Clean up: "),
 * then record FAILED with the reason.
 */
import { Chain, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ChannelWait, RecordFailure, Teardown, WAIT_BOUNDS } from './fragments.js';
import type { TaskFunctions } from './task-functions.js';
import { catchInto, taskStep } from './task-step.js';

export function createDefinition(scope: Construct, tasks: TaskFunctions): Chain {
  const packageChannel = taskStep(scope, 'Create package channel', tasks['create-package-channel']);
  const endpoint = taskStep(scope, 'Create origin endpoint', tasks['create-origin-endpoint']);
  const input = taskStep(scope, 'Create input', tasks['create-input']);
  const channel = taskStep(scope, 'Create channel', tasks['create-channel']);
  const idle = new ChannelWait(
    scope,
    'Wait for channel to be idle',
    tasks['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.createdSeconds,
  );
  const record = taskStep(scope, 'Record created', tasks['record-created']);

  const failed = new RecordFailure(scope, 'Record failure', tasks['record-failure'], {
    action: 'create',
    status: 'FAILED',
    failName: 'Stream creation failed',
  });
  const cleanup = new Teardown(scope, 'Clean up', tasks).prefixStates('Clean up: ');
  cleanup.next(failed);
  // A failing clean-up still ends in FAILED, with the original reason; the ids stay on the record so
  // DELETE /streams/{id} can finish the job.
  catchInto([cleanup], failed, '$.cleanup_error');
  catchInto([packageChannel, endpoint, input, channel, idle, record], cleanup);

  return Chain.start(packageChannel)
    .next(endpoint)
    .next(input)
    .next(channel)
    .next(idle)
    .next(record)
    .next(new Succeed(scope, 'Stream created'));
}
