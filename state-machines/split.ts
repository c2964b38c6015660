/**
 * SplitArchive (Express, run synchronously by the API): plan every clip from MediaLive's archive
 * naming and write the playlists. Errors reach the API by name (InvalidRequest → 400).
 */
import { Chain, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { TaskFunctions } from './task-functions.js';
import { taskStep } from './task-step.js';

export function splitDefinition(scope: Construct, tasks: TaskFunctions): Chain {
  const split = taskStep(scope, 'Split archive', tasks['split-archive'], {
    payload: {
      'session.$': '$.session',
      'timestamp_list.$': '$.timestamp_list',
      'name_modifier.$': '$.name_modifier',
    },
    resultPath: '$.result',
  });
  return Chain.start(split).next(new Succeed(scope, 'Clips written', { outputPath: '$.result' }));
}
