/** GoLive: add the stream's origin and cache behaviour to the live distribution. Status unchanged. */
import { Chain, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { RecordFailure } from './fragments.js';
import type { TaskFunctions } from './task-functions.js';
import { CDN_RACE, catchInto, taskStep } from './task-step.js';

export function goLiveDefinition(scope: Construct, tasks: TaskFunctions): Chain {
  const add = taskStep(scope, 'Go live', tasks['go-live'], { retryOn: CDN_RACE });
  const failed = new RecordFailure(scope, 'Record failure', tasks['record-failure'], {
    action: 'go-live',
    status: 'KEEP',
    failName: 'Could not put stream on the CDN',
  });
  catchInto([add], failed);
  return Chain.start(add).next(new Succeed(scope, 'Stream on the CDN'));
}
