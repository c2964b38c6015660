/**
 * The workflows of a deployment: every task Lambda of the function registry (infra/functions.ts),
 * the state machines (state-machines/), the role MediaLive channels assume, the status event bus,
 * the schedule group and the role Scheduler uses, and the rule that sends MediaLive's events to the
 * drift handler. The stateless stack creates one of these and hands `machines` to the API.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ARCHIVE_BASENAME } from '../../core/archive-naming.js';
import { EXPORT_PREFIX } from '../../core/clip.js';
import type { LifecycleAction } from '../../core/stream.js';
import { TABLE_KEYS } from '../../core/table-schema.js';
import { EXPORT_WORKFLOW, SPLIT_WORKFLOW, WORKFLOWS } from '../../core/workflows.js';
import {
  WORKFLOW_DEFINITIONS,
  type WorkflowDefinition,
  type WorkflowServices,
} from '../../state-machines/workflows.js';
import {
  type EnvironmentValues,
  type EventHandlerName,
  type ResourceName,
  TASK_NAMES,
  type TaskName,
} from '../functions.js';
import { AppFunction } from './app-function.js';
import { arnPrefix, executionArns, schedulesArn } from './arns.js';

export interface LiveDistributionProps {
  /** CloudFront distribution id of the "live" distribution. */
  distributionId: string;
  /** Public host viewers use: the custom domain, or the distribution's *.cloudfront.net name. */
  domainName: string;
  /** Cache policy for MediaPackage origins (query strings start, end, m; CORS headers). */
  cachePolicyId: string;
}

export interface SpekeProps {
  /** SPEKE key provider URL (API Gateway of the key server). */
  url: string;
  /** Role MediaPackage assumes to call the key provider. */
  roleArn: string;
  /** DRM system ids; default: the AES-128 clear-key system id. */
  systemIds?: string[];
}

export interface StreamWorkflowsProps {
  table: ITable;
  archiveBucket: IBucket;
  /** MediaLive input security group id (CIDR allow list for RTMP push). */
  inputSecurityGroupId: string;
  /** Optional live CloudFront distribution: without it GoLive/EndLive fail with a clear error. */
  liveDistribution?: LiveDistributionProps;
  /** Optional SPEKE key provider: HLS encryption with `key_rotation_interval` when set. */
  speke?: SpekeProps;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
}

/** The deployment's resources as the function registry names them, and its environment values. */
export interface DeploymentBinding {
  arns: Partial<Record<ResourceName, string | string[]>>;
  values: EnvironmentValues;
}

export class StreamWorkflows extends Construct {
  readonly machines: Record<LifecycleAction, StateMachine>;
  readonly split: StateMachine;
  /** ExportClip: a clip's MP4 by Elemental MediaConvert. */
  readonly exportMachine: StateMachine;
  readonly mediaLiveRole: IRole;
  /** The role MediaConvert assumes for exports: reads clip playlists and archive files, writes exports. */
  readonly mediaConvertRole: IRole;
  readonly functions: Record<TaskName | EventHandlerName, AppFunction>;
  /** Where "Stream Status Changed" events go. */
  readonly eventBus: EventBus;
  /** The deployment's schedule group and the role Scheduler uses to start the two machines. */
  readonly schedules: { groupName: string; groupArn: string; role: IRole };
  /** What the registry's names resolve to in this deployment (the API function binds to it too). */
  readonly binding: DeploymentBinding;

  constructor(scope: Construct, id: string, props: StreamWorkflowsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const arnOf = (service: string, resource: string, separator: ':' | '/' = ':') =>
      arnPrefix(this, service, resource, separator);

    // The SRT inputs' passphrase secrets: named under the stack, so a grant reaches no other's.
    const srtSecretPrefix = `${stack.stackName}/srt/`;
    const srtSecrets = `${arnOf('secretsmanager', 'secret')}${srtSecretPrefix}*`;
    // MediaLive writes the archive and pushes to MediaPackage as this role, and reads the SRT
    // inputs' passphrases; nothing else.
    this.mediaLiveRole = new Role(this, 'MediaLiveRole', {
      assumedBy: new ServicePrincipal('medialive.amazonaws.com'),
      description: 'MediaLive channels of the live-streaming workflow: archive to S3, output to MediaPackage',
      inlinePolicies: {
        channel: new PolicyDocument({
          statements: [
            // Only the archive's own files (<prefix>/_<pipeline>/<basename>…): a channel can never
            // write playlists, clips or anything else of the bucket.
            new PolicyStatement({
              actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
              resources: [1, 2].map((pipeline) =>
                props.archiveBucket.arnForObjects(`*/_${pipeline}/${ARCHIVE_BASENAME}*`),
              ),
            }),
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.archiveBucket.bucketArn] }),
            new PolicyStatement({
              actions: ['mediapackage:DescribeChannel'],
              resources: [`${arnOf('mediapackage', 'channels', '/')}*`],
            }),
            // An SRT_LISTENER input decrypts with the passphrase in its secret, read with the role
            // it is given (MediaLive User Guide: SRT listener inputs, encryption).
            new PolicyStatement({
              actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
              resources: [srtSecrets],
            }),
            new PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:PutLogEvents',
                'logs:DescribeLogStreams',
                'logs:DescribeLogGroups',
              ],
              resources: [`${arnOf('logs', 'log-group')}ElementalMediaLive*`],
            }),
          ],
        }),
      },
    });

    // MediaConvert reads a clip's playlist and the archive files it names, and writes the MP4 under
    // the exports prefix: nothing else of the bucket, and nothing else at all.
    this.mediaConvertRole = new Role(this, 'MediaConvertRole', {
      assumedBy: new ServicePrincipal('mediaconvert.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Elemental MediaConvert jobs of clip exports: read the archive, write the MP4s',
      inlinePolicies: {
        export: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['s3:GetObject'],
              resources: [
                props.archiveBucket.arnForObjects('*/index_*.m3u8'),
                ...[1, 2].map((pipeline) =>
                  props.archiveBucket.arnForObjects(`*/_${pipeline}/${ARCHIVE_BASENAME}*`),
                ),
              ],
            }),
            new PolicyStatement({
              actions: ['s3:PutObject'],
              resources: [props.archiveBucket.arnForObjects(`${EXPORT_PREFIX}/*`)],
            }),
          ],
        }),
      },
    });

    const functions = Object.fromEntries(
      [...TASK_NAMES, 'channel-events' as const, 'execution-events' as const].map((name) => [
        name,
        new AppFunction(this, `Task-${name}`, { name, logRetention }),
      ]),
    ) as Record<TaskName | EventHandlerName, AppFunction>;
    this.functions = functions;
    const tasks = Object.fromEntries(
      TASK_NAMES.map((name) => [name, functions[name].fn]),
    ) as unknown as Record<TaskName, IFunction>;

    const services: WorkflowServices = { mediaConvertRoleArn: this.mediaConvertRole.roleArn };
    const machine = (workflow: WorkflowDefinition) =>
      new StateMachine(this, workflow.machineName, {
        definitionBody: DefinitionBody.fromChainable(
          workflow.build(new Construct(this, `${workflow.machineName}Definition`), tasks, services),
        ),
        stateMachineType: workflow.type === 'EXPRESS' ? StateMachineType.EXPRESS : StateMachineType.STANDARD,
        timeout: workflow.timeout,
        tracingEnabled: true,
        comment: `${workflow.machineName}: a workflow of the live streams`,
        logs: {
          destination: new LogGroup(this, `${workflow.machineName}Logs`, { retention: logRetention }),
          level: LogLevel.ALL,
          // Stream keys never enter the state, but record data stays out of the logs all the same.
          includeExecutionData: false,
        },
      });
    this.machines = {
      create: machine(WORKFLOW_DEFINITIONS.create),
      start: machine(WORKFLOW_DEFINITIONS.start),
      stop: machine(WORKFLOW_DEFINITIONS.stop),
      delete: machine(WORKFLOW_DEFINITIONS.delete),
      'go-live': machine(WORKFLOW_DEFINITIONS['go-live']),
      'end-live': machine(WORKFLOW_DEFINITIONS['end-live']),
    };
    this.split = machine(WORKFLOW_DEFINITIONS.split);
    this.exportMachine = machine(WORKFLOW_DEFINITIONS.export);

    const stackName = stack.stackName;
    this.eventBus = new EventBus(this, 'StatusEvents', { eventBusName: `${stackName}-streams` });
    const group = new CfnScheduleGroup(this, 'ScheduleGroup', { name: `${stackName}-streams` });
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler: start or stop a stream at its scheduled time',
    });
    // Only the two machines a schedule may start; nothing else.
    schedulerRole.addToPolicy(
      new PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [this.machines.start.stateMachineArn, this.machines.stop.stateMachineArn],
      }),
    );
    const groupName = group.name as string;
    this.schedules = { groupName, groupArn: group.attrArn, role: schedulerRole };

    const live = props.liveDistribution;
    const speke = props.speke;
    const lifecycle = Object.values(this.machines);
    this.binding = {
      arns: {
        table: props.table.tableArn,
        listIndex: `${props.table.tableArn}/index/${TABLE_KEYS.listIndex.name}`,
        channels: `${arnOf('medialive', 'channel')}*`,
        inputs: `${arnOf('medialive', 'input')}*`,
        inputSecurityGroup: `${arnOf('medialive', 'inputSecurityGroup')}${props.inputSecurityGroupId}`,
        packageChannels: `${arnOf('mediapackage', 'channels', '/')}*`,
        originEndpoints: `${arnOf('mediapackage', 'origin_endpoints', '/')}*`,
        archiveBucket: props.archiveBucket.bucketArn,
        archiveObjects: props.archiveBucket.arnForObjects('*'),
        clipPlaylists: props.archiveBucket.arnForObjects('*/index_*.m3u8'),
        clipExports: props.archiveBucket.arnForObjects(`${EXPORT_PREFIX}/*`),
        ...(live
          ? {
              liveDistribution: stack.formatArn({
                service: 'cloudfront',
                region: '',
                resource: 'distribution',
                resourceName: live.distributionId,
              }),
            }
          : {}),
        schedules: schedulesArn(this, groupName),
        eventBus: this.eventBus.eventBusArn,
        lifecycleMachines: lifecycle.map((m) => m.stateMachineArn),
        lifecycleExecutions: executionArns(this, lifecycle),
        splitMachine: this.split.stateMachineArn,
        exportMachine: this.exportMachine.stateMachineArn,
        mediaLiveRole: this.mediaLiveRole.roleArn,
        schedulerRole: schedulerRole.roleArn,
        srtSecrets,
        ...(speke ? { spekeRole: speke.roleArn } : {}),
      },
      values: {
        TABLE_NAME: props.table.tableName,
        ARCHIVE_BUCKET: props.archiveBucket.bucketName,
        MEDIALIVE_ROLE_ARN: this.mediaLiveRole.roleArn,
        INPUT_SECURITY_GROUP_ID: props.inputSecurityGroupId,
        SRT_SECRET_PREFIX: srtSecretPrefix,
        LIVE_DISTRIBUTION_ID: live?.distributionId,
        LIVE_BASE_URL: live ? `https://${live.domainName}` : undefined,
        LIVE_CACHE_POLICY_ID: live?.cachePolicyId,
        SPEKE_URL: speke?.url,
        SPEKE_ROLE_ARN: speke?.roleArn,
        SPEKE_SYSTEM_IDS: speke?.systemIds?.join(','),
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        SCHEDULE_GROUP: groupName,
        SCHEDULER_ROLE_ARN: schedulerRole.roleArn,
        ...Object.fromEntries(
          (Object.keys(WORKFLOWS) as LifecycleAction[]).map((action) => [
            WORKFLOWS[action].env,
            this.machines[action].stateMachineArn,
          ]),
        ),
        [SPLIT_WORKFLOW.env]: this.split.stateMachineArn,
        [EXPORT_WORKFLOW.env]: this.exportMachine.stateMachineArn,
        MEDIACONVERT_ROLE_ARN: this.mediaConvertRole.roleArn,
        // The API's settings: the stateless stack fills them in for its function.
        CLOUDFRONT_ENABLED: undefined,
        ENCRYPTION_ENABLED: undefined,
        DEFAULT_MAX_DURATION_SECONDS: undefined,
        CORS_ALLOW_ORIGIN: undefined,
      } as EnvironmentValues,
    };
    for (const fn of Object.values(functions)) fn.bind(this.binding.values, this.binding.arns);

    new Rule(this, 'MediaLiveChannelEvents', {
      description: 'MediaLive channel state changes and alerts: keep stream records true',
      eventPattern: {
        source: ['aws.medialive'],
        detailType: ['MediaLive Channel State Change', 'MediaLive Channel Alert'],
      },
      targets: [
        new LambdaFunction(functions['channel-events'].fn, {
          retryAttempts: 4,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });

    // An execution that ends without its Catch (aborted, timed out, a failing Catch) runs nothing of
    // the machine: only Step Functions' event tells the app, and the records are put right from it.
    new Rule(this, 'LifecycleExecutionEnds', {
      description: 'Lifecycle executions aborted, timed out or failed: keep stream records true',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [
            this.machines.create,
            this.machines.start,
            this.machines.stop,
            this.machines.delete,
          ].map((m) => m.stateMachineArn),
        },
      },
      targets: [
        new LambdaFunction(functions['execution-events'].fn, {
          retryAttempts: 4,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
  }
}
