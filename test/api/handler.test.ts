import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiHandler } from '../../api/app.js';
import { SPLIT_WORKFLOW, WORKFLOWS } from '../../core/workflows.js';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS } from '../support/dynalite.js';
import { apiEvent, captureLogs, readAnswer, startExecutionOk } from './api-harness.js';

let db: LocalDynamo;
const logs = captureLogs('live-streaming-api');
const arn = (name: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;

beforeAll(async () => {
  db = await startDynalite('streams-handler');
});
afterAll(async () => {
  logs.restore();
  await db.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function stubLambdaEnv(overrides: Record<string, string | undefined> = {}): void {
  const env: Record<string, string | undefined> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    TABLE_NAME: db.tableName,
    CLOUDFRONT_ENABLED: 'false',
    ENCRYPTION_ENABLED: 'false',
    [SPLIT_WORKFLOW.env]: arn(SPLIT_WORKFLOW.machineName),
    ...Object.fromEntries(Object.values(WORKFLOWS).map((w) => [w.env, arn(w.machineName)])),
    ...overrides,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

const loadHandler = async () => (await import('../../api/handler.js')).handler as ApiHandler;

describe('api/handler.ts', () => {
  it.each(['TABLE_NAME', WORKFLOWS.start.env, SPLIT_WORKFLOW.env, 'CLOUDFRONT_ENABLED'])(
    'refuses to load without %s, naming it',
    async (missing) => {
      stubLambdaEnv({ [missing]: '' });
      await expect(loadHandler()).rejects.toThrow(`environment variable ${missing} is not set`);
    },
  );

  it('refuses to load with a schedule group but without SCHEDULER_ROLE_ARN, naming it', async () => {
    // The Scheduler client loads on the first schedule request; its settings are checked at load.
    stubLambdaEnv({ SCHEDULE_GROUP: 'live-streams', SCHEDULER_ROLE_ARN: '' });
    await expect(loadHandler()).rejects.toThrow('environment variable SCHEDULER_ROLE_ARN is not set');
  });

  it('wires the table, the machines and the deployment options from the environment', async () => {
    stubLambdaEnv();
    const sfn = mockClient(SFNClient);
    try {
      sfn.on(StartExecutionCommand).callsFake(startExecutionOk);
      const handler = await loadHandler();
      const created = readAnswer(await handler(apiEvent('POST', '/streams', { json: { name: 'Wired' } })));
      expect(created.statusCode).toBe(202);
      expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: arn('CreateStream') });

      const read = readAnswer(await handler(apiEvent('GET', `/streams/${created.body.id}`)));
      expect(read.body).toEqual(created.body);

      const live = readAnswer(
        await handler(apiEvent('POST', `/streams/${created.body.id}/live`, { json: {} })),
      );
      expect(live.body.error.code).toBe('FeatureNotConfigured');

      const encrypted = readAnswer(
        await handler(apiEvent('POST', '/streams', { json: { name: 'x', key_rotation_interval: 60 } })),
      );
      expect(encrypted.statusCode).toBe(400);
      expect(logs.lines.length).toBeGreaterThan(0);
    } finally {
      sfn.restore();
    }
  });
});
