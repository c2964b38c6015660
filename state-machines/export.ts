/**
 * ExportClip (Standard): an MP4 of exactly a clip's requested range, made by Elemental MediaConvert.
 *
 * Primary course:
 * 1. Prepare export: the CreateJob request (input clipping by timecode), the export PROGRESSING.
 * 2. Export with MediaConvert: Step Functions' optimized integration `createJob.sync` creates the
 *    job and waits for it to finish (it watches the job's events with a managed EventBridge rule).
 * 3. Record export: COMPLETE with the job id and duration.
 * Any failure: Record export failure (ERROR, with why), then the execution fails.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Chain,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { MediaConvertCreateJob } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { TaskFunctions } from './task-functions.js';
import { taskStep } from './task-step.js';

export interface ExportServices {
  /** The role MediaConvert assumes: reads the archive, writes the exports. */
  mediaConvertRoleArn: string;
}

/**
 * A long clip transcodes in a fraction of its length on MediaConvert's on-demand queue; 4 hours
 * covers the longest session a channel's auto-stop guard allows at the default settings.
 */
export const EXPORT_JOB_TIMEOUT = Duration.hours(4);

const EXPORT_IDS = {
  'clip_id.$': '$.clip_id',
  'export_id.$': '$.export_id',
};

export function exportDefinition(scope: Construct, tasks: TaskFunctions, services: ExportServices): Chain {
  const prepare = taskStep(scope, 'Prepare export', tasks['prepare-export'], {
    payload: EXPORT_IDS,
    resultPath: '$.job',
  });
  const job = new MediaConvertCreateJob(scope, 'Export with MediaConvert', {
    integrationPattern: IntegrationPattern.RUN_JOB,
    createJobRequest: {
      Role: services.mediaConvertRoleArn,
      Settings: JsonPath.objectAt('$.job.Settings'),
      UserMetadata: JsonPath.objectAt('$.job.UserMetadata'),
    },
    resultSelector: {
      'job_id.$': '$.Job.Id',
      'output_group_details.$': '$.Job.OutputGroupDetails',
    },
    resultPath: '$.result',
    taskTimeout: Timeout.duration(EXPORT_JOB_TIMEOUT),
  });
  // Throttling and MediaConvert's own faults reach Step Functions as MediaConvert.<exception>.
  job.addRetry({
    errors: ['MediaConvert.TooManyRequestsException', 'MediaConvert.InternalServerErrorException'],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 4,
    jitterStrategy: JitterType.FULL,
  });
  const record = taskStep(scope, 'Record export', tasks['record-export'], {
    payload: { ...EXPORT_IDS, 'job.$': '$.result' },
  });
  const recordFailure = taskStep(scope, 'Record export failure', tasks['record-export'], {
    payload: { ...EXPORT_IDS, 'error.$': '$.error' },
  });
  const failed = new Fail(scope, 'Export failed', {
    error: 'ExportFailed',
    cause: "The export failed; the clip record's export says why.",
  });
  recordFailure.next(failed);
  for (const step of [prepare, job, record])
    step.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
  return Chain.start(prepare).next(job).next(record);
}
