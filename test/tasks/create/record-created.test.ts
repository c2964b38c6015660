import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingResource } from '../../../core/errors.js';
import { recordCreated } from '../../../tasks/create/record-created.js';
import { anIdleStream } from '../../support/builders.js';
import { type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());

describe('recordCreated', () => {
  it('moves a fully created stream from CREATING to IDLE and clears any error', async () => {
    const record = await fx.seed(
      anIdleStream({
        status: 'CREATING',
        error: { code: 'X', message: 'earlier attempt', action: 'create', at: '2026-01-01T00:00:00.000Z' },
      }),
    );

    expect(await recordCreated({ store: fx.store }, { stream_id: record.id })).toEqual({ status: 'IDLE' });

    const read = await fx.store.get(record.id);
    expect(read.status).toBe('IDLE');
    expect(read.error).toBeNull();
    expect(read.version).toBe(record.version + 1);
  });

  it('refuses with MissingResource, naming every missing endpoint, and leaves the stream CREATING', async () => {
    const record = await fx.seed(
      anIdleStream({ status: 'CREATING', rtmp1: null, package_endpoint_id: null }),
    );

    const run = recordCreated({ store: fx.store }, { stream_id: record.id });

    await expect(run).rejects.toThrow(MissingResource);
    await expect(run).rejects.toThrow(/package_endpoint_id, rtmp1/);
    expect((await fx.store.get(record.id)).status).toBe('CREATING');
  });
});
