import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, aKeyedStream, expectErrorShape, startApi } from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());
beforeEach(() => api.resetSfn());

const KEY = 'live_123456_SecretKeyNoOneMaySee';
const youtube = { name: 'youtube', url: 'rtmp://a.rtmp.youtube.com/live2', stream_key: KEY };

describe('simulcast destinations', () => {
  it('are taken on create with their defaults, shown with keys on the stream, never in the listing or the logs', async () => {
    api.logs.clear();
    const created = await api.call('POST', '/streams', { json: { name: 'show', destinations: [youtube] } });
    expect(created.statusCode).toBe(202);
    expect(created.body.destinations).toEqual([{ ...youtube, backup_url: null, rendition: '720p' }]);
    const listed = await api.call('GET', '/streams', { query: { limit: '100' } });
    expect(listed.raw).not.toContain(KEY);
    const mine = listed.body.find((s: { id: string }) => s.id === created.body.id);
    expect(mine.destinations).toEqual([
      { ...youtube, stream_key: null, backup_url: null, rendition: '720p' },
    ]);
    expect(api.logs.lines.join('\n')).not.toContain(KEY);
  });

  it('refuses more than 3, a URL with the key or a user in it, a name used twice, and a destination without a key', async () => {
    const many = Array.from({ length: 4 }, (_, i) => ({ ...youtube, name: `d${i}` }));
    const answers = await Promise.all([
      api.call('POST', '/streams', { json: { name: 'x', destinations: many } }),
      api.call('POST', '/streams', {
        json: { name: 'x', destinations: [{ ...youtube, url: 'http://example.com/live' }] },
      }),
      api.call('POST', '/streams', {
        json: { name: 'x', destinations: [{ ...youtube, url: 'rtmp://u:p@example.com/live' }] },
      }),
      api.call('POST', '/streams', {
        json: { name: 'x', destinations: [youtube, { ...youtube, name: 'YouTube' }] },
      }),
      api.call('POST', '/streams', {
        json: { name: 'x', destinations: [{ ...youtube, stream_key: undefined }] },
      }),
      api.call('POST', '/streams', { json: { name: 'x', destinations: [{ ...youtube, rendition: '4k' }] } }),
    ]);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(400);
      expectErrorShape(answer);
    }
    expect(answers[3]?.body.error.details).toEqual([
      { field: 'destinations[1].name', reason: 'is used by another destination' },
    ]);
  });

  it('refuses, naming the field, a key or URL no RTMP push can carry: control characters, non-ASCII, a port past 65535', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      // A NUL cannot be in a process argument: local mode's push failed to spawn and logged the key.
      [{ stream_key: 'live_\u0000_key' }, 'destinations[0].stream_key'],
      [{ stream_key: 'live\u0007key' }, 'destinations[0].stream_key'],
      [{ stream_key: 'live_clé' }, 'destinations[0].stream_key'],
      [{ url: 'rtmp://a.rtmp.youtube.com:99999/live2' }, 'destinations[0].url'],
      [{ url: 'rtmp://a.rtmp.youtube.com:0/live2' }, 'destinations[0].url'],
      [{ url: 'rtmp://a.rtmp.youtube.com/live\u0000' }, 'destinations[0].url'],
      [{ url: 'rtmp://a.rtmp.youtube.com/lïve2' }, 'destinations[0].url'],
      [{ backup_url: 'rtmp://b.rtmp.youtube.com/live2\u0001' }, 'destinations[0].backup_url'],
    ];
    for (const [change, field] of bad) {
      const answer = await api.call('POST', '/streams', {
        json: { name: 'x', destinations: [{ ...youtube, ...change }] },
      });
      expect(answer.statusCode, JSON.stringify(change)).toBe(400);
      expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
      expect(answer.raw).not.toContain('live_');
    }
    const stream = await api.seed(aKeyedStream());
    const update = await api.call('POST', `/streams/${stream.id}`, {
      json: { destinations: [{ ...youtube, stream_key: 'a\u0000b' }] },
    });
    expect(update.statusCode).toBe(400);
    expect((await api.call('GET', `/streams/${stream.id}`)).body.destinations).toEqual(stream.destinations);
    const fine = await api.call('POST', '/streams', {
      json: {
        name: 'x',
        destinations: [{ ...youtube, url: 'rtmps://live.example.com:65535/app?x=1', stream_key: 'a!~#%/?b' }],
      },
    });
    expect(fine.statusCode).toBe(202);
  });

  it('change while IDLE; a null stream_key (a listing echoed) keeps the key of that destination', async () => {
    const stream = await api.seed(
      aKeyedStream({ destinations: [{ ...youtube, backup_url: null, rendition: '720p' }] }),
    );
    const answer = await api.call('POST', `/streams/${stream.id}`, {
      json: {
        destinations: [
          { ...youtube, stream_key: null, rendition: '1080p' },
          { name: 'twitch', url: 'rtmp://live.twitch.tv/app', stream_key: 'live_twitch' },
        ],
      },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.destinations).toEqual([
      { ...youtube, backup_url: null, rendition: '1080p' },
      {
        name: 'twitch',
        url: 'rtmp://live.twitch.tv/app',
        stream_key: 'live_twitch',
        backup_url: null,
        rendition: '720p',
      },
    ]);
    const cleared = await api.call('POST', `/streams/${stream.id}`, { json: { destinations: null } });
    expect(cleared.body.destinations).toEqual([]);
  });

  it('answers 409 to a change while RUNNING, saying MediaLive changes outputs of idle channels only', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'RUNNING', started: true }));
    const answer = await api.call('POST', `/streams/${stream.id}`, { json: { destinations: [youtube] } });
    expect(answer.statusCode).toBe(409);
    expect(answer.body.error.status).toBe('RUNNING');
    expect(answer.body.error.message).toMatch(
      /only while the stream is IDLE: MediaLive changes the outputs of idle channels only/,
    );
  });

  it('refuses a new destination sent without its key', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}`, {
      json: { destinations: [{ ...youtube, stream_key: null }] },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'destinations[0].stream_key', reason: 'is required for a new destination' },
    ]);
  });
});
