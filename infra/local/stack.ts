/**
 * The local stack: every AWS service the workflow uses, on this machine, with the app's own API
 * handler, state machine definitions and task code. `npm start` runs it (infra/local/main.ts); the
 * workflow and end-to-end tests run it on free ports.
 *
 * The AWS SDK reaches the local services through the standard `AWS_ENDPOINT_URL_<SERVICE>`
 * variables, set here for this process; a variable the user already set wins (and the matching
 * local service is not started), e.g. to use another emulator.
 */
import './polyfills.js';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateInputSecurityGroupCommand,
  ListInputSecurityGroupsCommand,
  MediaLiveClient,
} from '@aws-sdk/client-medialive';
import { S3Client } from '@aws-sdk/client-s3';
import { ConflictException, CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createTableInput } from '../../core/table-schema.js';
import { TASK_MODULES } from '../../tasks/registry.js';
import { type LocalCredentials, localCredentials } from './aws-server/credentials.js';
import { serveAws } from './aws-server/server.js';
import { serveDynalite, serveS3rver } from './aws-server/stores.js';
import { renderWorkflowsCached } from './definitions.js';
import { createLocalEventBridge, type LocalEventBridge } from './events/index.js';
import type { ControlPlaneView } from './media/contracts.js';
import { createMediaControlPlane } from './media/control/control-plane.js';
import { createMediaPlane } from './media/plane/media-plane.js';
import { createLocalScheduler } from './scheduler/index.js';
import { createLocalStepFunctions } from './stepfunctions/index.js';

export interface LocalStackOptions {
  dataDir: string;
  host?: string;
  /** 0 = a free port (tests). */
  ports?: Partial<
    Record<'dynamodb' | 's3' | 'sfn' | 'media' | 'rtmp' | 'origin' | 'cdn' | 'events' | 'scheduler', number>
  >;
  tableName?: string;
  archiveBucket?: string;
  /** MediaLive transition times of the local channel (defaults: a few seconds). */
  timings?: { createMs?: number; startMs?: number; stopMs?: number; deleteMs?: number; updateMs?: number };
  /** The key pair every local endpoint requires. @default generated once in `<dataDir>/aws-credentials` */
  credentials?: LocalCredentials;
  /** Scales Wait states and Retry intervals (tests); default 1. */
  waitTimeScale?: number;
  /** How often the wait tasks poll the local MediaLive (ms); default 250 locally. */
  pollIntervalMs?: number;
  x264Preset?: string;
  log?: (line: string) => void;
}

export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  stepfunctions: string;
  medialive: string;
  mediapackage: string;
  cloudfront: string;
  rtmp: string;
  hls: string;
  cdn: string;
  eventbridge: string;
  scheduler: string;
}

export interface LocalStack {
  endpoints: LocalEndpoints;
  tableName: string;
  archiveBucket: string;
  region: string;
  /** The key pair the local endpoints accept (and the SDK clients of this process sign with). */
  credentials: LocalCredentials;
  /** Set in process.env: what the SDK clients of the API and the tasks read. */
  env: Record<string, string>;
  stepFunctions: ReturnType<typeof createLocalStepFunctions>;
  /** The local EventBridge: status events and MediaLive's events, streamed at GET /events. */
  events: LocalEventBridge;
  isPublishing(app: string, name: string): boolean;
  close(): Promise<void>;
}

/** The environment as the user gave it, before any local stack set its own endpoints. */
const USER_ENV: Readonly<Record<string, string | undefined>> = { ...process.env };

export const DEFAULT_PORTS = {
  dynamodb: 4567,
  s3: 4568,
  sfn: 4569,
  media: 4570,
  events: 4571,
  scheduler: 4572,
  rtmp: 1935,
  origin: 8080,
  cdn: 8081,
};
export const LOCAL_EVENT_BUS = 'live-streams';
export const LOCAL_SCHEDULE_GROUP = 'live-streams';
export const LOCAL_DISTRIBUTION_ID = 'ELOCALLIVE0001';
const REGION = 'us-east-1';

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const log = options.log ?? ((line: string) => console.log(line));
  const tableName = options.tableName ?? 'live-streams';
  const archiveBucket = options.archiveBucket ?? 'live-archive';
  const dataDir = path.resolve(options.dataDir);
  // Owner only: it holds the key pair, stream keys and every recording.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const credentials = options.credentials ?? localCredentials(dataDir);
  const closers: Array<() => Promise<void>> = [];
  const userEndpoint = (service: string) => USER_ENV[`AWS_ENDPOINT_URL_${service}`];

  // The local key pair, whatever the shell has: local mode must never sign with (or reach) a real
  // account, and its endpoints accept only this pair.
  process.env.AWS_REGION ??= REGION;
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const region = process.env.AWS_REGION;

  try {
    // DynamoDB and S3, behind the same signature and Host checks as the other endpoints.
    const serving = { host, credentials, log };
    let dynamodbUrl = userEndpoint('DYNAMODB');
    if (!dynamodbUrl) {
      mkdirSync(path.join(dataDir, 'dynamodb'), { recursive: true });
      const served = await serveDynalite({
        ...serving,
        port: ports.dynamodb,
        path: path.join(dataDir, 'dynamodb'),
      });
      closers.push(served.close);
      dynamodbUrl = served.url;
    }
    const dynamo = new DynamoDBClient({ endpoint: dynamodbUrl, region });
    await ensureTable(dynamo, tableName);
    dynamo.destroy();

    let s3Url = userEndpoint('S3');
    if (!s3Url) {
      const served = await serveS3rver({
        ...serving,
        port: ports.s3,
        directory: path.join(dataDir, 's3'),
        buckets: [archiveBucket],
      });
      closers.push(served.close);
      s3Url = served.url;
    }
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
      log: (message) => log(`[events] ${message}`),
    });
    const eventsServed = await serveAws(events.api, { ...serving, port: ports.events });
    closers.push(() => events.close(), eventsServed.close);
    const eventsUrl = eventsServed.url;
    // MediaLive's own events, as it sends them to EventBridge (best effort).
    const publishMediaLive = (detailType: string, channelArn: string, detail: Record<string, string>) => {
      try {
        events.publish({
          source: 'aws.medialive',
          detailType,
          detail: { channel_arn: channelArn, ...detail },
          resources: [channelArn],
        });
      } catch (error) {
        log(`[events] could not publish ${detailType}: ${String(error)}`);
      }
    };

    // Media plane first (its ports go into the control plane's URLs), with a view bound below.
    let view: ControlPlaneView | undefined;
    const lazyView: ControlPlaneView = {
      findInputByStreamName: (app, name) => view?.findInputByStreamName(app, name),
      findRunningChannelForInput: (id) => view?.findRunningChannelForInput(id),
      getPackageChannel: (id) => view?.getPackageChannel(id),
      findEndpointByHash: (hash) => view?.findEndpointByHash(hash),
      cdnServes: (hash) => view?.cdnServes(hash) ?? false,
    };
    const plane = createMediaPlane({
      dataDir,
      rtmpPort: ports.rtmp,
      host,
      originPort: ports.origin,
      cdnPort: ports.cdn,
      s3,
      view: lazyView,
      ...(options.x264Preset ? { x264Preset: options.x264Preset } : {}),
      logger: (line) => log(`[media] ${line}`),
      // MediaLive's input-loss alert, as a running channel raises it when its RTMP input goes away.
      onInputChange: ({ channelArn, pipeline, lost }) =>
        publishMediaLive('MediaLive Channel Alert', channelArn, {
          alarm_state: lost ? 'SET' : 'CLEARED',
          alarm_id: `${channelArn}:input:${pipeline}`,
          alert_type: 'Video Not Detected',
          pipeline: String(pipeline),
          message: lost ? 'RTMP input disconnected' : 'RTMP input connected',
        }),
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
      log: (message, details) => log(`[media-control] ${message} ${details ? JSON.stringify(details) : ''}`),
      // MediaLive's events, one per pipeline, as it sends them to EventBridge (best effort).
      onChannelStateChange: ({ channelArn, state, pipelines }) => {
        for (let pipeline = 0; pipeline < pipelines; pipeline++) {
          publishMediaLive('MediaLive Channel State Change', channelArn, {
            state,
            pipeline: String(pipeline),
            message: `Channel is ${state}`,
          });
        }
      },
    });
    view = control.view;
    const media = await serveAws(control.api, { ...serving, port: ports.media });
    closers.push(() => control.close(), media.close);
    const mediaUrl = userEndpoint('MEDIALIVE') ?? media.url;

    const securityGroupId = await ensureInputSecurityGroup(
      new MediaLiveClient({ endpoint: mediaUrl, region }),
    );

    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
      AWS_ENDPOINT_URL_S3: s3Url,
      AWS_ENDPOINT_URL_MEDIALIVE: mediaUrl,
      AWS_ENDPOINT_URL_MEDIAPACKAGE: userEndpoint('MEDIAPACKAGE') ?? media.url,
      AWS_ENDPOINT_URL_CLOUDFRONT: userEndpoint('CLOUDFRONT') ?? media.url,
      S3_FORCE_PATH_STYLE: 'true',
      TABLE_NAME: tableName,
      ARCHIVE_BUCKET: archiveBucket,
      INPUT_SECURITY_GROUP_ID: securityGroupId,
      MEDIALIVE_ROLE_ARN: `arn:aws:iam::000000000000:role/local-medialive`,
      LIVE_DISTRIBUTION_ID: LOCAL_DISTRIBUTION_ID,
      LIVE_BASE_URL: urls.cdnUrl,
      LIVE_CACHE_POLICY_ID: 'local-mediapackage-cache-policy',
      POLL_INTERVAL_MS: String(options.pollIntervalMs ?? 250),
      POLL_BUDGET_MS: '20000',
      CLOUDFRONT_ENABLED: 'true',
      ENCRYPTION_ENABLED: 'false',
      AWS_ENDPOINT_URL_EVENTBRIDGE: userEndpoint('EVENTBRIDGE') ?? eventsUrl,
      EVENT_BUS_NAME: LOCAL_EVENT_BUS,
      SCHEDULE_GROUP: LOCAL_SCHEDULE_GROUP,
      SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/local-scheduler',
      DEFAULT_MAX_DURATION_SECONDS: process.env.DEFAULT_MAX_DURATION_SECONDS ?? '43200',
    };

    // Step Functions: the app's own definitions, the real task modules in-process.
    const rendered = await renderWorkflowsCached();
    const handlers = new Map<string, Promise<(input: unknown) => Promise<unknown>>>();
    const stepFunctions = createLocalStepFunctions({
      dataDir: path.join(dataDir, 'stepfunctions'),
      stateMachines: rendered.machines,
      region,
      ...(options.waitTimeScale !== undefined ? { waitTimeScale: options.waitTimeScale } : {}),
      invokeLambda: async (functionArn, payload) => {
        const task = rendered.tasks.get(functionArn);
        if (!task) throw new Error(`no local task for ${functionArn}`);
        let handler = handlers.get(task);
        if (!handler) {
          const load = TASK_MODULES[task];
          if (!load) throw new Error(`no task module ${task}`);
          handler = load().then((m) => m.handler as (input: unknown) => Promise<unknown>);
          handlers.set(task, handler);
        }
        return (await handler)(payload);
      },
    });
    let sfnUrl = userEndpoint('SFN');
    if (!sfnUrl) {
      const served = await serveAws(stepFunctions.api, { ...serving, port: ports.sfn });
      closers.push(() => stepFunctions.close(), served.close);
      sfnUrl = served.url;
    }
    env.AWS_ENDPOINT_URL_SFN = sfnUrl;
    for (const machine of rendered.machines) {
      const workflow = Object.values((await import('../../core/workflows.js')).WORKFLOWS).find(
        (w) => w.machineName === machine.name,
      );
      if (workflow) env[workflow.env] = machine.arn;
      if (machine.name === 'SplitArchive') env.SPLIT_ARCHIVE_STATE_MACHINE_ARN = machine.arn;
    }
    // EventBridge Scheduler: fires one-time schedules by starting the machines, as on AWS.
    const sfnClient = new SFNClient({ endpoint: sfnUrl, region, disableHostPrefix: true });
    let schedulerUrl = userEndpoint('SCHEDULER');
    if (!schedulerUrl) {
      const scheduler = createLocalScheduler({
        dataDir: path.join(dataDir, 'scheduler'),
        region,
        startExecution: async (stateMachineArn, input) => {
          await sfnClient.send(new StartExecutionCommand({ stateMachineArn, input }));
        },
        log: (message) => log(`[scheduler] ${message}`),
      });
      const served = await serveAws(scheduler.api, { ...serving, port: ports.scheduler });
      closers.push(() => scheduler.close(), served.close);
      schedulerUrl = served.url;
    }
    env.AWS_ENDPOINT_URL_SCHEDULER = schedulerUrl;
    await ensureScheduleGroup(new SchedulerClient({ endpoint: schedulerUrl, region }), LOCAL_SCHEDULE_GROUP);
    Object.assign(process.env, env);

    // The drift rule: MediaLive's channel events to the same handler as on AWS.
    const channelEvents = TASK_MODULES['channel-events'];
    if (channelEvents) {
      events.subscribe(
        (event) =>
          event.source === 'aws.medialive' &&
          ['MediaLive Channel State Change', 'MediaLive Channel Alert'].includes(event['detail-type']),
        async (event) => {
          const { handler } = await channelEvents();
          await (handler as (input: unknown) => Promise<unknown>)(event);
        },
      );
    }

    return {
      endpoints: {
        dynamodb: dynamodbUrl,
        s3: s3Url,
        stepfunctions: sfnUrl,
        medialive: mediaUrl,
        mediapackage: env.AWS_ENDPOINT_URL_MEDIAPACKAGE as string,
        cloudfront: env.AWS_ENDPOINT_URL_CLOUDFRONT as string,
        rtmp: urls.rtmpUrl,
        hls: urls.originUrl,
        cdn: urls.cdnUrl,
        eventbridge: env.AWS_ENDPOINT_URL_EVENTBRIDGE as string,
        scheduler: schedulerUrl,
      },
      tableName,
      archiveBucket,
      region,
      credentials,
      env,
      stepFunctions,
      events,
      isPublishing: (app, name) => plane.isPublishing(app, name),
      close: async () => {
        for (const key of Object.keys(env)) {
          if (process.env[key] === env[key]) {
            if (USER_ENV[key] === undefined) delete process.env[key];
            else process.env[key] = USER_ENV[key];
          }
        }
        for (const close of closers.reverse())
          await close().catch((e: unknown) => log(`close failed: ${String(e)}`));
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function ensureScheduleGroup(scheduler: SchedulerClient, name: string): Promise<void> {
  try {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
  } finally {
    scheduler.destroy();
  }
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  }
}

/** The CDK app creates the input security group on AWS; locally, one allowing loopback. */
async function ensureInputSecurityGroup(medialive: MediaLiveClient): Promise<string> {
  const existing = await medialive.send(new ListInputSecurityGroupsCommand({}));
  const found = existing.InputSecurityGroups?.find((g) => g.Tags?.purpose === 'local-rtmp');
  if (found?.Id) return found.Id;
  const created = await medialive.send(
    new CreateInputSecurityGroupCommand({
      WhitelistRules: [{ Cidr: '127.0.0.1/32' }],
      Tags: { purpose: 'local-rtmp' },
    }),
  );
  if (!created.SecurityGroup?.Id) throw new Error('local MediaLive created no input security group');
  medialive.destroy();
  return created.SecurityGroup.Id;
}
