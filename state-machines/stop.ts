/** StopStream, primary course: claim stream → stop channel → wait until IDLE (≤ 5 min) → record stopped. */
import { Chain, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ChannelWait, ClaimStream, RecordFailure, WAIT_BOUNDS } from './fragments.js';
import type { TaskFunctions } from './task-functions.js';
import { catchInto, taskStep } from './task-step.js';

export function stopDefinition(scope: Construct, tasks: TaskFunctions): Chain {
  const claim = new ClaimStream(scope, tasks, 'stop');
  const stop = taskStep(scope, 'Stop channel', tasks['stop-channel']);
  const idle = new ChannelWait(
    scope,
    'Wait for channel to be idle',
    tasks['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.stoppedSeconds,
  );
  const record = taskStep(scope, 'Record stopped', tasks['record-stopped']);
  const failed = new RecordFailure(scope, 'Record failure', tasks['record-failure'], {
    action: 'stop',
    status: 'FAILED',
    failName: 'Stream stop failed',
  });
  catchInto([stop, idle, record], failed);
  return Chain.start(claim).next(stop).next(idle).next(record).next(new Succeed(scope, 'Stream stopped'));
}
