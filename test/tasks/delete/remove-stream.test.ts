import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStream } from '../../../tasks/delete/remove-stream.js';
import { anIdleStream } from '../../support/builders.js';
import { type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());

describe('removeStream', () => {
  it('removes the record and keeps every one of its session items, the index of the archive it keeps', async () => {
    const record = await fx.seed(anIdleStream({ status: 'DELETING' }));
    for (let i = 0; i < 30; i++) {
      await fx.store.putSession(record.id, {
        id: `S${String(i).padStart(15, '0')}`,
        prefix: `p/${i}`,
        uri: `s3://b/p/${i}`,
        started_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        stopped_at: null,
        segment_length: 300,
        channel_class: 'STANDARD',
      });
    }
    const neighbour = await fx.seed(anIdleStream());
    await fx.store.putSession(neighbour.id, {
      id: 'N000000000000001',
      prefix: 'n',
      uri: 's3://b/n',
      started_at: '2026-01-01T00:00:00.000Z',
      stopped_at: null,
      segment_length: 300,
      channel_class: 'STANDARD',
    });

    expect(await removeStream({ store: fx.store }, { stream_id: record.id })).toEqual({ removed: true });

    expect(await fx.store.find(record.id)).toBeUndefined();
    expect((await fx.store.listSessions(record.id, { limit: 100 })).items).toHaveLength(30);
    expect(await fx.store.find(neighbour.id)).toBeDefined();
    expect((await fx.store.listSessions(neighbour.id, { limit: 100 })).items).toHaveLength(1);
  });

  it('answers removed:false when the record is already gone (a retried last step)', async () => {
    expect(await removeStream({ store: fx.store }, { stream_id: 'GONE000000000000' })).toEqual({
      removed: false,
    });
  });
});
