/**
 * The SDK clients of the task Lambdas, each built once per execution environment on first use
 * (lazily, so a test can import a task's logic without its environment). One export per client,
 * side-effect free: a task's bundle holds only the clients it uses (`import * as clients`).
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { MediaPackageClient } from '@aws-sdk/client-mediapackage';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { observed } from '../core/aws-call-observer.js';
import { EventBridgeClipPublisher } from '../core/clip-events.js';
import { ClipStore } from '../core/clip-store.js';
import { requireEnv } from '../core/env.js';
import { EventBridgeStatusPublisher } from '../core/status-events.js';
import { StreamSchedules } from '../core/stream-schedules.js';
import { StreamStore } from '../core/stream-store.js';
import { logger } from './runtime.js';

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

export const medialive = /* @__PURE__ */ once(() => observed(new MediaLiveClient({})));
export const mediapackage = /* @__PURE__ */ once(() => observed(new MediaPackageClient({})));
export const cloudfront = /* @__PURE__ */ once(() => observed(new CloudFrontClient({})));
export const secretsManager = /* @__PURE__ */ once(() => observed(new SecretsManagerClient({})));
// s3rver (local mode) stores streamed uploads with default checksums corrupted; AWS accepts both.
export const s3 = /* @__PURE__ */ once(() =>
  observed(
    new S3Client({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    }),
  ),
);

/** The stream store; status changes go on the bus when the function has EVENT_BUS_NAME. */
export const store = /* @__PURE__ */ once(() => {
  const doc = DynamoDBDocumentClient.from(observed(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const bus = process.env.EVENT_BUS_NAME;
  const events = bus
    ? new EventBridgeStatusPublisher(observed(new EventBridgeClient({})), bus, (error, detail) =>
        logger.error('could not publish a status event', {
          error: error as Error,
          status: 'status' in detail ? detail.status : detail.input,
        }),
      )
    : undefined;
  return new StreamStore(doc, requireEnv('TABLE_NAME'), undefined, events);
});

/** The clip records; "Clip Changed" events go on the bus when the function has EVENT_BUS_NAME. */
export const clips = /* @__PURE__ */ once(() => {
  const doc = DynamoDBDocumentClient.from(observed(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const bus = process.env.EVENT_BUS_NAME;
  const events = bus
    ? new EventBridgeClipPublisher(observed(new EventBridgeClient({})), bus, (error) =>
        logger.error('could not publish a clip event', { error: error as Error }),
      )
    : undefined;
  return new ClipStore(doc, requireEnv('TABLE_NAME'), undefined, events);
});

/** Undefined when the function has no schedule group (never on AWS; possible in unit setups). */
export const schedules = /* @__PURE__ */ once(() => {
  const groupName = process.env.SCHEDULE_GROUP;
  if (!groupName) return undefined;
  // Tasks that only remove schedules get just the group (a stop machine's own task cannot name
  // the stop machine: that would be a dependency cycle); `set` checks what it needs.
  return new StreamSchedules(observed(new SchedulerClient({})), {
    groupName,
    roleArn: process.env.SCHEDULER_ROLE_ARN ?? '',
    startStateMachineArn: process.env.START_STREAM_STATE_MACHINE_ARN ?? '',
    stopStateMachineArn: process.env.STOP_STREAM_STATE_MACHINE_ARN ?? '',
  });
});
