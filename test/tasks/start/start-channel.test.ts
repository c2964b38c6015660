import {
  ConflictException,
  InternalServerErrorException,
  StartChannelCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelNotIdle, MissingResource } from '../../../core/errors.js';
import { startChannel } from '../../../tasks/start/start-channel.js';
import { anIdleStream } from '../../support/builders.js';
import { inputsOf, newMediaLive, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
const medialive = newMediaLive();
const ml = mockClient(medialive);

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());
beforeEach(() => ml.reset());

const deps = () => ({ medialive, store: fx.store });

describe('startChannel', () => {
  it("starts the stream's channel and returns MediaLive's state", async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    ml.on(StartChannelCommand).resolves({ Id: '1234567', State: 'STARTING' });

    expect(await startChannel(deps(), { stream_id: record.id })).toEqual({ state: 'STARTING' });
    expect(inputsOf(ml, StartChannelCommand)).toEqual([{ ChannelId: '1234567' }]);
  });

  it('reads STARTING when MediaLive answers without a state', async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    ml.on(StartChannelCommand).resolves({});

    expect(await startChannel(deps(), { stream_id: record.id })).toEqual({ state: 'STARTING' });
  });

  it('turns a ConflictException (channel not IDLE) into ChannelNotIdle', async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    ml.on(StartChannelCommand).rejects(
      new ConflictException({ message: 'channel is UPDATING', $metadata: {} }),
    );

    await expect(startChannel(deps(), { stream_id: record.id })).rejects.toThrow(ChannelNotIdle);
  });

  it.each([
    [
      'throttling',
      () => new TooManyRequestsException({ message: 'slow', $metadata: {} }),
      TooManyRequestsException,
    ],
    [
      'a 5xx',
      () => new InternalServerErrorException({ message: 'oops', $metadata: {} }),
      InternalServerErrorException,
    ],
  ] as const)('lets %s through under its own name', async (_, error, type) => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    ml.on(StartChannelCommand).rejects(error());

    await expect(startChannel(deps(), { stream_id: record.id })).rejects.toThrow(type);
  });

  it('throws MissingResource for a stream without a channel, calling nothing', async () => {
    const record = await fx.seed(anIdleStream({ live_channel_id: null }));

    await expect(startChannel(deps(), { stream_id: record.id })).rejects.toThrow(MissingResource);
    expect(ml).not.toHaveReceivedAnyCommand();
  });
});
