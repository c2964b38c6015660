/** The local console routes: the built console at `/`, and the archive read-only at `/archive/`. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCredentials } from '../../infra/local/aws-server/credentials.js';
import type { Served } from '../../infra/local/aws-server/server.js';
import { serveS3rver } from '../../infra/local/aws-server/stores.js';
import { contentSecurityPolicy, createConsoleRoutes } from '../../infra/local/console-server.js';

const TOKEN = 'console-test-token';
const BUCKET = 'live-archive';
const MEDIA = ['http://127.0.0.1:8080', 'http://127.0.0.1:8081/'];

const credentials = newCredentials();
let s3rver: Served;
let s3Url: string;
const servers: Server[] = [];

/** The console routes in front of a stand-in API that answers 418. */
async function serve(root: string): Promise<string> {
  const routes = createConsoleRoutes({
    token: TOKEN,
    s3Endpoint: s3Url,
    archiveBucket: BUCKET,
    credentials,
    mediaOrigins: MEDIA,
    root,
  });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await routes(req, res, url)) return;
    res.writeHead(418, { 'content-type': 'text/plain' });
    res.end('api');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function builtConsole(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'console-build-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(root, 'assets/index-abc.js'), 'console.log(1)');
  return root;
}

let base: string;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-s3-'));
  s3rver = await serveS3rver({ port: 0, credentials, directory: dir, buckets: [BUCKET] });
  s3Url = s3rver.url;
  const s3 = new S3Client({
    endpoint: s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    credentials,
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: '2026/11/23/ABC-1/index_clip_0.m3u8',
      Body: '#EXTM3U\n#EXT-X-ENDLIST\n',
      ContentType: 'application/vnd.apple.mpegurl',
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: '2026/11/23/ABC-1/_1/archive_1080p.000000.ts',
      Body: Buffer.alloc(1000, 7),
    }),
  );
  s3.destroy();
  base = await serve(builtConsole());
}, 30_000);

afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  await s3rver?.close();
});

describe('console routes', () => {
  it('serves the built console at / with a content security policy naming the media origins', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<title>console</title>');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:8080 http://127.0.0.1:8081");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves hashed assets as immutable', async () => {
    const res = await fetch(`${base}/assets/index-abc.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('answers the runtime config that points clips at /archive/ with the API token', async () => {
    const res = await fetch(`${base}/console-config.json`);
    expect(await res.json()).toEqual({
      apiBaseUrl: '',
      auth: 'token',
      clipBaseUrl: '/archive/',
      clipAuth: 'api-token',
      mode: 'local',
    });
  });

  it('leaves every other path to the API', async () => {
    for (const route of ['/streams', '/openapi.json', '/streams/ABC/split', '/archive']) {
      const res = await fetch(`${base}${route}`);
      expect(res.status, route).toBe(418);
    }
  });

  it('never serves a file outside the build, even with encoded slashes', async () => {
    // fetch and URL resolve `..` and `%2e%2e` themselves; an encoded slash survives them.
    const res = await fetch(`${base}/assets/..%2f..%2f..%2f..%2fetc%2fpasswd`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('root:');
  });

  it('answers 400, not 500, to a malformed percent-escape in a static path', async () => {
    for (const route of ['/assets/%E0%A4%A', '/assets/%', '/assets/%zz.js']) {
      const res = await fetch(`${base}${route}`);
      expect(res.status, route).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('InvalidRequest');
    }
  });

  it('answers 503 with how to build when the console is not built', async () => {
    const empty = await serve(mkdtempSync(path.join(tmpdir(), 'console-empty-')));
    const res = await fetch(`${empty}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:console');
  });

  it('refuses to write: the console and the archive are read-only', async () => {
    for (const route of ['/', '/archive/2026/11/23/ABC-1/index_clip_0.m3u8']) {
      const res = await fetch(`${base}${route}`, { method: 'PUT', headers: auth, body: 'x' });
      expect(res.status, route).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('asks for the API token before serving the archive', async () => {
    const none = await fetch(`${base}/archive/2026/11/23/ABC-1/index_clip_0.m3u8`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('Unauthorized');
    const wrong = await fetch(`${base}/archive/2026/11/23/ABC-1/index_clip_0.m3u8`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it('serves a clip playlist and its segments from the local S3 archive', async () => {
    const playlist = await fetch(`${base}/archive/2026/11/23/ABC-1/index_clip_0.m3u8`, { headers: auth });
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await playlist.text()).toBe('#EXTM3U\n#EXT-X-ENDLIST\n');
    const segment = await fetch(`${base}/archive/2026/11/23/ABC-1/_1/archive_1080p.000000.ts`, {
      headers: auth,
    });
    expect(segment.status).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/mp2t');
    expect((await segment.arrayBuffer()).byteLength).toBe(1000);
  });

  it('passes byte ranges through', async () => {
    const res = await fetch(`${base}/archive/2026/11/23/ABC-1/_1/archive_1080p.000000.ts`, {
      headers: { ...auth, range: 'bytes=0-99' },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 0-99/1000');
    expect((await res.arrayBuffer()).byteLength).toBe(100);
  });

  it('answers 404 for a key the archive does not hold', async () => {
    const res = await fetch(`${base}/archive/2026/11/23/ABC-1/index_nope_0.m3u8`, { headers: auth });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NotFound');
  });

  it('refuses keys with dot segments or odd characters', async () => {
    for (const key of ['2026/..%2fsecret.ts', '..%2f..%2fx.ts', 'a//b.ts', 'a/%00.ts', 'a/b%20c.ts']) {
      const res = await fetch(`${base}/archive/${key}`, { headers: auth });
      expect(res.status, key).toBe(400);
    }
  });
});

describe('contentSecurityPolicy', () => {
  it('lets media load from blob: URLs (Media Source) and the stream origins only', () => {
    const csp = contentSecurityPolicy(['http://127.0.0.1:9000/out/v1/x/index.m3u8']);
    expect(csp).toContain("media-src 'self' blob: http://127.0.0.1:9000");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("default-src 'self'");
  });
});
