import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTransition } from '../../../core/errors.js';
import { describeFailure, recordFailure } from '../../../tasks/shared/record-failure.js';
import { anIdleStream, aStream } from '../../support/builders.js';
import { type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());

const AT = new Date('2026-02-03T04:05:06.000Z');
const lambdaCause = (errorMessage: string) =>
  JSON.stringify({ errorType: 'ChannelFailed', errorMessage, trace: ['at x'] });

describe('describeFailure', () => {
  it("reads the message out of Lambda's JSON cause", () => {
    expect(
      describeFailure(
        'start',
        { Error: 'ChannelFailed', Cause: lambdaCause('channel 1 is CREATE_FAILED') },
        AT,
      ),
    ).toEqual({
      code: 'ChannelFailed',
      message: 'channel 1 is CREATE_FAILED',
      action: 'start',
      at: AT.toISOString(),
    });
  });

  it('keeps a plain-text cause as it is', () => {
    expect(describeFailure('stop', { Error: 'States.TaskFailed', Cause: 'plain words' }, AT).message).toBe(
      'plain words',
    );
  });

  it('says the workflow ran past its time limit on States.Timeout without a cause', () => {
    expect(describeFailure('start', { Error: 'States.Timeout' }, AT)).toMatchObject({
      code: 'States.Timeout',
      message: 'the start workflow ran past its time limit',
    });
  });

  it('never records an empty message, and caps long ones at 1000 characters', () => {
    expect(describeFailure('delete', {}, AT)).toMatchObject({
      code: 'Unknown',
      message: 'the delete workflow failed',
    });
    expect(describeFailure('delete', { Error: 'X', Cause: 'y'.repeat(5000) }, AT).message).toHaveLength(1000);
  });
});

describe('recordFailure', () => {
  it('records FAILED with the readable reason', async () => {
    const record = await fx.seed(aStream({ status: 'CREATING' }));

    const out = await recordFailure(
      { store: fx.store, now: () => AT },
      {
        stream_id: record.id,
        action: 'create',
        status: 'FAILED',
        error: { Error: 'ChannelFailed', Cause: lambdaCause('boom') },
      },
    );

    expect(out).toEqual({ status: 'FAILED' });
    const read = await fx.store.get(record.id);
    expect(read.status).toBe('FAILED');
    expect(read.error).toEqual({
      code: 'ChannelFailed',
      message: 'boom',
      action: 'create',
      at: AT.toISOString(),
    });
  });

  it('keeps the status for KEEP (a CDN change failed, the stream itself is fine)', async () => {
    const record = await fx.seed(anIdleStream({ status: 'RUNNING' }));

    const out = await recordFailure(
      { store: fx.store, now: () => AT },
      {
        stream_id: record.id,
        action: 'go-live',
        status: 'KEEP',
        error: { Error: 'DistributionQuotaReached', Cause: 'full' },
      },
    );

    expect(out).toEqual({ status: 'RUNNING' });
    const read = await fx.store.get(record.id);
    expect(read.status).toBe('RUNNING');
    expect(read.error?.code).toBe('DistributionQuotaReached');
  });

  it('for IDLE records the stream stopped, its session closed, and the reason', async () => {
    const record = await fx.seed(
      anIdleStream({
        status: 'STARTING',
        started: true,
        current_session_id: 'SESSION0000000001',
        last_stopped: null,
      }),
    );
    await fx.store.putSession(record.id, {
      id: 'SESSION0000000001',
      prefix: 'p/q',
      uri: 's3://b/p/q',
      started_at: '2026-02-03T04:00:00.000Z',
      stopped_at: null,
      segment_length: 300,
      channel_class: 'STANDARD',
    });

    const out = await recordFailure(
      { store: fx.store, now: () => AT },
      {
        stream_id: record.id,
        action: 'start',
        status: 'IDLE',
        error: { Error: 'ChannelStateTimeout', Cause: 'slow' },
      },
    );

    expect(out).toEqual({ status: 'IDLE' });
    const read = await fx.store.get(record.id);
    expect(read).toMatchObject({
      status: 'IDLE',
      started: false,
      error: { code: 'ChannelStateTimeout', message: 'slow' },
    });
    expect((await fx.store.getSession(record.id, 'SESSION0000000001')).stopped_at).toBe(AT.toISOString());
  });

  it('refuses to move a stream being deleted back to IDLE', async () => {
    const record = await fx.seed(anIdleStream({ status: 'DELETING' }));

    await expect(
      recordFailure(
        { store: fx.store },
        { stream_id: record.id, action: 'delete', status: 'IDLE', error: { Error: 'X' } },
      ),
    ).rejects.toThrow(InvalidTransition);
  });
});
