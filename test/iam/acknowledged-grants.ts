/**
 * Granted actions that no test exercises, each with why the grant is needed all the same. The IAM
 * conformance test fails on any other unused grant, and on an acknowledgment that is no longer
 * needed (the action is exercised, or no longer granted).
 */
export interface AcknowledgedGrant {
  /** `*` for every principal of its kind. */
  principal: string;
  action: string;
  reason: string;
}

const LAMBDA_RUNTIME =
  "Lambda's runtime writes the function's logs to its own log group and its traces to X-Ray with the role's credentials; the function's code never calls these.";
const STEP_FUNCTIONS_SERVICE =
  'Step Functions itself delivers the execution logs to CloudWatch Logs and the traces to X-Ray with the role (Step Functions: logging and X-Ray permissions); no state calls these.';

export const FUNCTION_RUNTIME_GRANTS: AcknowledgedGrant[] = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
].map((action) => ({ principal: '*', action, reason: LAMBDA_RUNTIME }));

export const MACHINE_SERVICE_GRANTS: AcknowledgedGrant[] = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
].map((action) => ({ principal: '*', action, reason: STEP_FUNCTIONS_SERVICE }));

const grant = (principal: string, actions: string[], reason: string): AcknowledgedGrant[] =>
  actions.map((action) => ({ principal, action, reason }));

export const ACKNOWLEDGED_GRANTS: AcknowledgedGrant[] = [
  {
    principal: 'ExportClipRole',
    action: 'mediaconvert:CancelJob',
    reason:
      'With createJob.sync, Step Functions cancels the MediaConvert job when the execution is stopped or times out (Step Functions: run a job .sync); no test stops an export mid-job.',
  },
  ...grant('api', ['scheduler:DeleteSchedule'], 'DELETE /streams/{id}/schedule (api/).'),
  ...['s3:GetObject', 's3:DeleteObject', 's3:ListBucket'].map((action) => ({
    principal: 'MediaLiveRole',
    action,
    reason:
      'MediaLive requires List, Get, Put and Delete on the destination bucket of an Archive output group in the role it assumes (MediaLive User Guide: access requirements for the trusted entity, Amazon S3); local mode only writes.',
  })),
  ...['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].map((action) => ({
    principal: 'MediaLiveRole',
    action,
    reason:
      "MediaLive reads an SRT_LISTENER input's passphrase from its secret with the role (MediaLive User Guide: SRT listener inputs); the local MediaLive reads the local Secrets Manager in process, not over its API.",
  })),
  ...[
    'logs:CreateLogGroup',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'logs:DescribeLogStreams',
    'logs:DescribeLogGroups',
  ].map((action) => ({
    principal: 'MediaLiveRole',
    action,
    reason:
      "MediaLive writes each channel's logs to CloudWatch Logs groups it names ElementalMediaLive* with the role (MediaLive User Guide: channel logs); local mode has no CloudWatch.",
  })),
];
