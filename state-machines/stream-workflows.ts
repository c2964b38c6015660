/**
 * All the lifecycle state machines of a deployment and the task Lambdas they drive.
 * The stateless stack creates one of these and hands `machines` to the API (one ARN per action).
 *
 * IAM: each task Lambda gets only the actions its one job needs; MediaLive and MediaPackage create
 * calls cannot be limited to a resource id that does not exist yet, so those statements name the
 * account's channel/input ARN patterns (cdk-nag suppressions in infra/aws say so).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import {
  DefinitionBody,
  type IChainable,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { LifecycleAction } from '../core/stream.js';
import { TABLE_KEYS } from '../core/table-schema.js';
import { SPLIT_WORKFLOW, WORKFLOWS } from '../core/workflows.js';
import {
  createStreamDefinition,
  deleteStreamDefinition,
  endLiveDefinition,
  goLiveDefinition,
  MACHINE_TIMEOUTS,
  splitArchiveDefinition,
  startStreamDefinition,
  stopStreamDefinition,
  TASKS,
  type TaskFunctions,
  type TaskName,
} from './machines.js';
import { TaskFunction } from './task-function.js';

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

type Grant = (fn: IFunction) => void;

export class StreamWorkflows extends Construct {
  readonly machines: Record<LifecycleAction, StateMachine>;
  readonly split: StateMachine;
  readonly mediaLiveRole: IRole;
  readonly functions: TaskFunctions;
  /** Where "Stream Status Changed" events go. */
  readonly eventBus: EventBus;
  /** The deployment's schedule group and the role Scheduler uses to start the two machines. */
  readonly schedules: { groupName: string; groupArn: string; role: IRole };
  /** Keeps records true from MediaLive's own events (drift, input loss). */
  readonly channelEvents: IFunction;

  constructor(scope: Construct, id: string, props: StreamWorkflowsProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    // MediaLive writes the archive and pushes to MediaPackage as this role; nothing else.
    const mediaLiveRole = new Role(this, 'MediaLiveRole', {
      assumedBy: new ServicePrincipal('medialive.amazonaws.com'),
      description: 'MediaLive channels of the live-streaming workflow: archive to S3, output to MediaPackage',
      inlinePolicies: {
        channel: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
              resources: [props.archiveBucket.arnForObjects('*')],
            }),
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.archiveBucket.bucketArn] }),
            new PolicyStatement({
              actions: ['mediapackage:DescribeChannel'],
              resources: [`arn:aws:mediapackage:${region}:${account}:channels/*`],
            }),
            new PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:PutLogEvents',
                'logs:DescribeLogStreams',
                'logs:DescribeLogGroups',
              ],
              resources: [`arn:aws:logs:${region}:${account}:log-group:ElementalMediaLive*`],
            }),
          ],
        }),
      },
    });
    this.mediaLiveRole = mediaLiveRole;

    const environment: Record<string, string> = {
      TABLE_NAME: props.table.tableName,
      MEDIALIVE_ROLE_ARN: mediaLiveRole.roleArn,
      INPUT_SECURITY_GROUP_ID: props.inputSecurityGroupId,
      ARCHIVE_BUCKET: props.archiveBucket.bucketName,
      ...(props.liveDistribution
        ? {
            LIVE_DISTRIBUTION_ID: props.liveDistribution.distributionId,
            LIVE_BASE_URL: `https://${props.liveDistribution.domainName}`,
            LIVE_CACHE_POLICY_ID: props.liveDistribution.cachePolicyId,
          }
        : {}),
      ...(props.speke
        ? {
            SPEKE_URL: props.speke.url,
            SPEKE_ROLE_ARN: props.speke.roleArn,
            ...(props.speke.systemIds ? { SPEKE_SYSTEM_IDS: props.speke.systemIds.join(',') } : {}),
          }
        : {}),
    };

    const fns = {} as Record<TaskName, IFunction>;
    for (const task of TASKS) {
      fns[task] = new TaskFunction(this, `Task-${task}`, { task, environment, logRetention }).fn;
    }
    this.functions = fns;

    const arn = {
      channel: `arn:aws:medialive:${region}:${account}:channel:*`,
      input: `arn:aws:medialive:${region}:${account}:input:*`,
      securityGroup: `arn:aws:medialive:${region}:${account}:inputSecurityGroup:*`,
      packageChannel: `arn:aws:mediapackage:${region}:${account}:channels/*`,
      packageEndpoint: `arn:aws:mediapackage:${region}:${account}:origin_endpoints/*`,
    };
    const allow =
      (actions: string[], resources: string[]): Grant =>
      (fn) =>
        fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
    const passRole =
      (role: string, service: string): Grant =>
      (fn) =>
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['iam:PassRole'],
            resources: [role],
            conditions: { StringEquals: { 'iam:PassedToService': service } },
          }),
        );
    // The table and its listing index only (table.grant would add every index: `index/*`).
    const tableResources = [
      props.table.tableArn,
      `${props.table.tableArn}/index/${TABLE_KEYS.listIndex.name}`,
    ];
    const table = (...actions: string[]): Grant =>
      allow(
        actions.map((a) => `dynamodb:${a}`),
        tableResources,
      );
    const readWrite = table('GetItem', 'UpdateItem');
    const cdn = props.liveDistribution
      ? allow(
          ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
          [`arn:aws:cloudfront::${account}:distribution/${props.liveDistribution.distributionId}`],
        )
      : undefined;
    const speke = props.speke ? passRole(props.speke.roleArn, 'mediapackage.amazonaws.com') : undefined;

    const grants: Record<TaskName, Array<Grant | undefined>> = {
      'create-package-channel': [
        readWrite,
        allow(
          ['mediapackage:CreateChannel', 'mediapackage:DescribeChannel', 'mediapackage:TagResource'],
          [arn.packageChannel],
        ),
      ],
      'create-origin-endpoint': [
        readWrite,
        allow(
          [
            'mediapackage:CreateOriginEndpoint',
            'mediapackage:DescribeOriginEndpoint',
            'mediapackage:TagResource',
          ],
          [arn.packageEndpoint, arn.packageChannel],
        ),
        speke,
      ],
      'create-input': [
        readWrite,
        allow(
          ['medialive:CreateInput', 'medialive:DescribeInput', 'medialive:CreateTags'],
          [arn.input, arn.securityGroup],
        ),
      ],
      'create-channel': [
        readWrite,
        allow(
          ['medialive:CreateChannel', 'medialive:DescribeChannel', 'medialive:CreateTags'],
          [arn.channel, arn.input],
        ),
        passRole(mediaLiveRole.roleArn, 'medialive.amazonaws.com'),
      ],
      'wait-for-channel': [table('GetItem'), allow(['medialive:DescribeChannel'], [arn.channel])],
      'record-created': [readWrite],
      'configure-session': [
        table('GetItem'),
        allow(['medialive:DescribeChannel', 'medialive:UpdateChannel'], [arn.channel, arn.input]),
        passRole(mediaLiveRole.roleArn, 'medialive.amazonaws.com'),
      ],
      'update-origin-endpoint': [
        table('GetItem'),
        allow(['mediapackage:UpdateOriginEndpoint'], [arn.packageEndpoint]),
        speke,
      ],
      'start-channel': [table('GetItem'), allow(['medialive:StartChannel'], [arn.channel])],
      'record-running': [table('GetItem', 'UpdateItem', 'PutItem')],
      'stop-channel': [
        table('GetItem'),
        allow(['medialive:DescribeChannel', 'medialive:StopChannel'], [arn.channel]),
      ],
      'record-stopped': [table('GetItem', 'UpdateItem', 'PutItem', 'Query')],
      'record-failure': [table('GetItem', 'UpdateItem', 'PutItem', 'Query')],
      'delete-channel': [
        table('GetItem'),
        allow(['medialive:DescribeChannel', 'medialive:DeleteChannel'], [arn.channel]),
      ],
      'delete-input': [
        table('GetItem'),
        allow(['medialive:DescribeInput', 'medialive:DeleteInput'], [arn.input]),
      ],
      'delete-origin-endpoint': [
        table('GetItem'),
        allow(['mediapackage:DeleteOriginEndpoint'], [arn.packageEndpoint]),
      ],
      'delete-package-channel': [
        table('GetItem'),
        allow(['mediapackage:DeleteChannel'], [arn.packageChannel]),
      ],
      'remove-stream': [table('GetItem', 'Query', 'DeleteItem')],
      'go-live': [readWrite, cdn],
      'end-live': [readWrite, cdn],
      'claim-stream': [table('GetItem', 'UpdateItem', 'PutItem')],
      'delete-schedules': [],
      'split-archive': [
        table('GetItem', 'Query'),
        // Exactly what a split does: list a session's files, write its playlists.
        allow(['s3:ListBucket'], [props.archiveBucket.bucketArn]),
        allow(['s3:PutObject'], [props.archiveBucket.arnForObjects('*')]),
      ],
    };
    for (const task of TASKS) for (const grant of grants[task]) grant?.(fns[task]);

    const machine = (
      action: string,
      name: string,
      definition: IChainable,
      timeout: Duration,
      type = StateMachineType.STANDARD,
    ) =>
      new StateMachine(this, name, {
        definitionBody: DefinitionBody.fromChainable(definition),
        stateMachineType: type,
        timeout,
        tracingEnabled: true,
        comment: `${name}: the ${action} workflow of a live stream`,
        logs: {
          destination: new LogGroup(this, `${name}Logs`, { retention: logRetention }),
          level: LogLevel.ALL,
          // Stream keys never enter the state, but record data stays out of the logs all the same.
          includeExecutionData: false,
        },
      });

    const scopeOf = (name: string) => new Construct(this, `${name}Definition`);
    this.machines = {
      create: machine(
        'create',
        WORKFLOWS.create.machineName,
        createStreamDefinition(scopeOf('Create'), fns),
        MACHINE_TIMEOUTS.create,
      ),
      start: machine(
        'start',
        WORKFLOWS.start.machineName,
        startStreamDefinition(scopeOf('Start'), fns),
        MACHINE_TIMEOUTS.start,
      ),
      stop: machine(
        'stop',
        WORKFLOWS.stop.machineName,
        stopStreamDefinition(scopeOf('Stop'), fns),
        MACHINE_TIMEOUTS.stop,
      ),
      delete: machine(
        'delete',
        WORKFLOWS.delete.machineName,
        deleteStreamDefinition(scopeOf('Delete'), fns),
        MACHINE_TIMEOUTS.delete,
      ),
      'go-live': machine(
        'go-live',
        WORKFLOWS['go-live'].machineName,
        goLiveDefinition(scopeOf('GoLive'), fns),
        MACHINE_TIMEOUTS.live,
      ),
      'end-live': machine(
        'end-live',
        WORKFLOWS['end-live'].machineName,
        endLiveDefinition(scopeOf('EndLive'), fns),
        MACHINE_TIMEOUTS.live,
      ),
    };
    // Issue 6: status events, schedules, the auto-stop guard and drift.
    const stackName = Stack.of(this).stackName;
    this.eventBus = new EventBus(this, 'StatusEvents', { eventBusName: `${stackName}-streams` });
    const group = new CfnScheduleGroup(this, 'ScheduleGroup', { name: `${stackName}-streams` });
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
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
    this.schedules = { groupName: group.name as string, groupArn: group.attrArn, role: schedulerRole };
    const scheduleArn = `arn:aws:scheduler:${region}:${account}:schedule/${group.name}/*`;
    const removeSchedules: Grant = (fn) => {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['scheduler:DeleteSchedule'], resources: [scheduleArn] }),
      );
      (fn as NodejsFunction).addEnvironment('SCHEDULE_GROUP', group.name as string);
    };
    const setSchedules: Grant = (fn) => {
      removeSchedules(fn);
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [scheduleArn] }),
      );
      passRole(schedulerRole.roleArn, 'scheduler.amazonaws.com')(fn);
      (fn as NodejsFunction).addEnvironment('SCHEDULER_ROLE_ARN', schedulerRole.roleArn);
      (fn as NodejsFunction).addEnvironment(WORKFLOWS.stop.env, this.machines.stop.stateMachineArn);
    };
    setSchedules(fns['record-running']);
    for (const task of ['record-stopped', 'record-failure', 'delete-schedules'] as const)
      removeSchedules(fns[task]);
    for (const task of TASKS) {
      this.eventBus.grantPutEventsTo(fns[task]);
      (fns[task] as NodejsFunction).addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
    }

    const channelEvents = new TaskFunction(this, 'Task-channel-events', {
      task: 'channel-events',
      environment,
      logRetention,
    }).fn;
    table('GetItem', 'UpdateItem', 'PutItem', 'Query')(channelEvents);
    allow(['medialive:DescribeChannel'], [arn.channel])(channelEvents);
    setSchedules(channelEvents);
    this.eventBus.grantPutEventsTo(channelEvents);
    (channelEvents as NodejsFunction).addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
    new Rule(this, 'MediaLiveChannelEvents', {
      description: 'MediaLive channel state changes and alerts: keep stream records true',
      eventPattern: {
        source: ['aws.medialive'],
        detailType: ['MediaLive Channel State Change', 'MediaLive Channel Alert'],
      },
      targets: [new LambdaFunction(channelEvents, { retryAttempts: 4, maxEventAge: Duration.hours(1) })],
    });
    this.channelEvents = channelEvents;

    this.split = machine(
      'split',
      SPLIT_WORKFLOW.machineName,
      splitArchiveDefinition(scopeOf('Split'), fns),
      MACHINE_TIMEOUTS.split,
      StateMachineType.EXPRESS,
    );
  }
}
