/**
 * Lambda wiring of the API: reads and checks the environment, builds clients once, hands them over.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { observed } from '../core/aws-call-observer.js';
import { EventBridgeClipPublisher } from '../core/clip-events.js';
import { ClipStore } from '../core/clip-store.js';
import { requireEnv } from '../core/env.js';
import { EventBridgeStatusPublisher } from '../core/status-events.js';
import type { LifecycleAction } from '../core/stream.js';
import { StreamStore } from '../core/stream-store.js';
import { EXPORT_WORKFLOW, SPLIT_WORKFLOW, WORKFLOWS } from '../core/workflows.js';
import { createApi } from './app.js';
import { DynamoIdempotencyStore } from './idempotency.js';
import { lazyArchive, lazySchedules, once } from './lazy.js';
import { JsonLogger } from './logger.js';
import { SfnWorkflowStarter } from './workflow-starter.js';

const tableName = requireEnv('TABLE_NAME');
const machines = Object.fromEntries(
  Object.entries(WORKFLOWS).map(([action, w]) => [action, requireEnv(w.env)]),
) as Record<LifecycleAction, string>;

const doc = DynamoDBDocumentClient.from(observed(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
const logger = new JsonLogger('live-streaming-api');

const bus = process.env.EVENT_BUS_NAME;
const events = bus
  ? new EventBridgeStatusPublisher(observed(new EventBridgeClient({})), bus, (error, detail) =>
      logger.error('could not publish a status event', {
        error: error,
        status: 'status' in detail ? detail.status : detail.input,
      }),
    )
  : undefined;
const scheduleGroup = process.env.SCHEDULE_GROUP;
// Read here, not in the lazy loader below: a missing role fails the cold start, not a first schedule.
const schedulerRoleArn = scheduleGroup ? requireEnv('SCHEDULER_ROLE_ARN') : undefined;
const clipEvents = bus
  ? new EventBridgeClipPublisher(observed(new EventBridgeClient({})), bus, (error) =>
      logger.error('could not publish a clip event', { error: error }),
    )
  : undefined;
const archiveBucket = process.env.ARCHIVE_BUCKET;

export const handler = createApi({
  store: new StreamStore(doc, tableName, undefined, events),
  schedules:
    scheduleGroup && schedulerRoleArn
      ? lazySchedules(async () =>
          (await import('./schedules-client.js')).streamSchedules({
            groupName: scheduleGroup,
            roleArn: schedulerRoleArn,
            startStateMachineArn: machines.start,
            stopStateMachineArn: machines.stop,
          }),
        )
      : undefined,
  workflows: new SfnWorkflowStarter(
    // StartSyncExecution goes to the `sync-states` host; with a custom endpoint (local mode, another
    // emulator) that prefix would make a host that does not exist.
    observed(new SFNClient({ disableHostPrefix: process.env.AWS_ENDPOINT_URL_SFN !== undefined })),
    machines,
    requireEnv(SPLIT_WORKFLOW.env),
    process.env[EXPORT_WORKFLOW.env],
  ),
  clips: new ClipStore(doc, tableName, undefined, clipEvents),
  archive: archiveBucket
    ? lazyArchive(archiveBucket, async () =>
        (await import('./archive-client.js')).archiveAccess(archiveBucket),
      )
    : undefined,
  idempotency: new DynamoIdempotencyStore(doc, tableName),
  media: once(async () => (await import('./media-readers.js')).mediaReaders()),
  logger,
  config: {
    cloudfront: requireEnv('CLOUDFRONT_ENABLED') === 'true',
    encryption: requireEnv('ENCRYPTION_ENABLED') === 'true',
    defaultMaxDurationSeconds: Number(process.env.DEFAULT_MAX_DURATION_SECONDS ?? '') || null,
    corsOrigin: process.env.CORS_ALLOW_ORIGIN || undefined,
  },
});
