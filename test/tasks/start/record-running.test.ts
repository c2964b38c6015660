import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionConflict } from '../../../core/errors.js';
import type { PendingSession } from '../../../tasks/contracts.js';
import { recordRunning } from '../../../tasks/start/record-running.js';
import { anIdleStream } from '../../support/builders.js';
import { type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());

const AT = new Date('2026-06-07T08:09:10.000Z');
const session = (id: string): PendingSession => ({
  id,
  prefix: `2026/06/07/S-${id}`,
  uri: `s3://live-archive-test/2026/06/07/S-${id}`,
  segment_length: 300,
  channel_class: 'STANDARD',
});

async function sessionsOf(streamId: string) {
  return (await fx.store.listSessions(streamId, { limit: 100 })).items;
}

describe('recordRunning', () => {
  it('records RUNNING, the new session and its archive path next to the earlier ones', async () => {
    const record = await fx.seed(
      anIdleStream({ status: 'STARTING', archives_path: { OLD0000000000001: 's3://live-archive-test/old' } }),
    );

    const out = await recordRunning(
      { store: fx.store, now: () => AT },
      { stream_id: record.id, session: session('A000000000000001') },
    );

    expect(out).toEqual({ session_id: 'A000000000000001' });
    const read = await fx.store.get(record.id);
    expect(read).toMatchObject({
      status: 'RUNNING',
      started: true,
      last_started: String(AT.getTime() / 1000),
      current_session_id: 'A000000000000001',
      archives_path: {
        OLD0000000000001: 's3://live-archive-test/old',
        A000000000000001: 's3://live-archive-test/2026/06/07/S-A000000000000001',
      },
      error: null,
    });
    expect(await sessionsOf(record.id)).toEqual([
      { ...session('A000000000000001'), started_at: AT.toISOString(), stopped_at: null },
    ]);
  });

  it('keeps one session item, with the first start time, when retried after its record write failed', async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    // The first attempt wrote the session, then lost the record write.
    await fx.store.putSession(record.id, {
      ...session('B000000000000001'),
      started_at: AT.toISOString(),
      stopped_at: null,
    });
    const later = new Date(AT.getTime() + 7_000);

    await recordRunning(
      { store: fx.store, now: () => later },
      { stream_id: record.id, session: session('B000000000000001') },
    );

    const items = await sessionsOf(record.id);
    expect(items).toHaveLength(1);
    expect(items[0]?.started_at).toBe(AT.toISOString());
    expect((await fx.store.get(record.id)).last_started).toBe(String(AT.getTime() / 1000));
  });

  it('fails with VersionConflict when the record changes under it, for the machine to retry', async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    const racing = {
      store: Object.assign(Object.create(Object.getPrototypeOf(fx.store)), fx.store, {
        // The record as read, then changed by someone else before the write.
        get: async (id: string) => {
          const read = await fx.store.get(id);
          await fx.store.update(read, { description: 'changed meanwhile' });
          return read;
        },
      }),
      now: () => AT,
    };

    await expect(
      recordRunning(racing, { stream_id: record.id, session: session('C000000000000001') }),
    ).rejects.toThrow(VersionConflict);
    // The retry (a fresh read) then succeeds without a second session item.
    await recordRunning(
      { store: fx.store, now: () => new Date(AT.getTime() + 5_000) },
      {
        stream_id: record.id,
        session: session('C000000000000001'),
      },
    );
    expect(await sessionsOf(record.id)).toHaveLength(1);
    expect((await fx.store.get(record.id)).status).toBe('RUNNING');
  });

  it('is harmless when repeated after it already succeeded', async () => {
    const record = await fx.seed(anIdleStream({ status: 'STARTING' }));
    const input = { stream_id: record.id, session: session('D000000000000001') };

    await recordRunning({ store: fx.store, now: () => AT }, input);
    await recordRunning({ store: fx.store, now: () => new Date(AT.getTime() + 60_000) }, input);

    expect(await sessionsOf(record.id)).toHaveLength(1);
    expect((await fx.store.get(record.id)).last_started).toBe(String(AT.getTime() / 1000));
  });
});
