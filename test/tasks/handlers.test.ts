/**
 * The wiring of each task Lambda (`handler`): settings read from the environment and checked, clients
 * built by the runtime. The clients' classes are mocked, so whatever instance a handler builds never
 * leaves the machine; the store is the real one, pointed at dynalite by AWS_ENDPOINT_URL_DYNAMODB.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  CreateInputCommand,
  DescribeChannelCommand,
  MediaLiveClient,
  StartChannelCommand,
} from '@aws-sdk/client-medialive';
import { CreateOriginEndpointCommand, MediaPackageClient } from '@aws-sdk/client-mediapackage';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeatureNotConfigured } from '../../core/errors.js';
import { FUNCTION_NAMES, FUNCTIONS } from '../../infra/functions.js';
import { anIdleStream, aStream } from '../support/builders.js';
import { TEST_CREDENTIALS } from '../support/dynalite.js';
import { type StoreFixture, startStore } from './task-harness.js';

let fx: StoreFixture;
const ml = mockClient(MediaLiveClient);
const mp = mockClient(MediaPackageClient);
const cf = mockClient(CloudFrontClient);
const s3 = mockClient(S3Client);

beforeAll(async () => {
  fx = await startStore('streams-handlers');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', fx.db.endpoint);
  vi.stubEnv('TABLE_NAME', fx.db.tableName);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fx.close();
});
beforeEach(() => {
  for (const stub of [ml, mp, cf, s3]) stub.reset();
});

describe('task handlers', () => {
  it('start-channel starts the channel recorded in the table the environment names', async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING', live_channel_id: '4242424' }));
    ml.on(StartChannelCommand).resolves({ State: 'STARTING' });
    const { handler } = await import('../../tasks/start/start-channel.js');

    expect(await handler({ stream_id: record.id })).toEqual({ state: 'STARTING' });
    expect(ml).toHaveReceivedCommandWith(StartChannelCommand, { ChannelId: '4242424' });
  });

  it('create-input fails fast, before calling MediaLive, when INPUT_SECURITY_GROUP_ID is not set', async () => {
    const record = await fx.seed(aStream());
    vi.stubEnv('INPUT_SECURITY_GROUP_ID', '');
    const { handler } = await import('../../tasks/create/create-input.js');

    await expect(handler({ stream_id: record.id })).rejects.toThrow(
      'environment variable INPUT_SECURITY_GROUP_ID is not set',
    );
    expect(ml).toHaveReceivedCommandTimes(CreateInputCommand, 0);
  });

  it('create-origin-endpoint refuses a SPEKE URL without its role instead of creating an unencrypted endpoint', async () => {
    const record = await fx.seed(aStream({ package_channel_id: 'pkg' }));
    vi.stubEnv('SPEKE_URL', 'https://speke.example.com');
    vi.stubEnv('SPEKE_ROLE_ARN', '');
    const { handler } = await import('../../tasks/create/create-origin-endpoint.js');

    await expect(handler({ stream_id: record.id })).rejects.toThrow(
      'environment variable SPEKE_ROLE_ARN is not set',
    );
    expect(mp).toHaveReceivedCommandTimes(CreateOriginEndpointCommand, 0);
    vi.stubEnv('SPEKE_URL', '');
  });

  it('go-live answers FeatureNotConfigured when the deployment has no live distribution', async () => {
    const record = await fx.seed(anIdleStream());
    vi.stubEnv('LIVE_DISTRIBUTION_ID', '');
    const { handler } = await import('../../tasks/go-live/go-live.js');

    await expect(handler({ stream_id: record.id })).rejects.toThrow(FeatureNotConfigured);
    expect(cf).not.toHaveReceivedAnyCommand();
  });

  it('wait-for-channel polls within the POLL_BUDGET_MS the environment gives it', async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    ml.on(DescribeChannelCommand).resolves({ State: 'STARTING' });
    vi.stubEnv('POLL_INTERVAL_MS', '5');
    vi.stubEnv('POLL_BUDGET_MS', '0');
    const { handler } = await import('../../tasks/shared/wait-for-channel.js');

    const out = await handler({ stream_id: record.id, target: 'RUNNING', timeout_seconds: 600, since: null });

    expect(out).toMatchObject({ done: false, state: 'STARTING' });
    expect(ml).toHaveReceivedCommandTimes(DescribeChannelCommand, 1);
  });
});

describe('the function registry', () => {
  const root = join(import.meta.dirname, '../..');
  const handlerFiles = (dir: string): string[] =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${dir}/${f.replaceAll('\\', '/')}`)
      .filter((f) => /^export const handler\b/m.test(readFileSync(join(root, f), 'utf8')));

  it('names every module that exports a Lambda handler, and nothing else', () => {
    const withHandler = [...handlerFiles('tasks'), ...handlerFiles('api')].sort();
    expect(withHandler.length).toBeGreaterThan(20);
    expect(
      Object.values(FUNCTIONS)
        .map((spec) => spec.entry)
        .sort(),
    ).toEqual(withHandler);
  });

  it.each(FUNCTION_NAMES.filter((name) => name !== 'api'))(
    'loads %s with a handler function',
    async (name) => {
      const module = (await import(join(root, FUNCTIONS[name].entry))) as { handler?: unknown };
      expect(module.handler).toBeTypeOf('function');
    },
  );

  it('names each task after its file, in the folder of the action that owns it', () => {
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'api')) {
      expect(FUNCTIONS[name].entry, name).toMatch(new RegExp(`^tasks/[a-z-]+/${name}\\.ts$`));
    }
  });
});
