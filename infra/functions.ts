/**
 * Every Lambda function of the app, in one list: its handler module, the IAM statements its role
 * needs (actions, and the resources they apply to as IAM scopes them), and the environment variables
 * it reads. The CDK app builds each function and its role from this list (infra/aws), the state
 * machines name their tasks by its keys (state-machines/), local mode runs each function with
 * exactly this environment (infra/local), and the IAM conformance test evaluates every AWS call each
 * function makes against the role synthesized from it (test/iam).
 *
 * Resources are named, not written as ARNs: the CDK app resolves them to the deployment's ARNs,
 * local mode and the tests to local ones (`ResourceName`).
 */
import { EXPORT_WORKFLOW, SPLIT_WORKFLOW, WORKFLOWS } from '../core/workflows.js';

/** The deployment's resources a statement may name. */
export type ResourceName =
  /** The stream table. */
  | 'table'
  /** The table's listing index (a Query on an index is authorized on the index ARN). */
  | 'listIndex'
  /** Any MediaLive channel / input of the account and region (ids are assigned at create time). */
  | 'channels'
  | 'inputs'
  /** The deployment's own input security group. */
  | 'inputSecurityGroup'
  | 'packageChannels'
  | 'originEndpoints'
  | 'archiveBucket'
  | 'archiveObjects'
  | 'liveDistribution'
  /** The one-time schedules of the deployment's schedule group. */
  | 'schedules'
  | 'eventBus'
  /** The lifecycle state machines (StartExecution) and their executions (Describe, history). */
  | 'lifecycleMachines'
  | 'lifecycleExecutions'
  | 'splitMachine'
  /** The ExportClip machine (StartExecution). */
  | 'exportMachine'
  /** Clip playlists (`<session prefix>/index_*.m3u8`): never an archive file. */
  | 'clipPlaylists'
  /** MP4 exports of clips (`clip-exports/*`). */
  | 'clipExports'
  | 'mediaLiveRole'
  | 'schedulerRole'
  | 'spekeRole'
  /** The SRT inputs' passphrase secrets (`<stack>/srt/*`). */
  | 'srtSecrets'
  /**
   * Actions that support no resource type can only be allowed on "*" (Service Authorization
   * Reference: MediaPackage CreateChannel and CreateOriginEndpoint list no resource type).
   */
  | '*';

export interface Permission {
  actions: readonly string[];
  resources: readonly ResourceName[];
  /** For `iam:PassRole`: the only service the role may be passed to (`iam:PassedToService`). */
  passedToService?: string;
}

/** Environment variables of the app's functions. Values come from the deployment (`EnvironmentValues`). */
export const ENVIRONMENT_NAMES = [
  'TABLE_NAME',
  'ARCHIVE_BUCKET',
  'MEDIALIVE_ROLE_ARN',
  'INPUT_SECURITY_GROUP_ID',
  'SRT_SECRET_PREFIX',
  'LIVE_DISTRIBUTION_ID',
  'LIVE_BASE_URL',
  'LIVE_CACHE_POLICY_ID',
  'SPEKE_URL',
  'SPEKE_ROLE_ARN',
  'SPEKE_SYSTEM_IDS',
  'EVENT_BUS_NAME',
  'SCHEDULE_GROUP',
  'SCHEDULER_ROLE_ARN',
  ...Object.values(WORKFLOWS).map((w) => w.env),
  SPLIT_WORKFLOW.env,
  EXPORT_WORKFLOW.env,
  'MEDIACONVERT_ROLE_ARN',
  'CLOUDFRONT_ENABLED',
  'ENCRYPTION_ENABLED',
  'DEFAULT_MAX_DURATION_SECONDS',
  'CORS_ALLOW_ORIGIN',
] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** What a deployment gives each variable; undefined when it has no such feature (no CDN, no SPEKE). */
export type EnvironmentValues = Readonly<Record<EnvironmentName, string | undefined>>;

export interface FunctionSpec {
  /** Handler module (exports `handler`), relative to the repository root. */
  entry: string;
  description: string;
  /** Powertools service name of its logs. */
  service: 'live-streaming-tasks' | 'live-streaming-api';
  environment: readonly EnvironmentName[];
  permissions: readonly Permission[];
  /**
   * Modules the handler loads with `import()` that are bundled on their own (`<name>.mjs` beside the
   * entry) rather than split into shared chunks: a chunk the entry shares with them would carry
   * code only they use into the cold start (infra/bundling/bundle.ts). They must not throw classes
   * the entry tests with `instanceof`: a class in them is a copy.
   */
  isolated?: readonly string[];
  /** @default 256 */
  memorySize?: number;
  /** @default 60: a wait task polls for 20 s per invocation. */
  timeoutSeconds?: number;
}

const TASK = 'live-streaming-tasks' as const;
const table = (...actions: string[]): Permission => ({
  actions: actions.map((a) => `dynamodb:${a}`),
  resources: ['table'],
});
const publishEvents: Permission = { actions: ['events:PutEvents'], resources: ['eventBus'] };
const removeSchedules: Permission = { actions: ['scheduler:DeleteSchedule'], resources: ['schedules'] };
const setSchedules: readonly Permission[] = [
  { actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], resources: ['schedules'] },
  { actions: ['iam:PassRole'], resources: ['schedulerRole'], passedToService: 'scheduler.amazonaws.com' },
];
const passMediaLiveRole: Permission = {
  actions: ['iam:PassRole'],
  resources: ['mediaLiveRole'],
  passedToService: 'medialive.amazonaws.com',
};
const passSpekeRole: Permission = {
  actions: ['iam:PassRole'],
  resources: ['spekeRole'],
  passedToService: 'mediapackage.amazonaws.com',
};
const SPEKE_ENV = ['SPEKE_URL', 'SPEKE_ROLE_ARN', 'SPEKE_SYSTEM_IDS'] as const;
const LIVE_ENV = ['LIVE_DISTRIBUTION_ID', 'LIVE_BASE_URL', 'LIVE_CACHE_POLICY_ID'] as const;
const liveDistribution: Permission = {
  actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
  resources: ['liveDistribution'],
};

/**
 * The event handlers read the channel, change the record (its session too) and may set the
 * auto-stop guard, as a workflow would.
 */
const RECORD_KEEPER = {
  service: TASK,
  environment: ['TABLE_NAME', 'EVENT_BUS_NAME', 'SCHEDULE_GROUP', 'SCHEDULER_ROLE_ARN', WORKFLOWS.stop.env],
  permissions: [
    table('GetItem', 'UpdateItem', 'PutItem', 'Query'),
    { actions: ['medialive:DescribeChannel'], resources: ['channels'] },
    publishEvents,
    ...setSchedules,
  ],
} as const satisfies Omit<FunctionSpec, 'entry' | 'description'>;

export const FUNCTIONS = {
  // CreateStream
  'create-package-channel': {
    entry: 'tasks/create/create-package-channel.ts',
    description: 'CreateStream: the MediaPackage channel',
    service: TASK,
    environment: ['TABLE_NAME'],
    permissions: [
      table('GetItem', 'UpdateItem'),
      { actions: ['mediapackage:CreateChannel'], resources: ['*'] },
      { actions: ['mediapackage:DescribeChannel'], resources: ['packageChannels'] },
    ],
  },
  'create-origin-endpoint': {
    entry: 'tasks/create/create-origin-endpoint.ts',
    description: 'CreateStream: the MediaPackage HLS origin endpoint',
    service: TASK,
    environment: ['TABLE_NAME', ...SPEKE_ENV],
    permissions: [
      table('GetItem', 'UpdateItem'),
      { actions: ['mediapackage:CreateOriginEndpoint'], resources: ['*'] },
      { actions: ['mediapackage:DescribeOriginEndpoint'], resources: ['originEndpoints'] },
      passSpekeRole,
    ],
  },
  'create-input': {
    entry: 'tasks/create/create-input.ts',
    description: 'CreateStream: the RTMP push or SRT listener input (and the SRT passphrase secret)',
    service: TASK,
    environment: ['TABLE_NAME', 'INPUT_SECURITY_GROUP_ID', 'SRT_SECRET_PREFIX', 'MEDIALIVE_ROLE_ARN'],
    permissions: [
      table('GetItem', 'UpdateItem'),
      { actions: ['medialive:CreateInput'], resources: ['inputs', 'inputSecurityGroup'] },
      { actions: ['medialive:DescribeInput'], resources: ['inputs'] },
      { actions: ['secretsmanager:CreateSecret'], resources: ['srtSecrets'] },
      // An SRT input reads its passphrase secret with the MediaLive role.
      passMediaLiveRole,
    ],
  },
  'create-channel': {
    entry: 'tasks/create/create-channel.ts',
    description: 'CreateStream: the MediaLive channel',
    service: TASK,
    environment: ['TABLE_NAME', 'MEDIALIVE_ROLE_ARN', 'ARCHIVE_BUCKET'],
    permissions: [
      table('GetItem', 'UpdateItem'),
      { actions: ['medialive:CreateChannel'], resources: ['channels', 'inputs'] },
      { actions: ['medialive:DescribeChannel'], resources: ['channels'] },
      passMediaLiveRole,
    ],
  },
  'record-created': {
    entry: 'tasks/create/record-created.ts',
    description: 'CreateStream: the stream is IDLE',
    service: TASK,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME'],
    permissions: [table('GetItem', 'UpdateItem'), publishEvents],
  },
  // StartStream
  'configure-session': {
    entry: 'tasks/start/configure-session.ts',
    description: "StartStream: a new recording session, the channel's archive pointed at it",
    service: TASK,
    environment: ['TABLE_NAME', 'MEDIALIVE_ROLE_ARN', 'ARCHIVE_BUCKET'],
    permissions: [
      // PutItem: the session's archive prefix is reserved for it (core/stream-store.ts).
      table('GetItem', 'PutItem'),
      { actions: ['medialive:DescribeChannel', 'medialive:UpdateChannel'], resources: ['channels'] },
      // A prefix that already holds objects is refused.
      { actions: ['s3:ListBucket'], resources: ['archiveBucket'] },
      passMediaLiveRole,
    ],
  },
  'update-origin-endpoint': {
    entry: 'tasks/start/update-origin-endpoint.ts',
    description: "StartStream: the origin's startover window and encryption",
    service: TASK,
    environment: ['TABLE_NAME', ...SPEKE_ENV],
    permissions: [
      table('GetItem'),
      { actions: ['mediapackage:UpdateOriginEndpoint'], resources: ['originEndpoints'] },
      passSpekeRole,
    ],
  },
  'start-channel': {
    entry: 'tasks/start/start-channel.ts',
    description: 'StartStream: StartChannel',
    service: TASK,
    environment: ['TABLE_NAME'],
    permissions: [table('GetItem'), { actions: ['medialive:StartChannel'], resources: ['channels'] }],
  },
  'record-running': {
    entry: 'tasks/start/record-running.ts',
    description: 'StartStream: the stream is RUNNING, its session recorded, its auto-stop guard set',
    service: TASK,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', 'SCHEDULE_GROUP', 'SCHEDULER_ROLE_ARN', WORKFLOWS.stop.env],
    permissions: [table('GetItem', 'UpdateItem', 'PutItem', 'Query'), publishEvents, ...setSchedules],
  },
  // StopStream
  'stop-channel': {
    entry: 'tasks/stop/stop-channel.ts',
    description: 'StopStream (and DeleteStream, a failed StartStream): StopChannel',
    service: TASK,
    environment: ['TABLE_NAME'],
    permissions: [
      table('GetItem'),
      { actions: ['medialive:DescribeChannel', 'medialive:StopChannel'], resources: ['channels'] },
    ],
  },
  'record-stopped': {
    entry: 'tasks/stop/record-stopped.ts',
    description: 'StopStream: the stream is IDLE, its session closed',
    service: TASK,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', 'SCHEDULE_GROUP'],
    permissions: [table('GetItem', 'UpdateItem', 'PutItem', 'Query'), publishEvents, removeSchedules],
  },
  // DeleteStream (and CreateStream's clean-up)
  'delete-schedules': {
    entry: 'tasks/delete/delete-schedules.ts',
    description: "DeleteStream: the stream's schedules",
    service: TASK,
    environment: ['SCHEDULE_GROUP'],
    permissions: [removeSchedules],
  },
  'delete-channel': {
    entry: 'tasks/delete/delete-channel.ts',
    description: 'DeleteStream: the MediaLive channel',
    service: TASK,
    environment: ['TABLE_NAME'],
    permissions: [
      // UpdateItem: a channel a cut-short create left unrecorded is recorded, then deleted.
      table('GetItem', 'UpdateItem'),
      { actions: ['medialive:DescribeChannel', 'medialive:DeleteChannel'], resources: ['channels'] },
      // ListChannels supports no resource type (Service Authorization Reference): "*" only.
      { actions: ['medialive:ListChannels'], resources: ['*'] },
    ],
  },
  'delete-input': {
    entry: 'tasks/delete/delete-input.ts',
    description: 'DeleteStream: the input, once detached, and an SRT input passphrase secret',
    service: TASK,
    environment: ['TABLE_NAME', 'SRT_SECRET_PREFIX'],
    permissions: [
      table('GetItem', 'UpdateItem'),
      { actions: ['medialive:DescribeInput', 'medialive:DeleteInput'], resources: ['inputs'] },
      { actions: ['secretsmanager:DeleteSecret'], resources: ['srtSecrets'] },
      // ListInputs supports no resource type (Service Authorization Reference): "*" only.
      { actions: ['medialive:ListInputs'], resources: ['*'] },
    ],
  },
  'delete-origin-endpoint': {
    entry: 'tasks/delete/delete-origin-endpoint.ts',
    description: 'DeleteStream: the HLS origin endpoint',
    service: TASK,
    environment: ['TABLE_NAME'],
    permissions: [
      table('GetItem'),
      { actions: ['mediapackage:DeleteOriginEndpoint'], resources: ['originEndpoints'] },
    ],
  },
  'delete-package-channel': {
    entry: 'tasks/delete/delete-package-channel.ts',
    description: 'DeleteStream: the MediaPackage channel',
    service: TASK,
    environment: ['TABLE_NAME'],
    permissions: [
      table('GetItem'),
      { actions: ['mediapackage:DeleteChannel'], resources: ['packageChannels'] },
    ],
  },
  'remove-stream': {
    entry: 'tasks/delete/remove-stream.ts',
    description: 'DeleteStream: the stream record (its sessions, clips and archive stay)',
    service: TASK,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME'],
    permissions: [table('GetItem', 'Query', 'DeleteItem'), publishEvents],
  },
  // GoLive, EndLive
  'go-live': {
    entry: 'tasks/go-live/go-live.ts',
    description: "GoLive: the stream's origin and cache behaviour on the live distribution",
    service: TASK,
    environment: ['TABLE_NAME', ...LIVE_ENV],
    permissions: [table('GetItem', 'UpdateItem'), liveDistribution],
  },
  'end-live': {
    entry: 'tasks/end-live/end-live.ts',
    description: "EndLive (and DeleteStream): the stream's origin off the live distribution",
    service: TASK,
    environment: ['TABLE_NAME', ...LIVE_ENV],
    permissions: [table('GetItem', 'UpdateItem'), liveDistribution],
  },
  // SplitArchive
  'split-archive': {
    entry: 'tasks/split/split-archive.ts',
    description:
      "SplitArchive: plans the clips from the archive's names, writes their playlists and their records",
    service: TASK,
    environment: ['ARCHIVE_BUCKET', 'TABLE_NAME', 'EVENT_BUS_NAME'],
    permissions: [
      { actions: ['s3:ListBucket'], resources: ['archiveBucket'] },
      // Playlists only (a conditional PutObject needs no more than s3:PutObject); DeleteObjects
      // (authorized per key as s3:DeleteObject) undoes a split refused half-way.
      { actions: ['s3:PutObject', 's3:DeleteObject'], resources: ['clipPlaylists'] },
      // The clip records, 25 a request; "Clip Changed" events.
      table('BatchWriteItem'),
      publishEvents,
    ],
  },
  // ExportClip
  'prepare-export': {
    entry: 'tasks/export/prepare-export.ts',
    description: "ExportClip: the MediaConvert job of a clip's MP4, the export PROGRESSING",
    service: TASK,
    environment: ['TABLE_NAME', 'ARCHIVE_BUCKET', 'MEDIACONVERT_ROLE_ARN', 'EVENT_BUS_NAME'],
    permissions: [table('GetItem', 'UpdateItem'), publishEvents],
  },
  'record-export': {
    entry: 'tasks/export/record-export.ts',
    description: 'ExportClip: the export COMPLETE (or ERROR) on the clip record',
    service: TASK,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME'],
    permissions: [table('GetItem', 'UpdateItem'), publishEvents],
  },
  // Steps of several machines
  'claim-stream': {
    entry: 'tasks/shared/claim-stream.ts',
    description: 'StartStream, StopStream: claims the stream for a scheduled execution',
    service: TASK,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME'],
    permissions: [table('GetItem', 'UpdateItem', 'PutItem'), publishEvents],
  },
  'wait-for-channel': {
    entry: 'tasks/shared/wait-for-channel.ts',
    description: 'Every lifecycle machine: polls the channel until it reaches a state',
    service: TASK,
    environment: ['TABLE_NAME'],
    permissions: [table('GetItem'), { actions: ['medialive:DescribeChannel'], resources: ['channels'] }],
  },
  'record-failure': {
    entry: 'tasks/shared/record-failure.ts',
    description: "Every lifecycle machine's Catch: records why the workflow failed",
    service: TASK,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', 'SCHEDULE_GROUP'],
    permissions: [table('GetItem', 'UpdateItem', 'PutItem', 'Query'), publishEvents, removeSchedules],
  },
  // Not machines' tasks: the events of MediaLive and of Step Functions keep the records true.
  'channel-events': {
    entry: 'tasks/channel-events/channel-events.ts',
    description: 'MediaLive channel state changes and alerts: drift and input-loss stops',
    ...RECORD_KEEPER,
  },
  'execution-events': {
    entry: 'tasks/execution-events/execution-events.ts',
    description: 'Lifecycle executions aborted, timed out or failed without their Catch: truthful records',
    ...RECORD_KEEPER,
  },
  api: {
    entry: 'api/handler.ts',
    // S3's XML protocol and checksums, Scheduler's REST-JSON protocol: only these clients use them.
    isolated: ['api/archive-client.ts', 'api/schedules-client.ts'],
    description: 'The API: validates, records the transitional status, starts the workflows',
    service: 'live-streaming-api',
    environment: [
      'TABLE_NAME',
      ...Object.values(WORKFLOWS).map((w) => w.env),
      SPLIT_WORKFLOW.env,
      EXPORT_WORKFLOW.env,
      'ARCHIVE_BUCKET',
      'CLOUDFRONT_ENABLED',
      'ENCRYPTION_ENABLED',
      'DEFAULT_MAX_DURATION_SECONDS',
      'CORS_ALLOW_ORIGIN',
      'EVENT_BUS_NAME',
      'SCHEDULE_GROUP',
      'SCHEDULER_ROLE_ARN',
    ],
    permissions: [
      {
        actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'].map((a) => `dynamodb:${a}`),
        resources: ['table', 'listIndex'],
      },
      // POST /start with a path: is the archive prefix empty (ListObjectsV2)?
      { actions: ['s3:ListBucket'], resources: ['archiveBucket'] },
      { actions: ['states:StartExecution'], resources: ['lifecycleMachines'] },
      // GET /streams/{id}/executions: status and steps of the stream's executions.
      {
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: ['lifecycleExecutions'],
      },
      { actions: ['states:StartSyncExecution'], resources: ['splitMachine'] },
      { actions: ['states:StartExecution'], resources: ['exportMachine'] },
      // A clip's playlist, and the presigned GETs of its segments and MP4s (signed with this role).
      { actions: ['s3:GetObject'], resources: ['archiveObjects'] },
      // DELETE /streams/{id}/clips/{clip_id}: what the clip wrote, never an archive file.
      { actions: ['s3:DeleteObject'], resources: ['clipPlaylists', 'clipExports'] },
      publishEvents,
      ...setSchedules,
      // GET /streams/{id}/health and /thumbnail: the channel, its thumbnails.
      { actions: ['medialive:DescribeChannel', 'medialive:DescribeThumbnails'], resources: ['channels'] },
      // GetMetricData of classic metrics names no resource (Service Authorization Reference: its
      // only resource type, an OTLP dataset, is optional): "*" only.
      { actions: ['cloudwatch:GetMetricData'], resources: ['*'] },
    ],
    memorySize: 512,
    // API Gateway gives up on an integration after 29 s; running longer helps nobody.
    timeoutSeconds: 29,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;
/** The functions the state machines invoke. */
export type TaskName = Exclude<FunctionName, EventHandlerName | 'api'>;
/** The functions EventBridge rules invoke. */
export type EventHandlerName = 'channel-events' | 'execution-events';
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const NOT_TASKS: readonly string[] = ['api', 'channel-events', 'execution-events'];
export const TASK_NAMES = FUNCTION_NAMES.filter((name): name is TaskName => !NOT_TASKS.includes(name));

/** A statement with the deployment's ARNs. Statements naming a resource the deployment lacks are left out. */
export interface ResolvedStatement {
  actions: string[];
  resources: string[];
  conditions?: Record<string, Record<string, string>>;
}

export function resolvePermissions(
  spec: FunctionSpec,
  arns: Readonly<Partial<Record<ResourceName, string | readonly string[]>>>,
): ResolvedStatement[] {
  const statements: ResolvedStatement[] = [];
  for (const permission of spec.permissions) {
    const resources: string[] = [];
    let missing = false;
    for (const name of permission.resources) {
      const value = name === '*' ? '*' : arns[name];
      if (value === undefined || (Array.isArray(value) && value.length === 0)) missing = true;
      else resources.push(...(typeof value === 'string' ? [value] : value));
    }
    // A feature the deployment does not have (no CDN, no SPEKE): its grant is not needed.
    if (missing) continue;
    statements.push({
      actions: [...permission.actions],
      resources,
      ...(permission.passedToService
        ? { conditions: { StringEquals: { 'iam:PassedToService': permission.passedToService } } }
        : {}),
    });
  }
  return statements;
}

/** The function's environment: its own variables only, those the deployment has a value for. */
export function resolveEnvironment(spec: FunctionSpec, values: EnvironmentValues): Record<string, string> {
  const environment: Record<string, string> = { POWERTOOLS_SERVICE_NAME: spec.service };
  for (const name of spec.environment) {
    const value = values[name];
    if (value !== undefined) environment[name] = value;
  }
  return environment;
}
