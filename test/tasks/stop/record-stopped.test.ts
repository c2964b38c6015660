import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTransition } from '../../../core/errors.js';
import type { RecordingSession } from '../../../core/stream.js';
import { recordStopped } from '../../../core/stream-stopped.js';
import { anIdleStream } from '../../support/builders.js';
import { type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());

const STARTED = '2026-06-07T08:00:00.000Z';
const AT = new Date('2026-06-07T09:00:00.000Z');
const aSession = (id: string, stopped_at: string | null = null): RecordingSession => ({
  id,
  prefix: `p/${id}`,
  uri: `s3://live-archive-test/p/${id}`,
  started_at: STARTED,
  stopped_at,
  segment_length: 300,
  channel_class: 'STANDARD',
});

describe('recordStopped', () => {
  it('records IDLE, not started, last_stopped, and closes the current session at the stop time', async () => {
    const record = await fx.seed(
      anIdleStream({
        status: 'STOPPING',
        started: true,
        current_session_id: 'S000000000000001',
        last_stopped: '1',
      }),
    );
    await fx.store.putSession(record.id, aSession('S000000000000001'));

    expect(await recordStopped({ store: fx.store, now: () => AT }, { stream_id: record.id })).toEqual({
      status: 'IDLE',
    });

    const read = await fx.store.get(record.id);
    expect(read).toMatchObject({
      status: 'IDLE',
      started: false,
      last_stopped: String(AT.getTime() / 1000),
      current_session_id: 'S000000000000001',
      error: null,
    });
    const sessions = (await fx.store.listSessions(record.id, { limit: 10 })).items;
    expect(sessions).toEqual([aSession('S000000000000001', AT.toISOString())]);
  });

  it('keeps the first stop time of a session when repeated', async () => {
    const record = await fx.seed(
      anIdleStream({ status: 'STOPPING', started: true, current_session_id: 'S000000000000002' }),
    );
    await fx.store.putSession(record.id, aSession('S000000000000002', '2026-06-07T08:30:00.000Z'));

    await recordStopped({ store: fx.store, now: () => AT }, { stream_id: record.id });

    expect((await fx.store.getSession(record.id, 'S000000000000002')).stopped_at).toBe(
      '2026-06-07T08:30:00.000Z',
    );
  });

  it('leaves last_stopped alone for a stream that was not started', async () => {
    const record = await fx.seed(
      anIdleStream({ status: 'STARTING', started: false, last_stopped: '1700000000' }),
    );

    await recordStopped({ store: fx.store, now: () => AT }, { stream_id: record.id });

    expect((await fx.store.get(record.id)).last_stopped).toBe('1700000000');
  });

  it('records the failure it is given (a start that had to be stopped)', async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    const error = { code: 'ChannelStateTimeout', message: 'too slow', action: 'start', at: AT.toISOString() };

    await recordStopped({ store: fx.store, now: () => AT }, { stream_id: record.id }, error);

    expect((await fx.store.get(record.id)).error).toEqual(error);
  });

  it('refuses to move a stream that is being deleted back to IDLE', async () => {
    const record = await fx.seed(anIdleStream({ status: 'DELETING' }));

    await expect(recordStopped({ store: fx.store }, { stream_id: record.id })).rejects.toThrow(
      InvalidTransition,
    );
  });
});
