import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionNotAllowed } from '../../../core/errors.js';
import { claimStream, triggerOf } from '../../../tasks/shared/claim-stream.js';
import { anIdleStream } from '../../support/builders.js';
import { type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStore('streams-claim');
});
afterAll(async () => fx.close());

const NOW = new Date('2026-11-23T14:30:00.000Z');
const claim = (streamId: string, action: 'start' | 'stop', requestId: string, name = 'exec-1') =>
  claimStream(
    { store: fx.store, now: () => NOW },
    {
      stream_id: streamId,
      action,
      request_id: requestId,
      execution_name: name,
      execution_arn: `arn:aws:states:us-east-1:123456789012:execution:StartStream:${name}`,
    },
  );

describe('claimStream', () => {
  it('tells schedule triggers apart from API requests by the request id', () => {
    expect(triggerOf('schedule:0123456789ABCDEF-start')).toBe('start');
    expect(triggerOf('schedule:0123456789ABCDEF-guard')).toBe('guard');
    expect(triggerOf('schedule:0123456789ABCDEF-input-loss')).toBe('input-loss');
    expect(triggerOf('c466abe1-e9d7-4d39-91c3-289e1f374638')).toBe('api');
    expect(triggerOf('schedule:not-a-stream-start')).toBe('api');
  });

  it('changes nothing when the API already claimed the stream for this execution', async () => {
    const name = 'api-exec';
    const stream = await fx.seed(
      anIdleStream({
        status: 'STARTING',
        execution: {
          action: 'start',
          name,
          arn: `arn:aws:states:us-east-1:123456789012:execution:StartStream:${name}`,
          started_at: NOW.toISOString(),
        },
      }),
    );
    await claim(stream.id, 'start', 'request-1', name);
    expect(await fx.store.get(stream.id)).toEqual(stream);
  });

  it('claims an idle stream for a scheduled start and records that the schedule fired', async () => {
    const stream = await fx.seed(
      anIdleStream({
        schedule: {
          start_at: NOW.toISOString(),
          stop_at: null,
          start_options: {},
          updated_at: NOW.toISOString(),
        },
      }),
    );
    expect(await claim(stream.id, 'start', `schedule:${stream.id}-start`)).toEqual({ trigger: 'start' });
    const after = await fx.store.get(stream.id);
    expect(after.status).toBe('STARTING');
    expect(after.execution).toMatchObject({ action: 'start', name: 'exec-1' });
    expect(after.schedule).toMatchObject({
      start_fired_at: NOW.toISOString(),
      last_result: `start schedule fired at ${NOW.toISOString()}`,
    });
  });

  it('records the auto-stop guard as the reason of a stop it started', async () => {
    const stream = await fx.seed(
      anIdleStream({ status: 'RUNNING', started: true, max_duration_seconds: 3600 }),
    );
    await claim(stream.id, 'stop', `schedule:${stream.id}-guard`);
    const after = await fx.store.get(stream.id);
    expect(after.status).toBe('STOPPING');
    expect(after.auto_stopped).toEqual({
      reason: 'max_duration',
      message: 'stopped after max_duration_seconds (3600 s)',
      at: NOW.toISOString(),
    });
  });

  it('refuses a scheduled start on a running stream, saying so on the record and changing nothing else', async () => {
    const stream = await fx.seed(
      anIdleStream({
        status: 'RUNNING',
        started: true,
        schedule: {
          start_at: NOW.toISOString(),
          stop_at: null,
          start_options: {},
          updated_at: NOW.toISOString(),
        },
      }),
    );
    await expect(claim(stream.id, 'start', `schedule:${stream.id}-start`)).rejects.toThrow(ActionNotAllowed);
    const after = await fx.store.get(stream.id);
    expect(after.status).toBe('RUNNING');
    expect(after.schedule?.last_result).toContain('the stream was RUNNING: nothing done');
  });

  it('refuses a stop of a stream without a channel', async () => {
    const stream = await fx.seed(anIdleStream({ status: 'FAILED', live_channel_id: null }));
    await expect(claim(stream.id, 'stop', `schedule:${stream.id}-stop`)).rejects.toThrow(ActionNotAllowed);
    expect((await fx.store.get(stream.id)).status).toBe('FAILED');
  });
});
