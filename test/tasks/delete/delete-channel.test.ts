import {
  type ChannelState,
  ConflictException,
  DeleteChannelCommand,
  DescribeChannelCommand,
  ListChannelsCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelNotIdle } from '../../../core/errors.js';
import { deleteChannel } from '../../../tasks/delete/delete-channel.js';
import { anIdleStream, aStream } from '../../support/builders.js';
import { inputsOf, newMediaLive, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
let streamId: string;
const medialive = newMediaLive();
const ml = mockClient(medialive);

beforeAll(async () => {
  fx = await startStore();
  streamId = (await fx.seed(anIdleStream({ status: 'DELETING' }))).id;
});
afterAll(async () => fx.close());
beforeEach(() => ml.reset());

const remove = () => deleteChannel({ medialive, store: fx.store }, { stream_id: streamId });
const channelIs = (State: ChannelState) => ml.on(DescribeChannelCommand).resolves({ Id: '1234567', State });

describe('deleteChannel', () => {
  it.each(['IDLE', 'CREATE_FAILED', 'UPDATE_FAILED'] as const)('deletes a %s channel', async (state) => {
    channelIs(state);
    ml.on(DeleteChannelCommand).resolves({ Id: '1234567', State: 'DELETING' });

    expect(await remove()).toEqual({ state: 'DELETING' });
    expect(inputsOf(ml, DeleteChannelCommand)).toEqual([{ ChannelId: '1234567' }]);
  });

  it.each(['DELETING', 'DELETED'] as const)('does not delete again a channel that is %s', async (state) => {
    channelIs(state);

    expect(await remove()).toEqual({ state });
    expect(ml).toHaveReceivedCommandTimes(DeleteChannelCommand, 0);
  });

  it('counts a NotFound on describe as already deleted (a retry after a partial delete)', async () => {
    ml.on(DescribeChannelCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    expect(await remove()).toEqual({ state: 'DELETED' });
  });

  it('counts a NotFound on delete as already deleted (lost a race with another delete)', async () => {
    channelIs('IDLE');
    ml.on(DeleteChannelCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    expect(await remove()).toEqual({ state: 'DELETED' });
  });

  it('turns a ConflictException (channel still running) into ChannelNotIdle', async () => {
    channelIs('RUNNING');
    ml.on(DeleteChannelCommand).rejects(new ConflictException({ message: 'running', $metadata: {} }));

    await expect(remove()).rejects.toThrow(ChannelNotIdle);
  });

  it('lets throttling through under its own name', async () => {
    ml.on(DescribeChannelCommand).rejects(new TooManyRequestsException({ message: 'slow', $metadata: {} }));

    await expect(remove()).rejects.toThrow(TooManyRequestsException);
  });

  it('does nothing for a stream that never got a channel, once MediaLive has none by its name', async () => {
    const bare = await fx.seed(aStream({ status: 'DELETING', live_channel_id: null }));
    ml.on(ListChannelsCommand)
      .resolvesOnce({ Channels: [{ Id: '1', Name: 'live-OTHER', State: 'IDLE' }], NextToken: 'n' })
      .resolvesOnce({ Channels: [{ Id: '2', Name: `live-${bare.id}`, State: 'DELETED' }] });

    expect(await deleteChannel({ medialive, store: fx.store }, { stream_id: bare.id })).toEqual({
      state: 'NONE',
    });
    expect(ml).toHaveReceivedCommandTimes(ListChannelsCommand, 2);
    expect(ml).toHaveReceivedCommandTimes(DeleteChannelCommand, 0);
  });

  it('records and deletes a channel a cut-short create made without recording it (found by its name)', async () => {
    const bare = await fx.seed(aStream({ status: 'DELETING', live_channel_id: null }));
    ml.on(ListChannelsCommand).resolves({
      Channels: [{ Id: '7654321', Name: `live-${bare.id}`, State: 'IDLE' }],
    });
    ml.on(DescribeChannelCommand).resolves({ State: 'IDLE' });
    ml.on(DeleteChannelCommand).resolves({ State: 'DELETING' });

    expect(await deleteChannel({ medialive, store: fx.store }, { stream_id: bare.id })).toEqual({
      state: 'DELETING',
    });
    expect(ml).toHaveReceivedCommandWith(DeleteChannelCommand, { ChannelId: '7654321' });
    expect((await fx.store.get(bare.id)).live_channel_id).toBe('7654321');
  });
});
