import {
  type ChannelState,
  DescribeChannelCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelFailed, ChannelStateTimeout, MissingResource } from '../../../core/errors.js';
import type { TargetState } from '../../../tasks/contracts.js';
import { waitForChannel } from '../../../tasks/shared/wait-for-channel.js';
import { anIdleStream, aStream } from '../../support/builders.js';
import { inputsOf, newMediaLive, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
let streamId: string;
const medialive = newMediaLive();
const ml = mockClient(medialive);

/**
 * Simulated time: every DescribeChannel moves the clock one poll interval (1 s) on, while the real
 * sleep between polls is 1 ms, so the budget and timeout arithmetic runs in milliseconds.
 */
const T0 = Date.parse('2026-05-01T10:00:00.000Z');
let clock = T0;
const POLL_MS = 1000;

function channelGoesThrough(...states: ChannelState[]) {
  let i = 0;
  ml.on(DescribeChannelCommand).callsFake(() => {
    clock += POLL_MS;
    const state = states[Math.min(i, states.length - 1)];
    i += 1;
    return { Id: '1234567', State: state };
  });
}

const deps = (budgetMs = 20_000) => ({
  medialive,
  store: fx.store,
  intervalMs: 1,
  budgetMs,
  now: () => clock,
});
const wait = (target: TargetState, since: string | null = null, timeoutSeconds = 600, budgetMs = 20_000) =>
  waitForChannel(deps(budgetMs), { stream_id: streamId, target, timeout_seconds: timeoutSeconds, since });

beforeAll(async () => {
  fx = await startStore();
  streamId = (await fx.seed(anIdleStream())).id;
});
afterAll(async () => fx.close());
beforeEach(() => {
  ml.reset();
  clock = T0;
});

describe('waitForChannel', () => {
  it('returns done once the channel reaches RUNNING, asking MediaLive for the recorded channel', async () => {
    channelGoesThrough('STARTING', 'STARTING', 'RUNNING');

    const out = await wait('RUNNING');

    expect(out).toEqual({
      done: true,
      state: 'RUNNING',
      since: new Date(T0).toISOString(),
      at: expect.any(String),
    });
    // The session's start: when RUNNING was seen, on the third poll (the test clock moves 1 s per poll).
    expect(Date.parse(out.at) - T0).toBe(3_000);
    expect(ml).toHaveReceivedCommandTimes(DescribeChannelCommand, 3);
    expect(new Set(inputsOf(ml, DescribeChannelCommand).map((i) => i.ChannelId))).toEqual(
      new Set(['1234567']),
    );
  });

  it('keeps the start of the wait from the first call across invocations', async () => {
    channelGoesThrough('IDLE');
    const since = new Date(T0 - 120_000).toISOString();

    expect(await wait('IDLE', since)).toMatchObject({ done: true, state: 'IDLE', since });
  });

  it('returns done:false with the current state once its budget is spent, for the machine to loop', async () => {
    channelGoesThrough('STARTING');

    const out = await wait('RUNNING', null, 600, 5_000);

    expect(out).toMatchObject({ done: false, state: 'STARTING', since: new Date(T0).toISOString() });
    // 1 s per poll within a 5 s budget.
    expect(ml).toHaveReceivedCommandTimes(DescribeChannelCommand, 5);
  });

  it('asks once and hands back at once when the budget is shorter than one poll interval', async () => {
    channelGoesThrough('STOPPING');

    const out = await wait('IDLE', null, 300, 0);

    expect(out.done).toBe(false);
    expect(ml).toHaveReceivedCommandTimes(DescribeChannelCommand, 1);
  });

  it('throws ChannelStateTimeout once the wait has run past timeout_seconds since its first call', async () => {
    channelGoesThrough('STARTING');
    const since = new Date(T0 - 600_000).toISOString();

    await expect(wait('RUNNING', since, 600)).rejects.toThrow(ChannelStateTimeout);
  });

  it('still succeeds past the timeout when the channel is there on that last look', async () => {
    channelGoesThrough('RUNNING');
    const since = new Date(T0 - 900_000).toISOString();

    expect((await wait('RUNNING', since, 600)).done).toBe(true);
  });

  it('throws ChannelFailed on CREATE_FAILED while waiting for IDLE', async () => {
    channelGoesThrough('CREATING', 'CREATE_FAILED');

    await expect(wait('IDLE')).rejects.toThrow(ChannelFailed);
    expect(ml).toHaveReceivedCommandTimes(DescribeChannelCommand, 2);
  });

  it('throws ChannelFailed on UPDATE_FAILED while waiting for RUNNING', async () => {
    channelGoesThrough('UPDATE_FAILED');

    await expect(wait('RUNNING')).rejects.toThrow(ChannelFailed);
  });

  it.each([
    ['RUNNING', 'STOPPING'],
    ['RUNNING', 'DELETING'],
    ['IDLE', 'DELETING'],
    ['DELETED', 'RUNNING'],
    ['DELETED', 'STARTING'],
  ] as const)('waiting for %s, treats an unexpected %s as a failure', async (target, state) => {
    channelGoesThrough(state);

    await expect(wait(target)).rejects.toThrow(ChannelFailed);
  });

  it.each([
    ['IDLE', ['CREATING', 'UPDATING', 'STOPPING', 'RUNNING', 'STARTING', 'RECOVERING']],
    ['RUNNING', ['STARTING', 'RECOVERING', 'IDLE']],
    ['DELETED', ['DELETING', 'IDLE']],
  ] as const)('waiting for %s, keeps polling through the states on the way', async (target, onTheWay) => {
    channelGoesThrough(...onTheWay, target);

    expect(await wait(target)).toMatchObject({ done: true, state: target });
    expect(ml).toHaveReceivedCommandTimes(DescribeChannelCommand, onTheWay.length + 1);
  });

  it('lets a just-started channel read IDLE for a moment, but not past the 30 s grace', async () => {
    channelGoesThrough('IDLE');

    const early = await wait('RUNNING', new Date(T0 - 10_000).toISOString(), 600, 3_000);
    expect(early).toMatchObject({ done: false, state: 'IDLE' });

    await expect(wait('RUNNING', new Date(T0 - 31_000).toISOString())).rejects.toThrow(ChannelFailed);
  });

  it('counts a channel MediaLive no longer knows (NotFound) as DELETED', async () => {
    ml.on(DescribeChannelCommand)
      .resolvesOnce({ State: 'DELETING' })
      .rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    expect(await wait('DELETED')).toMatchObject({ done: true, state: 'DELETED' });
  });

  it('treats a vanished channel as a failure while waiting for it to run', async () => {
    ml.on(DescribeChannelCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    await expect(wait('RUNNING')).rejects.toThrow(ChannelFailed);
  });

  it('is done at once waiting for DELETED when the stream never had a channel', async () => {
    const bare = await fx.seed(aStream({ status: 'DELETING', live_channel_id: null }));

    const out = await waitForChannel(deps(), {
      stream_id: bare.id,
      target: 'DELETED',
      timeout_seconds: 420,
      since: null,
    });

    expect(out).toMatchObject({ done: true, state: 'DELETED', since: new Date(T0).toISOString() });
    expect(ml).not.toHaveReceivedAnyCommand();
  });

  it('throws MissingResource waiting for RUNNING or IDLE on a stream without a channel', async () => {
    const bare = await fx.seed(aStream({ live_channel_id: null }));

    for (const target of ['RUNNING', 'IDLE'] as const) {
      await expect(
        waitForChannel(deps(), { stream_id: bare.id, target, timeout_seconds: 600, since: null }),
      ).rejects.toThrow(MissingResource);
    }
  });

  it('lets throttling through under its own name for the machine to retry', async () => {
    ml.on(DescribeChannelCommand).rejects(new TooManyRequestsException({ message: 'slow', $metadata: {} }));

    await expect(wait('RUNNING')).rejects.toThrow(TooManyRequestsException);
  });
});
