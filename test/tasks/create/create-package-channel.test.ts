import {
  CreateChannelCommand,
  DescribeChannelCommand,
  InternalServerErrorException,
  NotFoundException,
  UnprocessableEntityException,
} from '@aws-sdk/client-mediapackage';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPackageChannel, packageChannelId } from '../../../tasks/create/create-package-channel.js';
import { aStream } from '../../support/builders.js';
import { inputsOf, modelProblems, newMediaPackage, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
const mediapackage = newMediaPackage();
const mp = mockClient(mediapackage);

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());
beforeEach(() => mp.reset());

const deps = () => ({ mediapackage, store: fx.store });

describe('createPackageChannel', () => {
  it('creates the channel under an id derived from the stream and records it', async () => {
    const record = await fx.seed(aStream({ name: 'Keynote' }));
    mp.on(CreateChannelCommand).resolves({ Id: packageChannelId(record.id) });

    const out = await createPackageChannel(deps(), { stream_id: record.id });

    expect(out).toEqual({ package_channel_id: `live-${record.id}` });
    expect(inputsOf(mp, CreateChannelCommand)).toEqual([
      { Id: `live-${record.id}`, Description: 'Keynote', Tags: { stream_id: record.id } },
    ]);
    expect((await fx.store.get(record.id)).package_channel_id).toBe(`live-${record.id}`);
    expect(modelProblems('mediapackage', 'CreateChannel', inputsOf(mp, CreateChannelCommand)[0])).toBe('');
  });

  it('cuts the description to the 200 characters MediaPackage would take from a long name', async () => {
    const record = await fx.seed(aStream({ name: 'n'.repeat(250) }));
    mp.on(CreateChannelCommand).resolves({});

    await createPackageChannel(deps(), { stream_id: record.id });

    expect(inputsOf(mp, CreateChannelCommand)[0]?.Description).toBe('n'.repeat(200));
  });

  it('adopts the channel a previous attempt created when MediaPackage answers 422 for the id', async () => {
    const record = await fx.seed(aStream());
    mp.on(CreateChannelCommand).rejects(
      new UnprocessableEntityException({ message: 'exists', $metadata: {} }),
    );
    mp.on(DescribeChannelCommand).resolves({ Id: `live-${record.id}` });

    const out = await createPackageChannel(deps(), { stream_id: record.id });

    expect(out).toEqual({ package_channel_id: `live-${record.id}` });
    expect(mp).toHaveReceivedCommandWith(DescribeChannelCommand, { Id: `live-${record.id}` });
    expect((await fx.store.get(record.id)).package_channel_id).toBe(`live-${record.id}`);
  });

  it('reports the 422 itself when no channel exists behind it (invalid parameters)', async () => {
    const record = await fx.seed(aStream());
    mp.on(CreateChannelCommand).rejects(
      new UnprocessableEntityException({ message: 'bad tags', $metadata: {} }),
    );
    mp.on(DescribeChannelCommand).rejects(
      new NotFoundException({ message: 'no such channel', $metadata: {} }),
    );

    await expect(createPackageChannel(deps(), { stream_id: record.id })).rejects.toThrow(
      UnprocessableEntityException,
    );
    expect((await fx.store.get(record.id)).package_channel_id).toBeNull();
  });

  it('does not write the record again when it already holds the channel id', async () => {
    const record = await fx.seed(
      aStream({ id: 'AAAA000000000001', package_channel_id: 'live-AAAA000000000001' }),
    );
    mp.on(CreateChannelCommand).rejects(
      new UnprocessableEntityException({ message: 'exists', $metadata: {} }),
    );
    mp.on(DescribeChannelCommand).resolves({});

    await createPackageChannel(deps(), { stream_id: record.id });

    expect((await fx.store.get(record.id)).version).toBe(record.version);
  });

  it('lets a 5xx through under its own name', async () => {
    const record = await fx.seed(aStream());
    mp.on(CreateChannelCommand).rejects(new InternalServerErrorException({ message: 'x', $metadata: {} }));

    await expect(createPackageChannel(deps(), { stream_id: record.id })).rejects.toThrow(
      InternalServerErrorException,
    );
    expect(mp).toHaveReceivedCommandTimes(DescribeChannelCommand, 0);
  });
});
