/**
 * What every task Lambda shares: clients built once per module (lazily, so a test can import a
 * task's logic without its environment), the stream store, and a logger with the stream id.
 *
 * Each task file exports its logic as a function taking its dependencies, and `handler`, the wiring.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { MediaPackageClient } from '@aws-sdk/client-mediapackage';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '../core/env.js';
import { EventBridgeStatusPublisher } from '../core/status-events.js';
import { StreamSchedules } from '../core/stream-schedules.js';
import { StreamStore } from '../core/stream-store.js';

export const logger = new Logger({ serviceName: 'live-streaming-tasks' });

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

export const clients = {
  medialive: once(() => new MediaLiveClient({})),
  mediapackage: once(() => new MediaPackageClient({})),
  cloudfront: once(() => new CloudFrontClient({})),
  // s3rver (local mode) stores streamed uploads with default checksums corrupted; AWS accepts both.
  s3: once(
    () =>
      new S3Client({
        requestChecksumCalculation: 'WHEN_REQUIRED',
        forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
      }),
  ),
  store: once(() => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const bus = process.env.EVENT_BUS_NAME;
    const events = bus
      ? new EventBridgeStatusPublisher(new EventBridgeClient({}), bus, (error, detail) =>
          logger.error('could not publish a status event', { error: error as Error, status: detail.status }),
        )
      : undefined;
    return new StreamStore(doc, requireEnv('TABLE_NAME'), undefined, events);
  }),
  /** Undefined when the deployment has no schedule group (never on AWS; possible in unit setups). */
  schedules: once(() => {
    const groupName = process.env.SCHEDULE_GROUP;
    if (!groupName) return undefined;
    // Tasks that only remove schedules get just the group (a stop machine's own task cannot name
    // the stop machine: that would be a dependency cycle); `set` checks what it needs.
    return new StreamSchedules(new SchedulerClient({}), {
      groupName,
      roleArn: process.env.SCHEDULER_ROLE_ARN ?? '',
      startStateMachineArn: process.env.START_STREAM_STATE_MACHINE_ARN ?? '',
      stopStateMachineArn: process.env.STOP_STREAM_STATE_MACHINE_ARN ?? '',
    });
  }),
};

/** Settings of the deployment, read when first needed and checked. */
export const settings = {
  mediaLiveRoleArn: () => requireEnv('MEDIALIVE_ROLE_ARN'),
  inputSecurityGroupId: () => requireEnv('INPUT_SECURITY_GROUP_ID'),
  archiveBucket: () => requireEnv('ARCHIVE_BUCKET'),
  /** Unset when the deployment has no live distribution. */
  liveDistribution: (): { id: string; baseUrl: string; cachePolicyId: string } | undefined => {
    const id = process.env.LIVE_DISTRIBUTION_ID;
    if (!id) return undefined;
    return { id, baseUrl: requireEnv('LIVE_BASE_URL'), cachePolicyId: requireEnv('LIVE_CACHE_POLICY_ID') };
  },
  /** Unset when the deployment has no SPEKE key provider. */
  speke: (): { url: string; roleArn: string; systemIds: string[] } | undefined => {
    const url = process.env.SPEKE_URL;
    if (!url) return undefined;
    return {
      url,
      roleArn: requireEnv('SPEKE_ROLE_ARN'),
      systemIds: (process.env.SPEKE_SYSTEM_IDS ?? '81376844-f976-481e-a84e-cc25d39b0b33').split(','),
    };
  },
  /** How often a wait task asks MediaLive, and for how long one invocation keeps asking. */
  pollIntervalMs: () => Number(process.env.POLL_INTERVAL_MS ?? '1000'),
  pollBudgetMs: () => Number(process.env.POLL_BUDGET_MS ?? '20000'),
};

/** Wraps a task's logic as a Lambda handler that logs with the stream id. */
export function taskHandler<I extends { stream_id?: string }, O>(
  name: string,
  run: (input: I, log: Logger) => Promise<O>,
): (input: I) => Promise<O> {
  return async (input: I) => {
    // A logger of its own per invocation: local mode runs tasks concurrently in one process, where
    // keys appended to the shared logger would leak onto another task's lines.
    const log = logger.createChild({ persistentKeys: { task: name, stream_id: input?.stream_id } });
    try {
      return await run(input, log);
    } catch (error) {
      log.warn('task failed', {
        error: { name: (error as Error).name, message: (error as Error).message },
      });
      throw error;
    }
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
