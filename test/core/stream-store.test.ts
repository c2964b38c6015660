import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequest, InvalidTransition, StreamNotFound, VersionConflict } from '../../core/errors.js';
import { StreamStore } from '../../core/stream-store.js';
import { aStream } from '../support/builders.js';
import { type LocalDynamo, startDynalite } from '../support/dynalite.js';

let db: LocalDynamo;
let store: StreamStore;

beforeAll(async () => {
  db = await startDynalite();
  store = new StreamStore(db.doc, db.tableName);
});
afterAll(async () => db.close());

describe('StreamStore against dynalite', () => {
  it('creates and reads back a record', async () => {
    const record = aStream({ status: 'IDLE' });
    await store.create(record);
    expect(await store.get(record.id)).toEqual(record);
  });

  it('refuses to create the same id twice', async () => {
    const record = aStream();
    await store.create(record);
    await expect(store.create(record)).rejects.toThrow(VersionConflict);
  });

  it('throws StreamNotFound for an unknown id', async () => {
    await expect(store.get('0000000000000000')).rejects.toThrow(StreamNotFound);
  });

  it('bumps the version on each update and keeps other fields', async () => {
    const record = await store.create(aStream({ status: 'IDLE', name: 'before' }));
    const updated = await store.update(record, { name: 'after' });
    expect(updated.version).toBe(record.version + 1);
    const read = await store.get(record.id);
    expect(read.name).toBe('after');
    expect(read.version).toBe(record.version + 1);
    expect(read.segment_length).toBe(record.segment_length);
  });

  it('refuses a status change outside the allowed transitions and writes nothing', async () => {
    const record = await store.create(aStream({ status: 'DELETING' }));
    await expect(store.update(record, { status: 'RUNNING' })).rejects.toThrow(InvalidTransition);
    expect((await store.get(record.id)).status).toBe('DELETING');
  });

  it('lets exactly one of 20 concurrent updates from the same version win', async () => {
    const record = await store.create(aStream({ status: 'IDLE' }));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.update(record, { description: `writer ${i}` })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflict);
    const read = await store.get(record.id);
    expect(read.version).toBe(record.version + 1);
    expect(read.description).toBe(
      (won[0] as PromiseFulfilledResult<{ description: string }>).value.description,
    );
  });

  it('pages through the listing in creation order without repeats', async () => {
    const fresh = await startDynalite('streams-paging');
    const paged = new StreamStore(fresh.doc, fresh.tableName);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = aStream({ created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
      ids.push(r.id);
      await paged.create(r);
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await paged.list({ limit: 3, next_token: token });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((s) => s.id));
      token = page.next_token ?? undefined;
    } while (token);
    expect(seen).toEqual(ids);
    await fresh.close();
  });

  it('rejects a page token it did not issue', async () => {
    await expect(store.list({ limit: 2, next_token: 'bm90LWEtdG9rZW4' })).rejects.toThrow(InvalidRequest);
    const forged = Buffer.from(
      JSON.stringify({ k: 'stream', key: { pk: 'IDEMPOTENCY#x', sk: 'x', list_pk: 'OTHER', list_sk: 'x' } }),
    ).toString('base64url');
    await expect(store.list({ limit: 2, next_token: forged })).rejects.toThrow(InvalidRequest);
  });
});
