/** The local console routes: the built console at `/` and its runtime config. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createConsoleRoutes } from '../../infra/local/console-server.js';

const MEDIA = ['http://127.0.0.1:8080', 'http://127.0.0.1:8081/'];

const servers: Server[] = [];

/** The console routes in front of a stand-in API that answers 418. */
async function serve(root: string): Promise<string> {
  const routes = createConsoleRoutes({ mediaOrigins: MEDIA, root });
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

beforeAll(async () => {
  base = await serve(builtConsole());
});

afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
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

  it('answers the runtime config: the API on the same origin, with the API token', async () => {
    const res = await fetch(`${base}/console-config.json`);
    expect(await res.json()).toEqual({ apiBaseUrl: '', auth: 'token', mode: 'local' });
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

  it('refuses to write: the console is read-only', async () => {
    for (const route of ['/', '/assets/index-abc.js', '/console-config.json']) {
      const res = await fetch(`${base}${route}`, { method: 'PUT', body: 'x' });
      expect(res.status, route).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
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
