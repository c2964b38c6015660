/**
 * The code: the lifecycle state machines with their task Lambdas, the API Lambda and the REST API.
 * Nothing here holds data, so the stack can be redeployed or replaced at will.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { type IUserPool, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { EXPORT_PREFIX } from '../../core/clip.js';
import type { LifecycleAction } from '../../core/stream.js';
import { TABLE_KEYS } from '../../core/table-schema.js';
import { EXPORT_WORKFLOW, SPLIT_WORKFLOW, WORKFLOWS } from '../../core/workflows.js';
import { ENVIRONMENT_NAMES, type EnvironmentValues } from '../functions.js';
import { AppFunction } from './app-function.js';
import { arnPrefix, executionArns, schedulesArn } from './arns.js';
import type { DeploymentConfig } from './config.js';
import {
  ConsoleSite,
  DEFAULT_CONSOLE_ASSETS_DIR,
  defaultDomainPrefix,
  readConsoleSiteOptions,
} from './console-site.js';
import type { StatefulResources } from './stateful-stack.js';
import { StreamRestApi } from './stream-rest-api.js';
import type { StreamWorkflowsProps } from './stream-workflows.js';
import { acknowledgeWildcardResources, TRACING_AND_LOG_DELIVERY } from './wildcard-acknowledgments.js';
import { archiveObjectsRule } from './workflow-acknowledgments.js';
import { streamWorkflows, type WorkflowMachines, type WorkflowsFactory } from './workflow-machines.js';

export interface StatelessStackProps extends StackProps {
  config: DeploymentConfig;
  stateful: StatefulResources;
  /**
   * Builds the lifecycle state machines.
   * @default streamWorkflows (state-machines/stream-workflows.ts)
   */
  workflows?: WorkflowsFactory;
}

export class StatelessStack extends Stack {
  readonly workflows: WorkflowMachines;
  readonly apiFunction: AppFunction;
  readonly restApi: StreamRestApi;
  /** The web console, deployed when `auth=cognito`. */
  readonly console?: ConsoleSite;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;

    const live = stateful.live;
    const workflowProps: StreamWorkflowsProps = {
      table: stateful.table,
      archiveBucket: stateful.archiveBucket,
      inputSecurityGroupId: stateful.inputSecurityGroupId,
      logRetention: config.logRetention,
      ...(live
        ? {
            liveDistribution: {
              distributionId: live.distribution.distributionId,
              domainName: live.viewerDomainName,
              cachePolicyId: live.mediaPackageCachePolicy.cachePolicyId,
            },
          }
        : {}),
      ...(config.speke ? { speke: { url: config.speke.url, roleArn: config.speke.roleArn } } : {}),
    };
    this.workflows = (props.workflows ?? streamWorkflows)(this, workflowProps);
    const { machines, split } = this.workflows;

    // The console lives here, next to the API: its origin goes into the API's CORS and the API's URL
    // into its config, which in two stacks would make each depend on the other.
    const userPool = this.userPool(config, stateful);
    const consoleOptions = readConsoleSiteOptions((name) => this.node.tryGetContext(name), userPool !== null);
    if (userPool) {
      this.console = new ConsoleSite(this, 'Console', {
        userPool,
        domainPrefix:
          consoleOptions.domainPrefix ??
          defaultDomainPrefix(config.stackPrefix, this.account, this.region, this.stackName),
        assetsDir: consoleOptions.assetsDir ?? DEFAULT_CONSOLE_ASSETS_DIR,
        extraOrigin: config.consoleOrigin,
        ...(live ? { liveDomainName: live.viewerDomainName } : {}),
        archiveDomainName: stateful.archiveBucket.bucketRegionalDomainName,
        logRetention: config.logRetention,
      });
    }
    const corsOrigin = config.consoleOrigin ?? this.console?.origin ?? null;

    this.apiFunction = new AppFunction(this, 'ApiFunction', {
      name: 'api',
      logRetention: config.logRetention,
    });
    const { eventBus, schedules, exportMachine } = this.workflows;
    const archive = stateful.archiveBucket;
    const lifecycle = Object.values(machines);
    this.apiFunction.bind(
      {
        ...Object.fromEntries(ENVIRONMENT_NAMES.map((name) => [name, undefined])),
        TABLE_NAME: stateful.table.tableName,
        ...machineArnEnvironment(machines),
        [SPLIT_WORKFLOW.env]: split.stateMachineArn,
        [EXPORT_WORKFLOW.env]: exportMachine?.stateMachineArn,
        ARCHIVE_BUCKET: archive.bucketName,
        CLOUDFRONT_ENABLED: String(live !== undefined),
        ENCRYPTION_ENABLED: String(config.speke !== null),
        DEFAULT_MAX_DURATION_SECONDS: String(config.defaultMaxDurationSeconds),
        CORS_ALLOW_ORIGIN: corsOrigin ?? undefined,
        EVENT_BUS_NAME: eventBus?.eventBusName,
        SCHEDULE_GROUP: schedules?.groupName,
        SCHEDULER_ROLE_ARN: schedules?.role.roleArn,
      } as EnvironmentValues,
      {
        table: stateful.table.tableArn,
        archiveBucket: archive.bucketArn,
        // The list index by name, not "index/*": the API reads one index of one table.
        listIndex: `${stateful.table.tableArn}/index/${TABLE_KEYS.listIndex.name}`,
        lifecycleMachines: lifecycle.map((m) => m.stateMachineArn),
        lifecycleExecutions: executionArns(this, lifecycle),
        splitMachine: split.stateMachineArn,
        ...(exportMachine ? { exportMachine: exportMachine.stateMachineArn } : {}),
        archiveObjects: archive.arnForObjects('*'),
        clipPlaylists: archive.arnForObjects('*/index_*.m3u8'),
        clipExports: archive.arnForObjects(`${EXPORT_PREFIX}/*`),
        // The health and thumbnail routes describe the stream's channel.
        channels: `${arnPrefix(this, 'medialive', 'channel')}*`,
        ...(eventBus ? { eventBus: eventBus.eventBusArn } : {}),
        ...(schedules
          ? { schedules: schedulesArn(this, schedules.groupName), schedulerRole: schedules.role.roleArn }
          : {}),
      },
    );
    const fn = this.apiFunction.fn;
    acknowledgeWildcardResources(this.apiFunction, [
      TRACING_AND_LOG_DELIVERY,
      archiveObjectsRule(archive),
      {
        resource: /^arn:(?:aws[a-z-]*|<AWS::Partition>):states:[a-z0-9-]+:\d{12}:execution:.+:\*$/,
        actions: /^states:(DescribeExecution|GetExecutionHistory)$/,
        reason:
          "Execution names are made per request (<stream>-<action>-<time>-<random>); the API reads the executions of this deployment's own lifecycle machines only, to show a stream's history.",
      },
      {
        resource:
          /^arn:(?:aws[a-z-]*|<AWS::Partition>):scheduler:[a-z0-9-]+:\d{12}:schedule\/[A-Za-z0-9_.-]+\/\*$/,
        actions: /^scheduler:(CreateSchedule|DeleteSchedule)$/,
        reason:
          "The API names each stream's start and stop schedules at run time (<stream id>-start, -stop); the grant is limited to the deployment's schedule group.",
      },
      {
        resource: /^arn:(?:aws[a-z-]*|<AWS::Partition>):medialive:[a-z0-9-]+:\d{12}:channel:\*$/,
        actions: /^medialive:(DescribeChannel|DescribeThumbnails)$/,
        reason:
          'MediaLive assigns channel ids at create time: the health and thumbnail routes read the channels of this account and region only, and only describe them.',
      },
      {
        resource: /^\*$/,
        actions: /^cloudwatch:GetMetricData$/,
        reason:
          'CloudWatch GetMetricData of classic metrics names no resource (Service Authorization Reference for Amazon CloudWatch: its only resource type, an OTLP dataset, is optional), so IAM evaluates it on "*". The health route reads metrics only.',
      },
    ]);
    if (eventBus) new CfnOutput(this, 'StatusEventBusName', { value: eventBus.eventBusName });

    this.restApi = new StreamRestApi(this, 'StreamApi', {
      handler: fn,
      userPool,
      consoleOrigin: corsOrigin,
      throttle: config.apiThrottle,
      logRetention: config.logRetention,
      cloudWatchRole: config.apiGatewayCloudWatchRole,
    });

    if (this.console) {
      const api = this.restApi.api;
      this.console.connectApi({
        url: api.url,
        origin: `https://${api.restApiId}.execute-api.${this.region}.${this.urlSuffix}`,
      });
      new CfnOutput(this, 'ConsoleUrl', { value: `${this.console.origin}/`, description: 'Web console' });
    }

    if (this.workflows.mediaLiveRole) {
      new CfnOutput(this, 'MediaLiveRoleArn', { value: this.workflows.mediaLiveRole.roleArn });
    }
  }

  private userPool(config: DeploymentConfig, stateful: StatefulResources): IUserPool | null {
    if (!config.cognito) return null;
    if (config.cognito.userPoolArn)
      return UserPool.fromUserPoolArn(this, 'Operators', config.cognito.userPoolArn);
    if (!stateful.operators)
      throw new Error("auth=cognito without cognito_user_pool_arn needs the stateful stack's user pool");
    return stateful.operators.userPool;
  }
}

/** One environment variable per lifecycle action (core/workflows.ts names them) → its machine ARN. */
export function machineArnEnvironment(machines: WorkflowMachines['machines']): Record<string, string> {
  const actions = Object.keys(WORKFLOWS) as LifecycleAction[];
  return Object.fromEntries(
    actions.map((action) => [WORKFLOWS[action].env, machines[action].stateMachineArn]),
  );
}
