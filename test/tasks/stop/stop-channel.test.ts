import {
  type ChannelState,
  ConflictException,
  DescribeChannelCommand,
  InternalServerErrorException,
  NotFoundException,
  StopChannelCommand,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stopChannel } from '../../../tasks/stop/stop-channel.js';
import { anIdleStream, aStream } from '../../support/builders.js';
import { inputsOf, newMediaLive, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
let streamId: string;
const medialive = newMediaLive();
const ml = mockClient(medialive);

beforeAll(async () => {
  fx = await startStore();
  streamId = (await fx.seed(anIdleStream({ status: 'STOPPING' }))).id;
});
afterAll(async () => fx.close());
beforeEach(() => ml.reset());

const stop = () => stopChannel({ medialive, store: fx.store }, { stream_id: streamId });
const channelIs = (State: ChannelState) => ml.on(DescribeChannelCommand).resolves({ Id: '1234567', State });

describe('stopChannel', () => {
  it.each(['RUNNING', 'STARTING', 'RECOVERING'] as const)('stops a %s channel', async (state) => {
    channelIs(state);
    ml.on(StopChannelCommand).resolves({ Id: '1234567', State: 'STOPPING' });

    expect(await stop()).toEqual({ state: 'STOPPING' });
    expect(inputsOf(ml, DescribeChannelCommand)).toEqual([{ ChannelId: '1234567' }]);
    expect(inputsOf(ml, StopChannelCommand)).toEqual([{ ChannelId: '1234567' }]);
  });

  it('does nothing when the channel is already IDLE', async () => {
    channelIs('IDLE');

    expect(await stop()).toEqual({ state: 'IDLE' });
    expect(ml).toHaveReceivedCommandTimes(StopChannelCommand, 0);
  });

  it.each([
    'STOPPING',
    'DELETING',
    'DELETED',
    'CREATE_FAILED',
    'CREATING',
    'UPDATING',
    'UPDATE_FAILED',
  ] as const)('does not stop a channel that is %s', async (state) => {
    channelIs(state);

    expect(await stop()).toEqual({ state });
    expect(ml).toHaveReceivedCommandTimes(StopChannelCommand, 0);
  });

  it('counts a channel MediaLive no longer knows as DELETED', async () => {
    ml.on(DescribeChannelCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    expect(await stop()).toEqual({ state: 'DELETED' });
  });

  it('takes a ConflictException on StopChannel as a stop already under way', async () => {
    channelIs('RUNNING');
    ml.on(StopChannelCommand).rejects(new ConflictException({ message: 'already stopping', $metadata: {} }));

    expect(await stop()).toEqual({ state: 'STOPPING' });
  });

  it('lets a 5xx through under its own name', async () => {
    channelIs('RUNNING');
    ml.on(StopChannelCommand).rejects(new InternalServerErrorException({ message: 'oops', $metadata: {} }));

    await expect(stop()).rejects.toThrow(InternalServerErrorException);
  });

  it('does nothing for a stream that has no channel', async () => {
    const bare = await fx.seed(aStream({ status: 'FAILED', live_channel_id: null }));

    expect(await stopChannel({ medialive, store: fx.store }, { stream_id: bare.id })).toEqual({
      state: 'NONE',
    });
    expect(ml).not.toHaveReceivedAnyCommand();
  });
});
