import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeThumbnailsCommand, MediaLiveClient } from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../api/openapi.js';
import type { RecordingSession } from '../../core/stream.js';
import { anIdleStream, aStream } from '../support/builders.js';
import { type ApiHarness, aKeyedStream, expectErrorShape, startApi, streamKeyOf } from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());

const UNKNOWN_ID = '00000000000000AA';

function session(id: string, startedAt: string): RecordingSession {
  return {
    id,
    prefix: `2026/01/01/${id}`,
    uri: `s3://archive/2026/01/01/${id}`,
    started_at: startedAt,
    stopped_at: null,
    segment_length: 300,
    channel_class: 'STANDARD',
  };
}

describe('GET /streams/{id}', () => {
  it('answers 200 with the whole record, stream keys included', async () => {
    const stream = await api.seed(anIdleStream());
    const answer = await api.call('GET', `/streams/${stream.id}`);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual(stream);
    expect(answer.body.rtmp1).toMatch(/^rtmp:\/\//);
  });

  it('answers 404 StreamNotFound for an unknown stream', async () => {
    const answer = await api.call('GET', `/streams/${UNKNOWN_ID}`);
    expect(answer.statusCode).toBe(404);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('StreamNotFound');
    expect(answer.body.error.message).toContain(UNKNOWN_ID);
  });

  it.each([
    ['lower-case hex', 'abcdefabcdefabcd'],
    ['too short', 'ABC'],
    ['not hex', 'ZZZZZZZZZZZZZZZZ'],
    ['a key of another item kind', 'IDEMPOTENCY%23x'],
  ])('answers 404 for an id that cannot be a stream id (%s)', async (_, id) => {
    const answer = await api.call('GET', `/streams/${id}`);
    expect(answer.statusCode).toBe(404);
    expect(answer.body.error.code).toBe('StreamNotFound');
  });

  it('answers 404 (not 500) for a path id that is not valid percent-encoding', async () => {
    const answer = await api.call('GET', '/streams/%E0%A4%A');
    expect(answer.statusCode).toBe(404);
    expectErrorShape(answer);
  });

  it('accepts a trailing slash', async () => {
    const stream = await api.seed(anIdleStream());
    expect((await api.call('GET', `/streams/${stream.id}/`)).statusCode).toBe(200);
  });

  it('answers 400 when a body is sent to a route that takes none', async () => {
    const stream = await api.seed(anIdleStream());
    const answer = await api.call('GET', `/streams/${stream.id}`, { json: { name: 'x' } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([{ field: 'body', reason: 'this route takes no body' }]);
  });

  it('answers 400 naming a query parameter the route does not know', async () => {
    const stream = await api.seed(anIdleStream());
    const answer = await api.call('GET', `/streams/${stream.id}`, { query: { verbose: '1' } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'verbose', reason: 'is not a known query parameter' },
    ]);
  });
});

describe('GET /streams', () => {
  let isolated: ApiHarness;
  const created: string[] = [];
  const keys: string[] = [];

  beforeAll(async () => {
    isolated = await startApi();
    for (let i = 0; i < 7; i++) {
      const stream = aKeyedStream({ created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
      created.push(stream.id);
      keys.push(streamKeyOf(stream.rtmp1), streamKeyOf(stream.rtmp2));
      await isolated.seed(stream);
    }
  });
  afterAll(async () => isolated.close());

  it('answers 200 with a bare array of streams (the seed shape), oldest first', async () => {
    const answer = await isolated.call('GET', '/streams');
    expect(answer.statusCode).toBe(200);
    expect(Array.isArray(answer.body)).toBe(true);
    expect(answer.body.map((s: { id: string }) => s.id)).toEqual(created);
    expect(answer.headers['x-next-token']).toBeUndefined();
  });

  it('never shows the stream keys in the listing', async () => {
    const answer = await isolated.call('GET', '/streams');
    for (const stream of answer.body) {
      expect(stream.rtmp1).toBeNull();
      expect(stream.rtmp2).toBeNull();
    }
    expect(keys).toHaveLength(14);
    for (const key of keys) expect(answer.raw).not.toContain(key);
  });

  it('pages with limit and next_token, carrying the token in x-next-token and a Link header', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const answer = await isolated.call('GET', '/streams', {
        query: { limit: '3', ...(token ? { next_token: token } : {}) },
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.body.length).toBeLessThanOrEqual(3);
      seen.push(...answer.body.map((s: { id: string }) => s.id));
      token = answer.headers['x-next-token'];
      if (token) expect(answer.headers.link).toContain(`next_token=${encodeURIComponent(token)}`);
      pages++;
    } while (token && pages < 10);
    expect(seen).toEqual(created);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['not a number', 'ten', 'limit'],
    ['zero', '0', 'limit'],
    ['above 100', '101', 'limit'],
    ['not an integer', '2.5', 'limit'],
  ])('answers 400 for a limit that is %s', async (_, limit, field) => {
    const answer = await isolated.call('GET', '/streams', { query: { limit } });
    expect(answer.statusCode).toBe(400);
    expectErrorShape(answer);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
  });

  it.each([
    ['not base64 JSON', 'not-a-token'],
    [
      'a forged key outside the listing',
      Buffer.from(
        JSON.stringify({
          k: 'stream',
          key: { pk: 'IDEMPOTENCY#x', sk: 'x', list_pk: 'OTHER', list_sk: 'x' },
        }),
      ).toString('base64url'),
    ],
    [
      'a session token',
      Buffer.from(JSON.stringify({ k: 'session', key: { pk: 'a', sk: 'b' } })).toString('base64url'),
    ],
    [
      'a key with a number in it',
      Buffer.from(
        JSON.stringify({ k: 'stream', key: { pk: 1, sk: 'b', list_pk: 'STREAM', list_sk: 'x' } }),
      ).toString('base64url'),
    ],
  ])('answers 400 on next_token for %s', async (_, token) => {
    const answer = await isolated.call('GET', '/streams', { query: { next_token: token } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'next_token', reason: 'is not a token this API returned' },
    ]);
  });

  it('answers 200 (not 500) for a well-formed token whose key is not a stream', async () => {
    const token = Buffer.from(
      JSON.stringify({
        k: 'stream',
        key: { pk: 'x', sk: 'y', list_pk: 'STREAM', list_sk: '2026-01-01T00:00:03.000Z#' },
      }),
    ).toString('base64url');
    const answer = await isolated.call('GET', '/streams', { query: { next_token: token } });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.map((s: { id: string }) => s.id)).toEqual(created.slice(3));
  });

  it('answers 400 for an unknown query parameter', async () => {
    const answer = await isolated.call('GET', '/streams', { query: { page: '2' } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([{ field: 'page', reason: 'is not a known field' }]);
  });
});

describe('GET /streams/{id}/sessions', () => {
  it('answers 200 with the recording sessions, oldest first', async () => {
    const stream = await api.seed(anIdleStream());
    const second = session('S2', '2026-01-02T00:00:00.000Z');
    const first = session('S1', '2026-01-01T00:00:00.000Z');
    await api.store.putSession(stream.id, second);
    await api.store.putSession(stream.id, first);
    const answer = await api.call('GET', `/streams/${stream.id}/sessions`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual([first, second]);
  });

  it('pages the sessions with limit and next_token', async () => {
    const stream = await api.seed(anIdleStream());
    for (let i = 0; i < 3; i++)
      await api.store.putSession(stream.id, session(`P${i}`, `2026-01-0${i + 1}T00:00:00.000Z`));
    const first = await api.call('GET', `/streams/${stream.id}/sessions`, { query: { limit: '2' } });
    expect(first.body.map((s: { id: string }) => s.id)).toEqual(['P0', 'P1']);
    const token = first.headers['x-next-token'];
    expect(token).toBeDefined();
    const second = await api.call('GET', `/streams/${stream.id}/sessions`, {
      query: { limit: '2', next_token: token as string },
    });
    expect(second.body.map((s: { id: string }) => s.id)).toEqual(['P2']);
  });

  it('answers 200 with an empty array for a stream that never started', async () => {
    const stream = await api.seed(aStream());
    const answer = await api.call('GET', `/streams/${stream.id}/sessions`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual([]);
  });

  it('answers 404 for an unknown stream', async () => {
    const answer = await api.call('GET', `/streams/${UNKNOWN_ID}/sessions`);
    expect(answer.statusCode).toBe(404);
    expect(answer.body.error.code).toBe('StreamNotFound');
  });

  it("answers 400 (not 500) for a session page token of another stream's sessions", async () => {
    const stream = await api.seed(anIdleStream());
    const forged = Buffer.from(
      JSON.stringify({ k: 'session', key: { pk: 'STREAM#0000000000000000', sk: 'SESSION#x' } }),
    ).toString('base64url');
    const answer = await api.call('GET', `/streams/${stream.id}/sessions`, { query: { next_token: forged } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'next_token', reason: 'is not a token this API returned' },
    ]);
  });
});

describe('GET /streams/{id}/thumbnail', () => {
  it('names the query parameter as every query error does, for a pipeline the channel lacks as for one out of range', async () => {
    const medialive = new MediaLiveClient({ region: 'us-east-1' });
    const ml = mockClient(medialive);
    const withMedia = await startApi({}, async () => ({
      medialive,
      cloudwatch: new CloudWatchClient({ region: 'us-east-1' }),
    }));
    try {
      const stream = await withMedia.seed(
        anIdleStream({ channel_class: 'SINGLE_PIPELINE', status: 'RUNNING', live_channel_id: '1234567' }),
      );
      const path = `/streams/${stream.id}/thumbnail`;
      const lacking = await withMedia.call('GET', path, { query: { pipeline: '1' } });
      const outOfRange = await withMedia.call('GET', path, { query: { pipeline: '2' } });
      for (const answer of [lacking, outOfRange]) {
        expect(answer.statusCode).toBe(400);
        expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual(['pipeline']);
      }
      expect(ml).not.toHaveReceivedCommand(DescribeThumbnailsCommand);
    } finally {
      ml.restore();
      await withMedia.close();
    }
  });
});

describe('GET /openapi.json', () => {
  it('answers 200 with the OpenAPI document the API is built from', async () => {
    const answer = await api.call('GET', '/openapi.json');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual(buildOpenApi());
  });
});
