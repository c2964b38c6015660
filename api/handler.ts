/**
 * Lambda wiring of the API: reads and checks the environment, builds clients once, hands them over.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '../core/env.js';
import type { LifecycleAction } from '../core/stream.js';
import { StreamStore } from '../core/stream-store.js';
import { SPLIT_WORKFLOW, WORKFLOWS } from '../core/workflows.js';
import { createApi } from './app.js';
import { DynamoIdempotencyStore } from './idempotency.js';
import { SfnWorkflowStarter } from './workflow-starter.js';

const tableName = requireEnv('TABLE_NAME');
const machines = Object.fromEntries(
  Object.entries(WORKFLOWS).map(([action, w]) => [action, requireEnv(w.env)]),
) as Record<LifecycleAction, string>;

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const logger = new Logger({ serviceName: 'live-streaming-api' });

export const handler = createApi({
  store: new StreamStore(doc, tableName),
  workflows: new SfnWorkflowStarter(
    // StartSyncExecution goes to the `sync-states` host; with a custom endpoint (local mode, another
    // emulator) that prefix would make a host that does not exist.
    new SFNClient({ disableHostPrefix: process.env.AWS_ENDPOINT_URL_SFN !== undefined }),
    machines,
    requireEnv(SPLIT_WORKFLOW.env),
  ),
  idempotency: new DynamoIdempotencyStore(doc, tableName),
  logger,
  config: {
    cloudfront: requireEnv('CLOUDFRONT_ENABLED') === 'true',
    encryption: requireEnv('ENCRYPTION_ENABLED') === 'true',
    defaultMaxDurationSeconds: Number(process.env.DEFAULT_MAX_DURATION_SECONDS ?? '') || null,
  },
});
