/**
 * The cdk-nag findings of the lifecycle workflows (infra/aws/stream-workflows.ts) that are
 * needed by design, each with its reason. Anything else the workflows trigger (a wildcard action,
 * a managed policy, an index wildcard) stays a finding and fails the synth.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { ARCHIVE_BASENAME } from '../../core/archive-naming.js';
import { EXPORT_PREFIX } from '../../core/clip.js';
import type { StreamWorkflowsProps } from './stream-workflows.js';
import {
  acknowledgeWildcardResources,
  TRACING_AND_LOG_DELIVERY,
  type WildcardResourceRule,
} from './wildcard-acknowledgments.js';

export function acknowledgeWorkflowFindings(workflows: IConstruct, props: StreamWorkflowsProps): void {
  Validations.of(workflows).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Task Lambdas run Node.js 22, the runtime the project builds and tests for (esbuild target node22); moving to a newer runtime is a deliberate upgrade.',
  });
  acknowledgeWildcardResources(workflows, [
    TRACING_AND_LOG_DELIVERY,
    {
      resource: /^<[A-Za-z0-9]+\.Arn>:\*$/,
      actions: /^lambda:InvokeFunction$/,
      reason:
        "Step Functions' LambdaInvoke grant names the task function and opens only its qualifiers (versions and aliases, `<function arn>:*`).",
    },
    {
      resource:
        /^arn:(?:aws[a-z-]*|<AWS::Partition>):medialive:[a-z0-9-]+:\d{12}:(channel|input|inputSecurityGroup):\*$/,
      actions: /^medialive:[A-Za-z]+$/,
      reason:
        'MediaLive assigns channel and input ids in CreateChannel/CreateInput, so no ARN exists before the call; the grant is limited to this account and region and to that resource type.',
    },
    {
      resource:
        /^arn:(?:aws[a-z-]*|<AWS::Partition>):secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9-]+\/srt\/\*$/,
      actions: /^secretsmanager:(CreateSecret|DeleteSecret|GetSecretValue|DescribeSecret)$/,
      reason:
        "Each SRT input's passphrase secret is named at create time (<stack>/srt/<stream id>) and Secrets Manager appends six random characters to its ARN; the grant is limited to this stack's SRT secrets.",
    },
    {
      resource: /^\*$/,
      actions: /^medialive:(ListChannels|ListInputs)$/,
      reason:
        'MediaLive ListChannels and ListInputs support no resource type (Service Authorization Reference for AWS Elemental MediaLive): the teardown lists to find what a cut-short create left unrecorded.',
    },
    {
      resource: /^\*$/,
      actions: /^mediapackage:(CreateChannel|CreateOriginEndpoint)$/,
      reason:
        'MediaPackage CreateChannel and CreateOriginEndpoint support no resource type (Service Authorization Reference for AWS Elemental MediaPackage), so IAM only allows them on "*".',
    },
    {
      resource:
        /^arn:(?:aws[a-z-]*|<AWS::Partition>):mediapackage:[a-z0-9-]+:\d{12}:(channels|origin_endpoints)\/\*$/,
      actions: /^mediapackage:[A-Za-z]+$/,
      reason:
        'MediaPackage channels and origin endpoints are created per stream at run time with generated ids; the grant is limited to this account and region and to that resource type.',
    },
    {
      resource: /^arn:(?:aws[a-z-]*|<AWS::Partition>):logs:[a-z0-9-]+:\d{12}:log-group:ElementalMediaLive\*$/,
      actions: /^logs:[A-Za-z]+$/,
      reason: 'MediaLive writes channel logs to log groups it names ElementalMediaLive*, one per channel.',
    },
    {
      resource:
        /^arn:(?:aws[a-z-]*|<AWS::Partition>):scheduler:[a-z0-9-]+:\d{12}:schedule\/[A-Za-z0-9_.-]+-streams\/\*$/,
      actions: /^scheduler:(CreateSchedule|DeleteSchedule)$/,
      reason:
        "Each stream's one-time schedules are named at run time (<stream id>-start, -stop, -guard, -input-loss); the grant is limited to the deployment's own schedule group.",
    },
    {
      resource: /^\*$/,
      actions: /^mediaconvert:(CreateJob|GetJob|CancelJob)$/,
      reason:
        'ExportClip\'s MediaConvert integration (createJob.sync): MediaConvert assigns the job id in CreateJob, and Step Functions gets and cancels that job; CDK\'s MediaConvertCreateJob grants the three on "*" (Step Functions: IAM policies for MediaConvert).',
    },
    archiveObjectsRule(props.archiveBucket),
  ] satisfies WildcardResourceRule[]);
}

/**
 * Objects of the archive bucket: sessions are written under date-based prefixes chosen at run time,
 * clip playlists beside them (`<prefix>/index_*.m3u8`), MP4 exports under their own prefix.
 */
export function archiveObjectsRule(bucket: IBucket): WildcardResourceRule {
  const cfn = bucket.node.defaultChild;
  // A created bucket appears through its logical id (cross-stack output); an imported one by name.
  const identity =
    cfn instanceof CfnBucket ? Stack.of(bucket).getLogicalId(cfn) : `s3:::${bucket.bucketName}`;
  return {
    resource: new RegExp(
      `^.*${escapeRegExp(identity)}[^/]*/(\\*(/_[12]/${ARCHIVE_BASENAME}\\*|/index_\\*\\.m3u8)?|${EXPORT_PREFIX}/\\*)$`,
    ),
    actions: /^s3:(PutObject|GetObject|DeleteObject|AbortMultipartUpload)$/,
    reason:
      "MediaLive archives every session under a date-based prefix (or a `path` given at start) chosen at run time, so object access is granted on the archive bucket's keys; the bucket is named and the actions are listed one by one.",
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
