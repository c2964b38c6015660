/**
 * The web console in local mode, served from the API's own port through the local API server's
 * `extra` hook: the built console at `/` (plus `/assets/*`, `/favicon.svg`), its runtime settings at
 * `/console-config.json`, and the archive read-only at `/archive/<key>` so clips play from the API's
 * host (the console never talks to the local S3 port). Everything else falls through to the API.
 *
 * `/archive/` asks for the same bearer token as the API: the archive holds every recording, and the
 * console sends the token with each clip request (hls.js `xhrSetup`). On AWS there is no such route:
 * clips are played from the archive bucket through whatever the deployment puts in front of it
 * (CloudFront with origin access control, or presigned URLs), named by the console's `clipBaseUrl`.
 */
import { timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';

/** Where `npm run build:console` writes the console. */
export const CONSOLE_BUILD_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/console',
);

/** What the console reads at start-up; the static build falls back to same-origin defaults. */
export interface ConsoleRuntimeConfig {
  /** Base URL of the API; '' = the console's own origin. */
  apiBaseUrl: string;
  auth: 'token';
  /** Clips play from `<clipBaseUrl><clip key>`; null = the deployment serves no clip URL. */
  clipBaseUrl: string | null;
  /** Send the API token with clip requests (the local `/archive/` route checks it). */
  clipAuth: 'api-token' | 'none';
  mode: 'local' | 'aws';
}

export interface ConsoleRoutesOptions {
  /** The API token; `/archive/` checks it like the API does. */
  token: string;
  /** Local S3 endpoint and the archive bucket behind `/archive/`. */
  s3Endpoint: string;
  archiveBucket: string;
  region?: string;
  /** The local key pair the local S3 requires. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Origins the console may load stream media from (the local HLS origin and CDN), for the CSP. */
  mediaOrigins: string[];
  /** @default CONSOLE_BUILD_DIR */
  root?: string;
}

export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
};

const GENERIC_TYPES = new Set(['binary/octet-stream', 'application/octet-stream']);

/** Archive keys MediaLive and the split write: no `..`, no empty segments, printable characters only. */
const SAFE_KEY = /^(?!.*(?:^|\/)\.\.?(?:\/|$))(?!.*\/\/)[A-Za-z0-9!_.*'()\-/]{1,1024}$/;

/** The whole local stack, as the local app has it; only what the console routes need. */
export interface ConsoleStackView {
  endpoints: { s3: string; hls: string; cdn: string };
  archiveBucket: string;
  region?: string;
  credentials: ConsoleRoutesOptions['credentials'];
}

/** The `extra` hook of the local API server for a running local stack. */
export function consoleRoutes(stack: ConsoleStackView, token: string): ExtraRoute {
  return createConsoleRoutes({
    token,
    s3Endpoint: stack.endpoints.s3,
    archiveBucket: stack.archiveBucket,
    credentials: stack.credentials,
    ...(stack.region ? { region: stack.region } : {}),
    mediaOrigins: [stack.endpoints.hls, stack.endpoints.cdn],
  });
}

export function createConsoleRoutes(options: ConsoleRoutesOptions): ExtraRoute {
  const root = path.resolve(options.root ?? CONSOLE_BUILD_DIR);
  const s3 = new S3Client({
    endpoint: options.s3Endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    // The local S3 accepts only local mode's key pair, never real ones.
    credentials: options.credentials,
  });
  const config: ConsoleRuntimeConfig = {
    apiBaseUrl: '',
    auth: 'token',
    clipBaseUrl: '/archive/',
    clipAuth: 'api-token',
    mode: 'local',
  };
  const csp = contentSecurityPolicy(options.mediaOrigins);

  return async (req, res, url) => {
    const route = url.pathname;
    const isConsole =
      route === '/' ||
      route === '/index.html' ||
      route === '/favicon.svg' ||
      route === '/console-config.json' ||
      route.startsWith('/assets/');
    const isArchive = route.startsWith('/archive/');
    if (!isConsole && !isArchive) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(
        res,
        405,
        { error: { code: 'MethodNotAllowed', message: `${req.method} is not allowed on ${route}` } },
        {
          allow: 'GET, HEAD',
        },
      );
      return true;
    }
    if (isArchive) {
      await serveArchive(req, res, route.slice('/archive/'.length));
      return true;
    }
    if (route === '/console-config.json') {
      sendJson(res, 200, config);
      return true;
    }
    await serveStatic(req, res, route === '/' ? '/index.html' : route);
    return true;
  };

  async function serveStatic(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const file = path.resolve(root, `.${decodeURIComponent(route)}`);
    if (!file.startsWith(`${root}${path.sep}`)) {
      sendJson(res, 404, { error: { code: 'NotFound', message: 'no such file' } });
      return;
    }
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      if (route === '/index.html') return notBuilt(res);
      sendJson(res, 404, { error: { code: 'NotFound', message: 'no such file' } });
      return;
    }
    const hashed = route.startsWith('/assets/');
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      // Vite names assets by content hash: they never change; index.html must be re-read each time.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...securityHeaders(csp),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  function notBuilt(res: ServerResponse): void {
    res.writeHead(503, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...securityHeaders(csp),
    });
    res.end(
      '<!doctype html><html lang="en"><meta charset="utf-8"><title>Console not built</title>' +
        '<p>The web console is not built. Run <code>npm run build:console</code> (or <code>npm run build</code>) and reload.</p></html>',
    );
  }

  async function serveArchive(req: IncomingMessage, res: ServerResponse, rawKey: string): Promise<void> {
    if (!authorized(req.headers.authorization, options.token)) {
      sendJson(
        res,
        401,
        { error: { code: 'Unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' } },
        {
          'www-authenticate': 'Bearer',
        },
      );
      return;
    }
    let key: string;
    try {
      key = decodeURIComponent(rawKey);
    } catch {
      key = '';
    }
    if (!SAFE_KEY.test(key)) {
      sendJson(res, 400, { error: { code: 'InvalidRequest', message: 'not an archive key' } });
      return;
    }
    const range = req.headers.range;
    try {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: options.archiveBucket, Key: key, ...(range ? { Range: range } : {}) }),
      );
      const headers: Record<string, string> = {
        // Archive files are uploaded without a type (S3 then says octet-stream): name it by extension.
        'content-type':
          object.ContentType && !GENERIC_TYPES.has(object.ContentType)
            ? object.ContentType
            : (TYPES[path.extname(key)] ?? 'application/octet-stream'),
        // Clip playlists are written once; a later split writes new keys, never over old ones.
        'cache-control': 'private, max-age=60',
        'x-content-type-options': 'nosniff',
        'accept-ranges': 'bytes',
      };
      if (object.ContentLength !== undefined) headers['content-length'] = String(object.ContentLength);
      if (object.ContentRange) headers['content-range'] = object.ContentRange;
      if (object.ETag) headers.etag = object.ETag;
      res.writeHead(object.ContentRange ? 206 : 200, headers);
      const body = object.Body as Readable | undefined;
      if (req.method === 'HEAD' || !body) {
        body?.destroy();
        res.end();
        return;
      }
      body.on('error', () => res.destroy());
      body.pipe(res);
    } catch (error) {
      if (
        error instanceof NoSuchKey ||
        (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)
      ) {
        sendJson(res, 404, { error: { code: 'NotFound', message: `no archive object ${key}` } });
        return;
      }
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 416) {
        sendJson(res, 416, { error: { code: 'RangeNotSatisfiable', message: 'range not satisfiable' } });
        return;
      }
      sendJson(res, 502, {
        error: { code: 'ArchiveUnavailable', message: 'the local archive (S3) did not answer; retry' },
      });
    }
  }
}

/**
 * Only the console's own scripts; API calls to its own origin; media from the stream endpoints.
 * hls.js feeds MediaSource through `blob:` URLs and runs its transmuxer in a `blob:` worker.
 */
export function contentSecurityPolicy(mediaOrigins: string[]): string {
  const media = [...new Set(mediaOrigins.map((o) => new URL(o).origin))].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${media}`.trim(),
    `media-src 'self' blob: ${media}`.trim(),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

function authorized(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
