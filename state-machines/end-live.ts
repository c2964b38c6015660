/** EndLive: remove the stream's origin and cache behaviour from the live distribution. */
import { Chain, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { RecordFailure } from './fragments.js';
import type { TaskFunctions } from './task-functions.js';
import { CDN_RACE, catchInto, taskStep } from './task-step.js';

export function endLiveDefinition(scope: Construct, tasks: TaskFunctions): Chain {
  const remove = taskStep(scope, 'End live', tasks['end-live'], { retryOn: CDN_RACE });
  const failed = new RecordFailure(scope, 'Record failure', tasks['record-failure'], {
    action: 'end-live',
    status: 'KEEP',
    failName: 'Could not take stream off the CDN',
  });
  catchInto([remove], failed);
  return Chain.start(remove).next(new Succeed(scope, 'Stream off the CDN'));
}
