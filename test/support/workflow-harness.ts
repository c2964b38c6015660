/**
 * The lifecycle workflows as local mode runs them, for workflow tests and the workflow benchmark:
 * dynalite, s3rver, the MediaLive/MediaPackage/CloudFront double (infra/local/media/control), the
 * local Step Functions endpoint running the deployed definitions (`localMachines`), and every
 * function (the API, each task) from its deployed bundle with its own environment
 * (infra/local/functions), as Lambda runs it. Every AWS call of every function is recorded for the
 * IAM conformance test.
 *
 * Assembled here from the same parts as `startLocalStack` (infra/local/stack.ts), with the same task
 * environment, instead of calling it: exact channel timings need the control plane's own options,
 * and no media plane runs (a channel without video needs no
 * FFmpeg, RTMP server or origin; the URLs below only name where they would be).
 *
 * Framework-free on purpose (no vitest import), so the benchmark can use it under tsx.
 */
import '../../infra/local/polyfills.js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateInputSecurityGroupCommand, MediaLiveClient } from '@aws-sdk/client-medialive';
import { MediaPackageClient } from '@aws-sdk/client-mediapackage';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiConfig } from '../../api/app.js';
import type { LifecycleAction, StreamRecord } from '../../core/stream.js';
import { StreamStore } from '../../core/stream-store.js';
import { createTableInput } from '../../core/table-schema.js';
import { EXPORT_WORKFLOW, SPLIT_WORKFLOW, WORKFLOWS } from '../../core/workflows.js';
import { bundleAll } from '../../infra/bundling/bundle.js';
import { ENVIRONMENT_NAMES, type EnvironmentValues, type FunctionName } from '../../infra/functions.js';
import { newCredentials } from '../../infra/local/aws-server/credentials.js';
import { serveAws } from '../../infra/local/aws-server/server.js';
import { serveDynalite, serveS3rver } from '../../infra/local/aws-server/stores.js';
import { LOCAL_ACCOUNT, localMachines } from '../../infra/local/definitions.js';
import { createLocalEventBridge, type LocalEventBridge } from '../../infra/local/events/index.js';
import { findFfmpeg } from '../../infra/local/ffmpeg.js';
import {
  type AwsCall,
  createLocalFunctions,
  type LocalFunctions,
  lambdaError,
} from '../../infra/local/functions/local-functions.js';
import type { MediaPlane } from '../../infra/local/media/contracts.js';
import type { ChannelTimings } from '../../infra/local/media/control/channel-lifecycle.js';
import {
  createMediaControlPlane,
  type MediaControlPlane,
} from '../../infra/local/media/control/control-plane.js';
import { LocalMediaConvert } from '../../infra/local/mediaconvert/local-mediaconvert.js';
import { createLocalScheduler } from '../../infra/local/scheduler/index.js';
import {
  LOCAL_EVENT_BUS,
  LOCAL_MEDIACONVERT_ROLE_ARN,
  LOCAL_SCHEDULE_GROUP,
  MEDIACONVERT_CREATE_JOB_SYNC,
  publishExecutionEnd,
} from '../../infra/local/stack.js';
import {
  createLocalStepFunctions,
  type DescribedExecution,
  type LocalStepFunctions,
} from '../../infra/local/stepfunctions/index.js';
import { recordAwsCall, recordMediaConvertJob } from './aws-call-log.js';
import { ControlPlaneFaultRules } from './control-plane-faults.js';

export interface WorkflowHarnessOptions {
  /** How long the simulated MediaLive transitions take. */
  timings: ChannelTimings;
  /** Scales Retry intervals (and Wait states) of the definitions. */
  waitTimeScale: number;
  /** How often a wait task asks MediaLive (POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** How long one wait-task invocation keeps asking before it hands back to the machine (POLL_BUDGET_MS). */
  pollBudgetMs: number;
  /** Task logs (Powertools) level; the workflows' failures are asserted, not read. @default 'SILENT' */
  taskLogLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Every AWS call of every function (besides the suite's call log). */
  onAwsCall?: (call: AwsCall) => void;
}

/**
 * About a hundred times faster than MediaLive, Retry intervals scaled by 0.01: a create → start →
 * stop → delete runs in a second or two. The order of the transitions' lengths stays MediaLive's (a
 * start is the slowest), so the machines take the same paths.
 */
export const FAST: WorkflowHarnessOptions = {
  timings: { createMs: 100, startMs: 400, stopMs: 200, deleteMs: 100, updateMs: 100 },
  waitTimeScale: 0.01,
  pollIntervalMs: 25,
  pollBudgetMs: 300,
};

export const REGION = 'us-east-1';
export const ARCHIVE_BUCKET = 'live-archive';
export const LIVE_DISTRIBUTION_ID = 'ELOCALLIVE0001';
/** Where the media plane would serve; nothing listens (no video in these runs). */
export const PLACEHOLDER_URLS = {
  rtmpHost: '127.0.0.1',
  rtmpPort: 1935,
  hls: 'http://127.0.0.1:8080',
  cdn: 'http://127.0.0.1:8081',
};

export interface Answer {
  statusCode: number;
  /** Parsed JSON body (the API always answers JSON). */
  body: Record<string, unknown>;
}

export interface ActionRun {
  answer: Answer;
  execution: DescribedExecution;
  /** The record once the execution ended; undefined when the workflow removed it. */
  record: StreamRecord | undefined;
}

/** What the MediaLive/MediaPackage double holds for one stream (DELETED channels and inputs excluded). */
export interface StreamResources {
  channels: Array<{ id: string; state: string }>;
  inputs: Array<{ id: string; state: string }>;
  packageChannels: string[];
  originEndpoints: string[];
}

export const NO_RESOURCES: StreamResources = {
  channels: [],
  inputs: [],
  packageChannels: [],
  originEndpoints: [],
};

export interface WorkflowHarness {
  options: WorkflowHarnessOptions;
  /** The functions' environment: the deployment's values and the runtime's (endpoints, credentials). */
  env: Readonly<Record<string, string>>;
  /** The app's functions, each from its bundle in an environment of its own. */
  functions: LocalFunctions;
  /** MediaLive faults and states the functions meet over the wire (the tests' own clients too). */
  faults: ControlPlaneFaultRules;
  /** The next `times` invocations of `fn` run to the end, but Step Functions gets Lambda.ServiceException. */
  loseAnswers(fn: FunctionName, times: number): void;
  endpoints: { dynamodb: string; s3: string; stepfunctions: string; media: string };
  stepFunctions: LocalStepFunctions;
  /** The local EventBridge: the status events the functions put on the deployment's bus. */
  events: LocalEventBridge;
  /** The deployment's schedule group, as the functions see it (auto-stop guard, input-loss stop). */
  scheduleGroup: string;
  store: StreamStore;
  /** The test's own clients: they see the double as it is, never through an injected fault. */
  aws: {
    sfn: SFNClient;
    medialive: MediaLiveClient;
    mediapackage: MediaPackageClient;
    cloudfront: CloudFrontClient;
    s3: S3Client;
    scheduler: SchedulerClient;
  };
  /** State machine ARN of each lifecycle action. */
  machines: Readonly<Record<LifecycleAction, string>>;
  /** One API call through the real handler. */
  call(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<Answer>;
  /** An API call that starts a workflow (it must answer 202), then waits for its execution to end. */
  act(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<ActionRun>;
  /** POST /streams and its CreateStream execution; throws unless the stream ends IDLE. */
  idleStream(body?: Record<string, unknown>): Promise<StreamRecord>;
  /** An idle stream, started; throws unless it ends RUNNING. */
  runningStream(body?: Record<string, unknown>): Promise<StreamRecord>;
  waitForExecution(executionArn: string, timeoutMs?: number): Promise<DescribedExecution>;
  history(executionArn: string): Promise<HistoryEvent[]>;
  resourcesOf(streamId: string): Promise<StreamResources>;
  /** The double's log (failures no caller sees), newest last. */
  controlLog: readonly string[];
  close(): Promise<void>;
}

export const API_CONFIG: ApiConfig = { cloudfront: true, encryption: false, defaultMaxDurationSeconds: null };

const noVideo: MediaPlane = {
  startChannel: async () => undefined,
  stopChannel: async () => undefined,
  close: async () => undefined,
};

export async function startWorkflowHarness(options: WorkflowHarnessOptions = FAST): Promise<WorkflowHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'workflow-harness-'));
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  const controlLog: string[] = [];
  const faults = new ControlPlaneFaultRules();
  const lostAnswers = new Map<FunctionName, number>();
  // A key pair of this run: the local endpoints accept only it (and never real ones are used).
  const credentials = newCredentials();
  const base = { region: REGION, credentials };
  try {
    const tableName = 'live-streams';
    const dynamo = await serveDynalite({ port: 0, credentials });
    const dynamodbUrl = dynamo.url;
    closers.push(dynamo.close);
    const dynamoClient = new DynamoDBClient({ ...base, endpoint: dynamodbUrl });
    await dynamoClient.send(new CreateTableCommand(createTableInput(tableName)));

    const s3rver = await serveS3rver({
      port: 0,
      credentials,
      directory: path.join(dataDir, 's3'),
      buckets: [ARCHIVE_BUCKET],
    });
    const s3Url = s3rver.url;
    closers.push(s3rver.close);

    const control = createMediaControlPlane({
      dataDir: path.join(dataDir, 'media'),
      region: REGION,
      rtmpHost: PLACEHOLDER_URLS.rtmpHost,
      rtmpPort: PLACEHOLDER_URLS.rtmpPort,
      hlsBaseUrl: PLACEHOLDER_URLS.hls,
      distribution: { id: LIVE_DISTRIBUTION_ID, domainName: new URL(PLACEHOLDER_URLS.cdn).host },
      timings: options.timings,
      mediaPlane: noVideo,
      faults,
      // Kept for a failing test's message; printing it would bury the test report.
      log: (message, details) => {
        controlLog.push(`${message} ${JSON.stringify(details)}`);
        if (controlLog.length > 200) controlLog.shift();
      },
    });
    const mediaServed = await serveAws(control.api, { port: 0, credentials });
    const mediaUrl = mediaServed.url;
    closers.push(() => control.close(), mediaServed.close);

    const media = {
      medialive: new MediaLiveClient({ ...base, endpoint: mediaUrl }),
      mediapackage: new MediaPackageClient({ ...base, endpoint: mediaUrl }),
      cloudfront: new CloudFrontClient({ ...base, endpoint: mediaUrl }),
      s3: new S3Client({
        ...base,
        endpoint: s3Url,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
      }),
    };
    closers.push(async () => {
      for (const client of Object.values(media)) client.destroy();
      dynamoClient.destroy();
    });
    const securityGroup = await media.medialive.send(
      new CreateInputSecurityGroupCommand({
        WhitelistRules: [{ Cidr: '127.0.0.1/32' }],
        Tags: { purpose: 'local-rtmp' },
      }),
    );

    // Every function from its bundle, with exactly the environment the registry gives it.
    const machinesRendered = localMachines(REGION);
    const machineArn = (name: string) => {
      const machine = machinesRendered.find((m) => m.name === name);
      if (!machine) throw new Error(`no state machine ${name}`);
      return machine.arn;
    };
    const machines = Object.fromEntries(
      Object.entries(WORKFLOWS).map(([action, workflow]) => [action, machineArn(workflow.machineName)]),
    ) as Record<LifecycleAction, string>;
    const values: Record<string, string | undefined> = {
      ...Object.fromEntries(ENVIRONMENT_NAMES.map((name) => [name, undefined])),
      TABLE_NAME: tableName,
      ARCHIVE_BUCKET,
      INPUT_SECURITY_GROUP_ID: securityGroup.SecurityGroup?.Id ?? '',
      MEDIALIVE_ROLE_ARN: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-medialive`,
      LIVE_DISTRIBUTION_ID,
      LIVE_BASE_URL: PLACEHOLDER_URLS.cdn,
      LIVE_CACHE_POLICY_ID: 'local-mediapackage-cache-policy',
      CLOUDFRONT_ENABLED: String(API_CONFIG.cloudfront),
      ENCRYPTION_ENABLED: String(API_CONFIG.encryption),
      ...Object.fromEntries(Object.values(WORKFLOWS).map((w) => [w.env, machineArn(w.machineName)])),
      [SPLIT_WORKFLOW.env]: machineArn(SPLIT_WORKFLOW.machineName),
      [EXPORT_WORKFLOW.env]: machineArn(EXPORT_WORKFLOW.machineName),
      MEDIACONVERT_ROLE_ARN: LOCAL_MEDIACONVERT_ROLE_ARN,
    };
    const runtimeEnvironment: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
      AWS_ENDPOINT_URL_S3: s3Url,
      AWS_ENDPOINT_URL_MEDIALIVE: mediaUrl,
      AWS_ENDPOINT_URL_MEDIAPACKAGE: mediaUrl,
      AWS_ENDPOINT_URL_CLOUDFRONT: mediaUrl,
      S3_FORCE_PATH_STYLE: 'true',
      // Lambda runs Node 22; the SDK's notice about Node 20 is about this machine, not the function.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POLL_INTERVAL_MS: String(options.pollIntervalMs),
      POLL_BUDGET_MS: String(options.pollBudgetMs),
      POWERTOOLS_LOG_LEVEL: options.taskLogLevel ?? 'SILENT',
    };
    // No function runs before every local endpoint is in its environment.
    let endpointsKnown: () => void = () => {};
    const functions = createLocalFunctions({
      ready: new Promise<void>((resolve) => {
        endpointsKnown = resolve;
      }),
      bundles: await bundleAll(),
      values: values as EnvironmentValues,
      runtimeEnvironment,
      region: REGION,
      account: LOCAL_ACCOUNT,
      onAwsCall: (call: AwsCall) => {
        recordAwsCall(call);
        options.onAwsCall?.(call);
      },
    });
    closers.push(() => functions.close());
    // EventBridge: the status events, and Step Functions' execution events to the same handler as on AWS.
    const events = createLocalEventBridge({
      region: REGION,
      eventBusNames: [LOCAL_EVENT_BUS],
      log: (message) => controlLog.push(`[events] ${message}`),
    });
    const eventsServed = await serveAws(events.api, { port: 0, credentials });
    const eventsUrl = eventsServed.url;
    closers.push(() => events.close(), eventsServed.close);
    events.subscribe(
      (event) =>
        event.source === 'aws.states' && event['detail-type'] === 'Step Functions Execution Status Change',
      async (event) => {
        await functions.invoke('execution-events', event);
      },
    );
    // ExportClip's MediaConvert, as in local mode: FFmpeg behind createJob.sync.
    const ffmpeg = findFfmpeg();
    const mediaConvert = new LocalMediaConvert({
      s3: media.s3,
      ffmpeg: ffmpeg.ffmpeg,
      ffprobe: ffmpeg.ffprobe,
      region: REGION,
      account: LOCAL_ACCOUNT,
      onJob: recordMediaConvertJob,
      log: (line) => controlLog.push(`[mediaconvert] ${line}`),
    });
    const stepFunctions = createLocalStepFunctions({
      dataDir: path.join(dataDir, 'stepfunctions'),
      stateMachines: machinesRendered,
      region: REGION,
      integrations: {
        [MEDIACONVERT_CREATE_JOB_SYNC]: (parameters) => mediaConvert.createJobSync(parameters),
      },
      onExecutionEnd: (execution) => publishExecutionEnd(events, execution, (line) => controlLog.push(line)),
      waitTimeScale: options.waitTimeScale,
      invokeLambda: async (functionArn, payload) => {
        const name = functions.nameOf(functionArn);
        if (!name) throw new Error(`no function ${functionArn}`);
        const result = await functions.invoke(name, payload);
        const lost = lostAnswers.get(name) ?? 0;
        if (lost > 0) {
          // The function ran to the end; Step Functions never heard back (Lambda's own fault).
          lostAnswers.set(name, lost - 1);
          throw lambdaError({ name: 'Lambda.ServiceException', message: 'the invocation answer was lost' });
        }
        return result;
      },
    });
    const sfnServed = await serveAws(stepFunctions.api, { port: 0, credentials });
    const sfnUrl = sfnServed.url;
    closers.push(() => stepFunctions.close(), sfnServed.close);
    runtimeEnvironment.AWS_ENDPOINT_URL_SFN = sfnUrl;
    const sfn = new SFNClient({ ...base, endpoint: sfnUrl, disableHostPrefix: true });
    closers.push(async () => sfn.destroy());

    // Scheduler (guards, input-loss stops), as in local mode.
    const scheduler = createLocalScheduler({
      dataDir: path.join(dataDir, 'scheduler'),
      region: REGION,
      startExecution: async (stateMachineArn, input) => {
        await sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
      },
      log: (message) => controlLog.push(`[scheduler] ${message}`),
    });
    const schedulerServed = await serveAws(scheduler.api, { port: 0, credentials });
    const schedulerUrl = schedulerServed.url;
    closers.push(() => scheduler.close(), schedulerServed.close);
    const schedulerClient = new SchedulerClient({ ...base, endpoint: schedulerUrl });
    closers.push(async () => schedulerClient.destroy());
    await schedulerClient.send(new CreateScheduleGroupCommand({ Name: LOCAL_SCHEDULE_GROUP }));
    runtimeEnvironment.AWS_ENDPOINT_URL_EVENTBRIDGE = eventsUrl;
    runtimeEnvironment.AWS_ENDPOINT_URL_SCHEDULER = schedulerUrl;
    endpointsKnown();
    Object.assign(values, {
      EVENT_BUS_NAME: LOCAL_EVENT_BUS,
      SCHEDULE_GROUP: LOCAL_SCHEDULE_GROUP,
      SCHEDULER_ROLE_ARN: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-scheduler`,
    });
    const aws = { ...media, sfn, scheduler: schedulerClient };
    const env: Record<string, string> = {
      ...runtimeEnvironment,
      ...(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >),
    };

    const doc = DynamoDBDocumentClient.from(dynamoClient, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const store = new StreamStore(doc, tableName);
    // API Gateway's proxy integration: the API function's bundle, as Lambda runs it.
    const handler = async (event: APIGatewayProxyEvent) =>
      (await functions.invoke('api', event, event.requestContext.requestId)) as APIGatewayProxyResult;

    const call = async (
      method: string,
      route: string,
      body?: unknown,
      query?: Record<string, string>,
    ): Promise<Answer> => {
      const result = await handler(apiEvent(method, route, body, query));
      return { statusCode: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
    };
    const waitForExecution = (arn: string, timeoutMs = 60_000) =>
      stepFunctions.waitForExecution(arn, timeoutMs);
    const act = async (
      method: string,
      route: string,
      body?: unknown,
      query?: Record<string, string>,
    ): Promise<ActionRun> => {
      const answer = await call(method, route, body, query);
      const started = answer.body as unknown as StreamRecord;
      if (answer.statusCode !== 202 || !started.execution) {
        throw new Error(`${method} ${route} answered ${answer.statusCode}: ${JSON.stringify(answer.body)}`);
      }
      const execution = await waitForExecution(started.execution.arn);
      return { answer, execution, record: await store.find(started.id) };
    };
    const expectStatus = (run: ActionRun, status: string, what: string): StreamRecord => {
      if (run.execution.status !== 'SUCCEEDED' || run.record?.status !== status) {
        throw new Error(
          `${what}: execution ${run.execution.status} (${run.execution.error ?? ''}: ${run.execution.cause ?? ''}), ` +
            `record ${run.record?.status}; double's log:\n${controlLog.slice(-10).join('\n')}`,
        );
      }
      return run.record;
    };
    const idleStream = async (body: Record<string, unknown> = {}) =>
      expectStatus(
        await act('POST', '/streams', { name: `stream ${randomUUID().slice(0, 8)}`, ...body }),
        'IDLE',
        'create',
      );

    return {
      options,
      env,
      functions,
      faults,
      loseAnswers: (fn, times) => {
        lostAnswers.set(fn, times);
      },
      endpoints: { dynamodb: dynamodbUrl, s3: s3Url, stepfunctions: sfnUrl, media: mediaUrl },
      events,
      scheduleGroup: LOCAL_SCHEDULE_GROUP,
      stepFunctions,
      store,
      aws,
      machines,
      call,
      act,
      idleStream,
      runningStream: async (body) => {
        const idle = await idleStream(body);
        return expectStatus(await act('POST', `/streams/${idle.id}/start`, {}), 'RUNNING', 'start');
      },
      waitForExecution,
      history: (arn) => executionHistory(aws.sfn, arn),
      resourcesOf: async (streamId) => resourcesOf(control.state, streamId),
      controlLog,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Every event of an execution, following the pages. */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** State transitions as Step Functions bills them: one per state entered. */
export function stateTransitions(events: HistoryEvent[]): number {
  return events.filter((event) => event.type?.endsWith('StateEntered')).length;
}

/** Names of the states entered, in order: the path an execution took. */
export function statesEntered(events: HistoryEvent[]): string[] {
  return events.flatMap((event) =>
    event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name
      ? [event.stateEnteredEventDetails.name]
      : [],
  );
}

/** What the double holds for a stream: the tasks name every resource after it (live-<id>) and tag it. */
function resourcesOf(state: MediaControlPlane['state'], streamId: string): StreamResources {
  const name = `live-${streamId}`;
  const ours = (r: {
    settings?: { name?: string; tags: Record<string, string> };
    name?: string;
    tags?: Record<string, string>;
  }) => (r.settings?.name ?? r.name) === name || (r.settings?.tags ?? r.tags)?.stream_id === streamId;
  // As DescribeInput answers: ATTACHED while a channel that is not DELETED uses the input.
  const attached = new Set(
    Object.values(state.medialive.channels)
      .filter((c) => c.state !== 'DELETED')
      .flatMap((c) => c.settings.inputAttachments.map((a) => a.inputId)),
  );
  return {
    channels: Object.values(state.medialive.channels)
      .filter((c) => c.state !== 'DELETED' && ours(c))
      .map((c) => ({ id: c.id, state: c.state })),
    inputs: Object.values(state.medialive.inputs)
      .filter((i) => i.state !== 'DELETED' && ours(i))
      .map((i) => ({ id: i.id, state: i.state === 'DETACHED' && attached.has(i.id) ? 'ATTACHED' : i.state })),
    packageChannels: Object.keys(state.mediapackage.channels).filter((id) => id === name),
    originEndpoints: Object.values(state.mediapackage.endpoints)
      .filter((e) => e.channelId === name || e.id === `${name}-hls`)
      .map((e) => e.id),
  };
}

function apiEvent(
  method: string,
  route: string,
  body: unknown,
  query: Record<string, string> | undefined,
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path: route,
    resource: route,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() } as APIGatewayProxyEvent['requestContext'],
  };
}
