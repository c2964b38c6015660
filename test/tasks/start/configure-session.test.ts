import {
  ConflictException,
  DescribeChannelCommand,
  UpdateChannelCommand,
  type UpdateChannelCommandInput,
} from '@aws-sdk/client-medialive';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArchivePath } from '../../../core/archive-naming.js';
import { ChannelNotIdle, InvalidRequest, MissingResource } from '../../../core/errors.js';
import { configureSession } from '../../../tasks/start/configure-session.js';
import { anIdleStream } from '../../support/builders.js';
import {
  ARCHIVE_BUCKET,
  inputsOf,
  modelProblems,
  newMediaLive,
  ROLE_ARN,
  type StoreFixture,
  startStore,
} from '../task-harness.js';

let fx: StoreFixture;
const medialive = newMediaLive();
const ml = mockClient(medialive);
const s3 = new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const s3Mock = mockClient(s3);

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());
beforeEach(() => {
  ml.reset();
  s3Mock.reset();
  s3Mock.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
  ml.on(DescribeChannelCommand).resolves({ Id: '1234567', State: 'IDLE' });
  ml.on(UpdateChannelCommand).resolves({ Channel: { Id: '1234567', State: 'UPDATING' } });
});

const AT = new Date('2026-03-04T05:06:07.000Z');
const EPOCH = Math.floor(AT.getTime() / 1000);
const deps = () => ({
  medialive,
  s3,
  store: fx.store,
  roleArn: ROLE_ARN,
  archiveBucket: ARCHIVE_BUCKET,
  now: () => AT,
});
const input = (streamId: string, options: { path?: string } = {}) => ({
  stream_id: streamId,
  options,
  requested_at: AT.toISOString(),
});

function archiveSettings(sent: UpdateChannelCommandInput | undefined) {
  return sent?.Destinations?.find((d) => d.Id === 'archive')?.Settings;
}

describe('configureSession', () => {
  it("refuses another session's prefix, of this stream or another, even when nothing was written yet", async () => {
    const first = await fx.seed(anIdleStream());
    const second = await fx.seed(anIdleStream());
    await configureSession(deps(), { ...input(first.id, { path: 'shared/event' }), execution_name: 'run-1' });

    for (const [streamId, execution] of [
      [second.id, 'run-2'],
      [first.id, 'run-3'],
    ] as const) {
      const taken = configureSession(deps(), {
        ...input(streamId, { path: 'shared/event' }),
        execution_name: execution,
      });
      await expect(taken).rejects.toThrow(InvalidArchivePath);
      await expect(taken).rejects.toThrow(/another recording session/);
    }
    expect(ml).toHaveReceivedCommandTimes(UpdateChannelCommand, 1);
  });

  it('lets a retried step of the same run keep its prefix', async () => {
    const record = await fx.seed(anIdleStream());
    const retry = { ...input(record.id, { path: 'retried/prefix' }), execution_name: 'run-9' };

    await configureSession(deps(), retry);
    await expect(configureSession(deps(), retry)).resolves.toMatchObject({ prefix: 'retried/prefix' });
  });

  it('refuses a path that already holds objects (another archive, uploads), before touching the channel', async () => {
    const record = await fx.seed(anIdleStream());
    s3Mock.on(ListObjectsV2Command).resolves({ KeyCount: 1, Contents: [{ Key: 'old/index.m3u8' }] });

    await expect(
      configureSession(deps(), { ...input(record.id, { path: 'old' }), execution_name: 'run-1' }),
    ).rejects.toThrow(/already holds objects/);
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: ARCHIVE_BUCKET,
      Prefix: 'old/',
      MaxKeys: 1,
    });
    expect(ml).toHaveReceivedCommandTimes(UpdateChannelCommand, 0);
  });

  it("points a STANDARD channel's two archive pipelines at the session's default prefix, with RoleArn", async () => {
    const record = await fx.seed(anIdleStream({ channel_class: 'STANDARD' }));

    const session = await configureSession(deps(), input(record.id));

    const prefix = `2026/03/04/${record.id}-${EPOCH}`;
    expect(session).toEqual({
      id: expect.stringMatching(/^[0-9A-F]{16}$/),
      prefix,
      uri: `s3://${ARCHIVE_BUCKET}/${prefix}`,
      segment_length: record.segment_length,
      channel_class: 'STANDARD',
    });
    expect(inputsOf(ml, DescribeChannelCommand)).toEqual([{ ChannelId: '1234567' }]);
    expect(ml).toHaveReceivedCommandTimes(UpdateChannelCommand, 1);
    expect(ml).toHaveReceivedCommandWith(UpdateChannelCommand, { ChannelId: '1234567', RoleArn: ROLE_ARN });
    const [sent] = inputsOf(ml, UpdateChannelCommand);
    expect(archiveSettings(sent)).toEqual([
      { Url: `s3ssl://${ARCHIVE_BUCKET}/${prefix}/_1/archive` },
      { Url: `s3ssl://${ARCHIVE_BUCKET}/${prefix}/_2/archive` },
    ]);
    expect(modelProblems('medialive', 'UpdateChannel', sent)).toBe('');
  });

  it('archives a SINGLE_PIPELINE channel to one destination', async () => {
    const record = await fx.seed(anIdleStream({ channel_class: 'SINGLE_PIPELINE' }));

    const session = await configureSession(deps(), input(record.id));

    expect(ml).toHaveReceivedCommandWith(UpdateChannelCommand, { RoleArn: ROLE_ARN });
    expect(archiveSettings(inputsOf(ml, UpdateChannelCommand)[0])).toEqual([
      { Url: `s3ssl://${ARCHIVE_BUCKET}/${session.prefix}/_1/archive` },
    ]);
    expect(session.channel_class).toBe('SINGLE_PIPELINE');
  });

  it('uses the path given on start, without its trailing slash', async () => {
    const record = await fx.seed(anIdleStream());

    const session = await configureSession(deps(), input(record.id, { path: 'events/2026/keynote/' }));

    expect(session.prefix).toBe('events/2026/keynote');
    expect(session.uri).toBe(`s3://${ARCHIVE_BUCKET}/events/2026/keynote`);
    expect(archiveSettings(inputsOf(ml, UpdateChannelCommand)[0])).toEqual([
      { Url: `s3ssl://${ARCHIVE_BUCKET}/events/2026/keynote/_1/archive` },
      { Url: `s3ssl://${ARCHIVE_BUCKET}/events/2026/keynote/_2/archive` },
    ]);
  });

  it('refuses an unsafe path with a 400-class error before touching the channel', async () => {
    const record = await fx.seed(anIdleStream());

    const run = configureSession(deps(), input(record.id, { path: '../other-stream' }));

    await expect(run).rejects.toThrow(InvalidArchivePath);
    await expect(run).rejects.toThrow(InvalidRequest);
    expect(ml).toHaveReceivedCommandTimes(UpdateChannelCommand, 0);
  });

  it("archives with the stream's current segment length (changed since create)", async () => {
    const record = await fx.seed(anIdleStream({ segment_length: 10 }));

    const session = await configureSession(deps(), input(record.id));

    const [sent] = inputsOf(ml, UpdateChannelCommand);
    const archive = sent?.EncoderSettings?.OutputGroups?.find((g) => g.Name === 'archive');
    expect(archive?.OutputGroupSettings?.ArchiveGroupSettings?.RolloverInterval).toBe(10);
    expect(session.segment_length).toBe(10);
  });

  it('gives every session its own id', async () => {
    const record = await fx.seed(anIdleStream());

    const a = await configureSession(deps(), input(record.id));
    const b = await configureSession(deps(), input(record.id));

    expect(a.id).not.toBe(b.id);
  });

  it('throws ChannelNotIdle and does not update a channel that is not IDLE', async () => {
    const record = await fx.seed(anIdleStream());
    ml.on(DescribeChannelCommand).resolves({ Id: '1234567', State: 'RUNNING' });

    await expect(configureSession(deps(), input(record.id))).rejects.toThrow(ChannelNotIdle);
    expect(ml).toHaveReceivedCommandTimes(UpdateChannelCommand, 0);
  });

  it('turns a ConflictException from UpdateChannel into ChannelNotIdle (the machine waits and retries)', async () => {
    const record = await fx.seed(anIdleStream());
    ml.on(UpdateChannelCommand).rejects(new ConflictException({ message: 'channel busy', $metadata: {} }));

    await expect(configureSession(deps(), input(record.id))).rejects.toThrow(ChannelNotIdle);
  });

  it('throws MissingResource for a stream without a channel', async () => {
    const record = await fx.seed(anIdleStream({ live_channel_id: null }));

    await expect(configureSession(deps(), input(record.id))).rejects.toThrow(MissingResource);
    expect(ml).not.toHaveReceivedAnyCommand();
  });
});
