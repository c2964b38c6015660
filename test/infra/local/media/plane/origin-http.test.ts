import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HlsSegmentIndex } from '../../../../../infra/local/media/plane/hls-segment-index.js';
import { originRequestHandler } from '../../../../../infra/local/media/plane/origin-http.js';
import { FakeControlPlane } from './channel-builder.js';

const HASH = 'aaaabbbbccccdddd';
const NO_STARTOVER_HASH = 'eeeeffff00001111';
const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);
let dir: string;
const servers: http.Server[] = [];
let origin: string;
let cdn: string;
const view = new FakeControlPlane();

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'origin-http-'));
  const index = new HlsSegmentIndex(dir);
  index.setLadder(
    [
      { name: 'low', bandwidth: 864_000, width: 640, height: 360 },
      { name: 'high', bandwidth: 8_128_000, width: 1920, height: 1080 },
    ],
    2,
  );
  for (const rendition of ['low', 'high']) {
    await mkdir(path.join(dir, rendition));
    // 50 segments of 2 s ending at NOW.
    for (let n = 0; n < 50; n += 1) {
      const file = `${rendition}/run_${n}.ts`;
      await writeFile(path.join(dir, file), `${rendition}-${n}`);
      index.add(rendition, { file, duration: 2, start: NOW - 100_000 + n * 2000, run: 'run' });
    }
  }
  view.packageChannels.push({
    id: 'pkg-1',
    endpoints: [
      {
        id: 'e1',
        url: `https://x/out/v1/${HASH}/index.m3u8`,
        startoverWindowSeconds: 3600,
        manifestName: 'index',
      },
      {
        id: 'e2',
        url: `https://x/out/v1/${NO_STARTOVER_HASH}/live.m3u8`,
        startoverWindowSeconds: 0,
        manifestName: 'live',
      },
    ],
  });
  const source = { view, segments: (id: string) => (id === 'pkg-1' ? index : undefined), now: () => NOW };
  origin = await serve(originRequestHandler(source));
  cdn = await serve(originRequestHandler(source, (hash) => view.cdnServes(hash)));
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('local MediaPackage origin over HTTP', () => {
  it('serves the master playlist as an HLS playlist, with CORS and no caching', async () => {
    const response = await fetch(`${origin}/out/v1/${HASH}/index.m3u8`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const text = await response.text();
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=864000,RESOLUTION=640x360\nindex_1.m3u8\n');
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=8128000,RESOLUTION=1920x1080\nindex_2.m3u8\n');
  });

  it('passes start and end from the master playlist on to the rendition playlists', async () => {
    const text = await (await fetch(`${origin}/out/v1/${HASH}/index.m3u8?start=1&end=2&m=9`)).text();
    expect(text).toContain('index_1.m3u8?start=1&end=2\n');
  });

  it('serves a sliding live window of the last 60 s by default', async () => {
    const text = await (await fetch(`${origin}/out/v1/${HASH}/index_2.m3u8`)).text();
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:20\n');
    expect(text.match(/#EXTINF/g)).toHaveLength(30);
    expect(text).not.toContain('#EXT-X-ENDLIST');
  });

  it('serves a closed VOD playlist for a past start/end window', async () => {
    const start = (NOW - 100_000) / 1000;
    const text = await (
      await fetch(`${origin}/out/v1/${HASH}/index_1.m3u8?start=${start}&end=${start + 6}`)
    ).text();
    expect(text.match(/index_1_\d+\.ts/g)).toEqual(['index_1_0.ts', 'index_1_1.ts', 'index_1_2.ts']);
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text).toContain('#EXT-X-ENDLIST');
  });

  it('answers 400 for an unreadable start time', async () => {
    expect((await fetch(`${origin}/out/v1/${HASH}/index_1.m3u8?start=noon`)).status).toBe(400);
  });

  it('ignores start and end on an endpoint whose startover window is 0', async () => {
    const text = await (
      await fetch(`${origin}/out/v1/${NO_STARTOVER_HASH}/live_1.m3u8?start=1&end=2`)
    ).text();
    expect(text.match(/#EXTINF/g)).toHaveLength(30);
    expect(text).not.toContain('#EXT-X-ENDLIST');
  });

  it('serves a segment as video/mp2t with its bytes', async () => {
    const response = await fetch(`${origin}/out/v1/${HASH}/index_2_49.ts`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp2t');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toBe('high-49');
  });

  it('answers HEAD with the headers only', async () => {
    const response = await fetch(`${origin}/out/v1/${HASH}/index_2_49.ts`, { method: 'HEAD' });
    expect(response.headers.get('content-length')).toBe('7');
    expect(await response.text()).toBe('');
  });

  it.each([
    ['an unknown endpoint', `/out/v1/ffffffffffffffff/index.m3u8`],
    ['a manifest name the endpoint does not have', `/out/v1/${HASH}/other.m3u8`],
    ['a rendition past the ladder', `/out/v1/${HASH}/index_3.m3u8`],
    ['a segment number never written', `/out/v1/${HASH}/index_1_999.ts`],
    ['a path outside /out/v1', `/etc/passwd`],
    ['a traversal attempt', `/out/v1/${HASH}/..%2F..%2Fsegments.json`],
  ])('answers 404 for %s', async (_, urlPath) => {
    expect((await fetch(`${origin}${urlPath}`)).status).toBe(404);
  });

  it('answers 400, not 500, to a request target no URL can hold, on the origin and the CDN', async () => {
    for (const base of [origin, cdn]) {
      const { port } = new URL(base);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '//', method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject).end();
      });
      expect(status, base).toBe(400);
    }
    expect((await fetch(`${origin}/out/v1/${HASH}/index.m3u8`)).status).toBe(200);
  });

  it('answers CORS preflights and refuses writes', async () => {
    const preflight = await fetch(`${origin}/out/v1/${HASH}/index.m3u8`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect((await fetch(`${origin}/out/v1/${HASH}/index.m3u8`, { method: 'POST' })).status).toBe(405);
  });

  it('has the CDN listener answer 404 until the distribution serves the endpoint, then the same content', async () => {
    expect((await fetch(`${cdn}/out/v1/${HASH}/index.m3u8`)).status).toBe(404);
    view.cdnHashes.add(HASH);
    const response = await fetch(`${cdn}/out/v1/${HASH}/index_1_3.ts`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('low-3');
    expect((await fetch(`${cdn}/out/v1/${NO_STARTOVER_HASH}/live.m3u8`)).status).toBe(404);
  });
});
