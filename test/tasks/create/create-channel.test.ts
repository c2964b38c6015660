import {
  ConflictException,
  CreateChannelCommand,
  type CreateChannelCommandInput,
  DescribeChannelCommand,
  NotFoundException,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCreateChannelInput } from '../../../core/encoder-profile.js';
import { MissingResource } from '../../../core/errors.js';
import { createChannel } from '../../../tasks/create/create-channel.js';
import { aStream } from '../../support/builders.js';
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

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());
beforeEach(() => ml.reset());

const deps = () => ({ medialive, store: fx.store, roleArn: ROLE_ARN, archiveBucket: ARCHIVE_BUCKET });
const ready = (overrides: Parameters<typeof aStream>[0] = {}) =>
  aStream({ live_input_id: '7654321', package_channel_id: 'pkg-channel', ...overrides });

function archiveGroup(input: CreateChannelCommandInput | undefined) {
  return input?.EncoderSettings?.OutputGroups?.find((g) => g.OutputGroupSettings?.ArchiveGroupSettings)
    ?.OutputGroupSettings?.ArchiveGroupSettings;
}

describe('createChannel', () => {
  it('creates a STANDARD channel with the role, the input, MediaPackage, two archive pipelines and an idempotency token', async () => {
    const record = await fx.seed(ready({ channel_class: 'STANDARD', segment_length: 120 }));
    ml.on(CreateChannelCommand).resolves({ Channel: { Id: '9999999', State: 'CREATING' } });

    const out = await createChannel(deps(), { stream_id: record.id });

    expect(out).toEqual({ live_channel_id: '9999999' });
    expect(ml).toHaveReceivedCommandTimes(CreateChannelCommand, 1);
    const [sent] = inputsOf(ml, CreateChannelCommand);
    expect(sent).toMatchObject({
      Name: `live-${record.id}`,
      ChannelClass: 'STANDARD',
      RoleArn: ROLE_ARN,
      RequestId: `${record.id}-channel`,
      Tags: { stream_id: record.id },
      InputAttachments: [expect.objectContaining({ InputId: '7654321' })],
      Destinations: [
        { Id: 'mediapackage', MediaPackageSettings: [{ ChannelId: 'pkg-channel' }] },
        {
          Id: 'archive',
          Settings: [
            { Url: `s3ssl://${ARCHIVE_BUCKET}/unstarted/${record.id}/_1/archive` },
            { Url: `s3ssl://${ARCHIVE_BUCKET}/unstarted/${record.id}/_2/archive` },
          ],
        },
      ],
    });
    expect(archiveGroup(sent)?.RolloverInterval).toBe(120);
    // The whole request is the encoder profile's, plus the token.
    expect(sent).toEqual({
      ...buildCreateChannelInput({
        name: `live-${record.id}`,
        channelClass: 'STANDARD',
        inputId: '7654321',
        roleArn: ROLE_ARN,
        packageChannelId: 'pkg-channel',
        segmentLength: 120,
        archiveUrls: [
          `s3ssl://${ARCHIVE_BUCKET}/unstarted/${record.id}/_1/archive`,
          `s3ssl://${ARCHIVE_BUCKET}/unstarted/${record.id}/_2/archive`,
        ],
        tags: { stream_id: record.id },
      }),
      RequestId: `${record.id}-channel`,
    });
    expect(modelProblems('medialive', 'CreateChannel', sent)).toBe('');
    expect((await fx.store.get(record.id)).live_channel_id).toBe('9999999');
  });

  it('creates a SINGLE_PIPELINE channel with one archive destination', async () => {
    const record = await fx.seed(ready({ channel_class: 'SINGLE_PIPELINE' }));
    ml.on(CreateChannelCommand).resolves({ Channel: { Id: '8888888' } });

    await createChannel(deps(), { stream_id: record.id });

    const [sent] = inputsOf(ml, CreateChannelCommand);
    expect(sent?.ChannelClass).toBe('SINGLE_PIPELINE');
    expect(sent?.Destinations?.find((d) => d.Id === 'archive')?.Settings).toEqual([
      { Url: `s3ssl://${ARCHIVE_BUCKET}/unstarted/${record.id}/_1/archive` },
    ]);
    expect(modelProblems('medialive', 'CreateChannel', sent)).toBe('');
  });

  it('on a retried step describes the channel it already created instead of creating another', async () => {
    const record = await fx.seed(ready({ live_channel_id: '5555555' }));
    ml.on(DescribeChannelCommand).resolves({ Id: '5555555', State: 'IDLE' });

    expect(await createChannel(deps(), { stream_id: record.id })).toEqual({ live_channel_id: '5555555' });
    expect(inputsOf(ml, DescribeChannelCommand)).toEqual([{ ChannelId: '5555555' }]);
    expect(ml).toHaveReceivedCommandTimes(CreateChannelCommand, 0);
  });

  it('lets a NotFound of the recorded channel through (it was deleted behind our back)', async () => {
    const record = await fx.seed(ready({ live_channel_id: '5555555' }));
    ml.on(DescribeChannelCommand).rejects(new NotFoundException({ message: 'no channel', $metadata: {} }));

    await expect(createChannel(deps(), { stream_id: record.id })).rejects.toThrow(NotFoundException);
  });

  it('throws MissingResource without an input, calling nothing', async () => {
    const record = await fx.seed(ready({ live_input_id: null }));

    await expect(createChannel(deps(), { stream_id: record.id })).rejects.toThrow(MissingResource);
    expect(ml).not.toHaveReceivedAnyCommand();
  });

  it('throws MissingResource without a MediaPackage channel, calling nothing', async () => {
    const record = await fx.seed(ready({ package_channel_id: null }));

    await expect(createChannel(deps(), { stream_id: record.id })).rejects.toThrow(MissingResource);
    expect(ml).not.toHaveReceivedAnyCommand();
  });

  it('fails when MediaLive answers without a channel id, writing nothing', async () => {
    const record = await fx.seed(ready());
    ml.on(CreateChannelCommand).resolves({ Channel: {} });

    await expect(createChannel(deps(), { stream_id: record.id })).rejects.toThrow(/without a channel id/);
    expect((await fx.store.get(record.id)).live_channel_id).toBeNull();
  });

  it('lets a MediaLive refusal through under its own name', async () => {
    const record = await fx.seed(ready());
    ml.on(CreateChannelCommand).rejects(new ConflictException({ message: 'input in use', $metadata: {} }));

    await expect(createChannel(deps(), { stream_id: record.id })).rejects.toThrow(ConflictException);
  });
});
