/**
 * The local stack: every AWS service the workflow uses, on this machine, with the app's own
 * functions (each its deployed bundle, with its own environment: infra/local/functions/) and state
 * machine definitions. `npm start` runs it (infra/local/main.ts); the end-to-end tests run it on
 * free ports.
 *
 * The functions reach the local services through the standard `AWS_ENDPOINT_URL_<SERVICE>`
 * variables of their environment; a variable the user already set wins (and the matching local
 * service is not started), e.g. to use another emulator. Every local endpoint answers only
 * requests signed with local mode's key pair, sent to a loopback host (see aws-server/).
 */
import './polyfills.js';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateInputSecurityGroupCommand,
  ListInputSecurityGroupsCommand,
  MediaLiveClient,
} from '@aws-sdk/client-medialive';
import { S3Client } from '@aws-sdk/client-s3';
import { ConflictException, CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createTableInput } from '../../core/table-schema.js';
import { EXPORT_WORKFLOW, SPLIT_WORKFLOW, WORKFLOWS } from '../../core/workflows.js';
import { bundleAll } from '../bundling/bundle.js';
import { ENVIRONMENT_NAMES, type EnvironmentValues } from '../functions.js';
import { LOCAL_PARTITION, localArn } from './aws-server/arn.js';
import { type LocalCredentials, localCredentials } from './aws-server/credentials.js';
import { type AwsApi, type Served, serveAws } from './aws-server/server.js';
import { serveDynalite, serveS3rver } from './aws-server/stores.js';
import { createLocalCloudWatch } from './cloudwatch/local-cloudwatch.js';
import { LOCAL_ACCOUNT, LOCAL_MEDIACONVERT_ROLE_ARN, localMachineArn, localMachines } from './definitions.js';
import { createLocalEventBridge, type LocalEventBridge } from './events/index.js';
import { findFfmpeg } from './ffmpeg.js';
import { type AwsCall, createLocalFunctions, type LocalFunctions } from './functions/local-functions.js';
import type { ControlPlaneView } from './media/contracts.js';
import { createMediaControlPlane } from './media/control/control-plane.js';
import { createMediaPlane } from './media/plane/media-plane.js';
import { type LocalJobRecord, LocalMediaConvert } from './mediaconvert/local-mediaconvert.js';
import { createLocalScheduler } from './scheduler/index.js';
import { createLocalSecretsManager } from './secrets/local-secrets-manager.js';
import { createLocalStepFunctions, type DescribedExecution } from './stepfunctions/index.js';

export const DEFAULT_PORTS = {
  dynamodb: 4567,
  s3: 4568,
  sfn: 4569,
  media: 4570,
  events: 4571,
  scheduler: 4572,
  cloudwatch: 4573,
  secretsmanager: 4574,
  rtmp: 1935,
  origin: 8080,
  cdn: 8081,
};

export interface LocalStackOptions {
  dataDir: string;
  host?: string;
  /** 0 = a free port (tests). */
  ports?: Partial<typeof DEFAULT_PORTS>;
  /** MediaLive transition times of the local channel (defaults: a few seconds). */
  timings?: { createMs?: number; startMs?: number; stopMs?: number; deleteMs?: number; updateMs?: number };
  /** The key pair every local endpoint requires. @default generated once in `<dataDir>/aws-credentials` */
  credentials?: LocalCredentials;
  /** Scales Retry intervals (tests); default 1. */
  waitTimeScale?: number;
  /** How often the wait tasks poll the local MediaLive (ms); default 250 locally. */
  pollIntervalMs?: number;
  log?: (line: string) => void;
  /** Every AWS call the app's functions make (the IAM conformance test records them). */
  onAwsCall?: (call: AwsCall) => void;
  /** Every job the local MediaConvert ran (the IAM conformance test derives its role's calls). */
  onMediaConvertJob?: (job: LocalJobRecord) => void;
  /** Powertools log level of the functions. @default INFO */
  functionLogLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
}

export type LocalEndpoints = Record<
  | 'dynamodb'
  | 's3'
  | 'stepfunctions'
  | 'medialive'
  | 'mediapackage'
  | 'cloudfront'
  | 'eventbridge'
  | 'scheduler'
  | 'cloudwatch'
  | 'secretsmanager',
  string
> & { rtmp: string; hls: string; cdn: string };

export interface LocalStack {
  endpoints: LocalEndpoints;
  archiveBucket: string;
  region: string;
  /** The key pair the local endpoints accept (and the SDK clients of this process sign with). */
  credentials: LocalCredentials;
  /** The local EventBridge: status events and MediaLive's events, streamed at GET /events. */
  events: LocalEventBridge;
  /** The app's Lambda functions (the API, the tasks, the event handlers), each from its bundle. */
  functions: LocalFunctions;
  /** The values of the registry's environment variables and the runtime's (endpoints, credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The environment as the user gave it, before any local stack set its own endpoints. */
const USER_ENV: Readonly<Record<string, string | undefined>> = { ...process.env };
export const LOCAL_EVENT_BUS = 'live-streams';
export const LOCAL_SCHEDULE_GROUP = 'live-streams';
export const LOCAL_DISTRIBUTION_ID = 'ELOCALLIVE0001';
/** The SRT passphrase secrets' name prefix (`<stack>/srt/` on AWS). */
export const LOCAL_SRT_SECRET_PREFIX = 'live-streams/srt/';
const TABLE_NAME = 'live-streams';

export { LOCAL_MEDIACONVERT_ROLE_ARN } from './definitions.js';
/** The optimized integration the ExportClip definition names, in local mode's partition. */
export const MEDIACONVERT_CREATE_JOB_SYNC = `arn:${LOCAL_PARTITION}:states:::mediaconvert:createJob.sync`;
const ARCHIVE_BUCKET = 'live-archive';

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(options.dataDir);
  // Owner only: it holds the key pair, stream keys and every recording.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const credentials = options.credentials ?? localCredentials(dataDir);
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch((e) => log(`close failed: ${e}`));
  };

  // The local key pair, whatever the shell has: local mode must never sign with (or reach) a real
  // account, and its endpoints accept only this pair.
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const region = process.env.AWS_REGION;

  /** The user's endpoint for `variable`, else a local one started by `start`. */
  const endpoint = async (variable: string, start: () => Promise<Served>) => {
    const user = USER_ENV[`AWS_ENDPOINT_URL_${variable}`];
    if (user) return user;
    const served = await start();
    closers.push(served.close);
    return served.url;
  };
  const serve = async (port: number, service: { api: AwsApi; close(): Promise<void> }) => {
    closers.push(() => service.close());
    return serveAws(service.api, { host, port, credentials, log });
  };

  try {
    const serving = { host, credentials, log };
    const dynamodbUrl = await endpoint('DYNAMODB', () =>
      serveDynalite({ ...serving, port: ports.dynamodb, path: path.join(dataDir, 'dynamodb') }),
    );
    await ensureTable(new DynamoDBClient({ endpoint: dynamodbUrl, region }));
    const s3Url = await endpoint('S3', () =>
      serveS3rver({
        ...serving,
        port: ports.s3,
        directory: path.join(dataDir, 's3'),
        buckets: [ARCHIVE_BUCKET],
        // Clips play in the console (hls.js) from presigned segment URLs, as from S3 with CORS.
        cors: true,
      }),
    );
    const s3 = new S3Client({
      endpoint: s3Url,
      region,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });

    // EventBridge: the status events of the store, and MediaLive's channel events for drift.
    const events = createLocalEventBridge({
      region,
      eventBusNames: [LOCAL_EVENT_BUS],
      log: (m) => log(`[events] ${m}`),
    });
    const eventsUrl = await endpoint('EVENTBRIDGE', () => serve(ports.events, events));
    // MediaLive's own events, as it sends them to EventBridge (best effort).
    const publishMediaLive = (
      detailType: string,
      channelArn: string,
      detail: Record<string, string>,
      time?: Date,
    ) => {
      try {
        const input = { source: 'aws.medialive', detailType, resources: [channelArn], ...(time && { time }) };
        events.publish({ ...input, detail: { channel_arn: channelArn, ...detail } });
      } catch (error) {
        log(`[events] could not publish ${detailType}: ${String(error)}`);
      }
    };

    // CloudWatch: the metrics the media plane measures, for the health route's GetMetricData.
    const cloudwatch = createLocalCloudWatch();
    const cloudwatchUrl = await endpoint('CLOUDWATCH', () => serve(ports.cloudwatch, cloudwatch));
    // Secrets Manager: the SRT inputs' passphrases, which the local MediaLive reads in process.
    const secrets = createLocalSecretsManager({
      dataDir: path.join(dataDir, 'secrets'),
      region,
      accountId: LOCAL_ACCOUNT,
    });
    const secretsUrl = await endpoint('SECRETS_MANAGER', () => serve(ports.secretsmanager, secrets));

    // Media plane first (its ports go into the control plane's URLs), with a view bound below.
    let view: ControlPlaneView | undefined;
    const plane = createMediaPlane({
      dataDir,
      rtmpPort: ports.rtmp,
      host,
      originPort: ports.origin,
      cdnPort: ports.cdn,
      s3,
      view: {
        findInputByStreamName: (app, name) => view?.findInputByStreamName(app, name),
        getInput: (id) => view?.getInput?.(id),
        findRunningChannelForInput: (id) => view?.findRunningChannelForInput(id),
        getPackageChannel: (id) => view?.getPackageChannel(id),
        findEndpointByHash: (hash) => view?.findEndpointByHash(hash),
        cdnServes: (hash) => view?.cdnServes(hash) ?? false,
      },
      logger: (line) => log(`[media] ${line}`),
      // MediaLive's channel alerts (input loss, no audio, a failing simulcast push).
      onAlert: ({ channelArn, pipeline, type, set, message, subject }) =>
        publishMediaLive('MediaLive Channel Alert', channelArn, {
          alarm_state: set ? 'SET' : 'CLEARED',
          alarm_id: `${channelArn}:${type}:${pipeline}${subject ? `:${subject}` : ''}`,
          alert_type: type,
          pipeline: String(pipeline),
          message,
        }),
      onMetrics: (samples) => cloudwatch.put(samples),
    });
    const urls = await plane.listen();
    closers.push(() => plane.close());
    const rtmp = new URL(urls.rtmpUrl);
    const control = createMediaControlPlane({
      dataDir,
      region,
      rtmpHost: rtmp.hostname,
      rtmpPort: Number(rtmp.port),
      hlsBaseUrl: urls.originUrl,
      distribution: { id: LOCAL_DISTRIBUTION_ID, domainName: new URL(urls.cdnUrl).host },
      ...(options.timings ? { timings: options.timings } : {}),
      mediaPlane: plane,
      readSecret: (arn) => secrets.read(arn),
      log: (message, details) => log(`[media-control] ${message} ${JSON.stringify(details)}`),
      // MediaLive's events, one per pipeline, as it sends them to EventBridge (best effort).
      onChannelStateChange: ({ channelArn, state, pipelines, at }) => {
        for (let pipeline = 0; pipeline < pipelines; pipeline++) {
          const detail = { state, pipeline: String(pipeline), message: `Channel is ${state}` };
          publishMediaLive('MediaLive Channel State Change', channelArn, detail, at);
        }
      },
    });
    view = control.view;
    const media = await serve(ports.media, control);
    closers.push(media.close);
    const mediaUrls = {
      medialive: USER_ENV.AWS_ENDPOINT_URL_MEDIALIVE ?? media.url,
      mediapackage: USER_ENV.AWS_ENDPOINT_URL_MEDIAPACKAGE ?? media.url,
      cloudfront: USER_ENV.AWS_ENDPOINT_URL_CLOUDFRONT ?? media.url,
    };

    // What Lambda's runtime gives each function (region, credentials), and locally where the
    // services are; then the deployment's values of the variables the function registry lists.
    const runtimeEnvironment: Record<string, string> = {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
      AWS_ENDPOINT_URL_S3: s3Url,
      AWS_ENDPOINT_URL_MEDIALIVE: mediaUrls.medialive,
      AWS_ENDPOINT_URL_MEDIAPACKAGE: mediaUrls.mediapackage,
      AWS_ENDPOINT_URL_CLOUDFRONT: mediaUrls.cloudfront,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventsUrl,
      AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatchUrl,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsUrl,
      S3_FORCE_PATH_STYLE: 'true',
      // Lambda runs Node 22; the SDK's notice about Node 20 is about this machine, not the function.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POLL_INTERVAL_MS: String(options.pollIntervalMs ?? 250),
      POLL_BUDGET_MS: '20000',
      POWERTOOLS_LOG_LEVEL: options.functionLogLevel ?? 'INFO',
    };
    const values: Record<string, string | undefined> = {
      ...Object.fromEntries(ENVIRONMENT_NAMES.map((name) => [name, undefined])),
      TABLE_NAME,
      ARCHIVE_BUCKET,
      INPUT_SECURITY_GROUP_ID: await ensureInputSecurityGroup(
        new MediaLiveClient({ endpoint: mediaUrls.medialive, region }),
      ),
      MEDIALIVE_ROLE_ARN: localArn('iam', '', LOCAL_ACCOUNT, 'role/local-medialive'),
      MEDIACONVERT_ROLE_ARN: LOCAL_MEDIACONVERT_ROLE_ARN,
      SRT_SECRET_PREFIX: LOCAL_SRT_SECRET_PREFIX,
      LIVE_DISTRIBUTION_ID: LOCAL_DISTRIBUTION_ID,
      LIVE_BASE_URL: urls.cdnUrl,
      LIVE_CACHE_POLICY_ID: 'local-mediapackage-cache-policy',
      CLOUDFRONT_ENABLED: 'true',
      ENCRYPTION_ENABLED: 'false',
      EVENT_BUS_NAME: LOCAL_EVENT_BUS,
      SCHEDULE_GROUP: LOCAL_SCHEDULE_GROUP,
      SCHEDULER_ROLE_ARN: localArn('iam', '', LOCAL_ACCOUNT, 'role/local-scheduler'),
      DEFAULT_MAX_DURATION_SECONDS: process.env.DEFAULT_MAX_DURATION_SECONDS ?? '43200',
    };

    // Step Functions: the app's own definitions; each task is its deployed bundle, run as Lambda runs it.
    const machines = localMachines(region);
    for (const { env, machineName } of [...Object.values(WORKFLOWS), SPLIT_WORKFLOW, EXPORT_WORKFLOW]) {
      values[env] = localMachineArn(machineName, region);
    }
    let endpointsKnown: () => void = () => {};
    const functions = createLocalFunctions({
      ready: new Promise<void>((resolve) => {
        endpointsKnown = resolve;
      }),
      bundles: await bundleAll(),
      values: values as EnvironmentValues,
      runtimeEnvironment,
      region,
      account: LOCAL_ACCOUNT,
      ...(options.onAwsCall ? { onAwsCall: options.onAwsCall } : {}),
    });
    closers.push(() => functions.close());
    // The rules, to the same handlers as on AWS: MediaLive's channel events (drift, input loss), and
    // Step Functions' events of a run aborted (locally also by a crash or restart), timed out or
    // failed without its Catch.
    const driftEvents = ['MediaLive Channel State Change', 'MediaLive Channel Alert'];
    events.subscribe(
      (event) => event.source === 'aws.medialive' && driftEvents.includes(event['detail-type']),
      async (event) => {
        await functions.invoke('channel-events', event);
      },
    );
    events.subscribe(
      (event) => event.source === 'aws.states' && event['detail-type'] === EXECUTION_STATUS_CHANGE,
      async (event) => {
        await functions.invoke('execution-events', event);
      },
    );
    // The channels the last process left encoding stopped with it: the drift handler records it.
    control.reportInterrupted();
    // Elemental MediaConvert for the ExportClip machine: FFmpeg behind `createJob.sync`.
    const ffmpeg = findFfmpeg();
    const mediaConvert = new LocalMediaConvert({
      s3,
      ffmpeg: ffmpeg.ffmpeg,
      ffprobe: ffmpeg.ffprobe,
      region,
      account: LOCAL_ACCOUNT,
      log: (line) => log(`[mediaconvert] ${line}`),
      ...(options.onMediaConvertJob ? { onJob: options.onMediaConvertJob } : {}),
    });
    const stepFunctions = createLocalStepFunctions({
      dataDir: path.join(dataDir, 'stepfunctions'),
      stateMachines: machines,
      region,
      integrations: {
        [MEDIACONVERT_CREATE_JOB_SYNC]: (parameters) => mediaConvert.createJobSync(parameters),
      },
      ...(options.waitTimeScale !== undefined ? { waitTimeScale: options.waitTimeScale } : {}),
      onExecutionEnd: (execution) => publishExecutionEnd(events, execution, log),
      invokeLambda: async (functionArn, payload) => {
        const name = functions.nameOf(functionArn);
        if (!name) throw new Error(`no local function ${functionArn}`);
        return functions.invoke(name, payload);
      },
    });
    const sfnUrl = await endpoint('SFN', () => serve(ports.sfn, stepFunctions));
    runtimeEnvironment.AWS_ENDPOINT_URL_SFN = sfnUrl;
    // EventBridge Scheduler: fires one-time schedules by starting the machines, as on AWS.
    const sfn = new SFNClient({ endpoint: sfnUrl, region, disableHostPrefix: true });
    const schedulerUrl = await endpoint('SCHEDULER', () =>
      serve(
        ports.scheduler,
        createLocalScheduler({
          dataDir: path.join(dataDir, 'scheduler'),
          region,
          startExecution: async (stateMachineArn, input) => {
            await sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
          },
          log: (message) => log(`[scheduler] ${message}`),
        }),
      ),
    );
    runtimeEnvironment.AWS_ENDPOINT_URL_SCHEDULER = schedulerUrl;
    await ensureScheduleGroup(new SchedulerClient({ endpoint: schedulerUrl, region }));
    // Every endpoint is known: the functions may run (the events of the restart first).
    endpointsKnown();
    const env: Record<string, string> = {
      ...runtimeEnvironment,
      ...(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >),
    };

    const endpoints = { dynamodb: dynamodbUrl, s3: s3Url, stepfunctions: sfnUrl, ...mediaUrls };
    return {
      endpoints: {
        ...endpoints,
        eventbridge: eventsUrl,
        scheduler: schedulerUrl,
        cloudwatch: cloudwatchUrl,
        secretsmanager: secretsUrl,
        rtmp: urls.rtmpUrl,
        hls: urls.originUrl,
        cdn: urls.cdnUrl,
      },
      archiveBucket: ARCHIVE_BUCKET,
      region,
      credentials,
      events,
      functions,
      env,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/** "Step Functions Execution Status Change", as Step Functions sends it to EventBridge. */
export function publishExecutionEnd(
  events: Pick<LocalEventBridge, 'publish'>,
  execution: DescribedExecution,
  log: (line: string) => void,
): void {
  try {
    events.publish({
      source: 'aws.states',
      detailType: EXECUTION_STATUS_CHANGE,
      detail: {
        executionArn: execution.executionArn,
        stateMachineArn: execution.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: execution.startDate.getTime(),
        stopDate: execution.stopDate?.getTime() ?? null,
        input: execution.input,
        output: execution.output ?? null,
        error: execution.error ?? null,
        cause: execution.cause ?? null,
      },
      resources: [execution.executionArn],
    });
  } catch (error) {
    log(`[events] could not publish an execution event: ${String(error)}`);
  }
}

async function ensureScheduleGroup(scheduler: SchedulerClient): Promise<void> {
  await scheduler
    .send(new CreateScheduleGroupCommand({ Name: LOCAL_SCHEDULE_GROUP }))
    .catch((error: unknown) => {
      if (!(error instanceof ConflictException)) throw error;
    });
  scheduler.destroy();
}

async function ensureTable(dynamo: DynamoDBClient): Promise<void> {
  await dynamo.send(new DescribeTableCommand({ TableName: TABLE_NAME })).catch(async (error: unknown) => {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await dynamo.send(new CreateTableCommand(createTableInput(TABLE_NAME)));
  });
  dynamo.destroy();
}

/** The CDK app creates the input security group on AWS; locally, one allowing loopback. */
async function ensureInputSecurityGroup(medialive: MediaLiveClient): Promise<string> {
  const { InputSecurityGroups } = await medialive.send(new ListInputSecurityGroupsCommand({}));
  const id =
    InputSecurityGroups?.find((g) => g.Tags?.purpose === 'local-rtmp')?.Id ??
    (
      await medialive.send(
        new CreateInputSecurityGroupCommand({
          WhitelistRules: [{ Cidr: '127.0.0.1/32' }],
          Tags: { purpose: 'local-rtmp' },
        }),
      )
    ).SecurityGroup?.Id;
  medialive.destroy();
  if (!id) throw new Error('local MediaLive created no input security group');
  return id;
}
