/**
 * The web console in local mode, served from the API's own port: the built console at `/` (plus
 * `/assets/*`, `/favicon.svg`), its runtime settings at `/console-config.json`, and the archive
 * read-only at `/archive/<key>` so clips play from the API's host (the console never talks to the
 * local S3 port). Everything else falls through to the API.
 *
 * `/archive/` asks for the same bearer token as the API: the archive holds every recording, and the
 * console sends the token with each clip request (hls.js `xhrSetup`). On AWS there is no such route:
 * clips are played from the archive bucket through whatever the deployment puts in front of it,
 * named by the console's `clipBaseUrl`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';

/** Where `npm run build:console` writes the console. */
const CONSOLE_BUILD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/console');

export interface ConsoleRoutesOptions {
  /** The API token; `/archive/` checks it like the API does. */
  token: string;
  /** Local S3 endpoint, its key pair and the archive bucket behind `/archive/`. */
  s3Endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  archiveBucket: string;
  region?: string;
  /** Origins the console may load stream media from (the local HLS origin and CDN), for the CSP. */
  mediaOrigins: string[];
  /** @default the console's build directory */
  root?: string;
}

export type ConsoleRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

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

/** Archive keys MediaLive and the split write: no `..`, no empty segments, printable characters only. */
const SAFE_KEY = /^(?!.*(?:^|\/)\.\.?(?:\/|$))(?!.*\/\/)[A-Za-z0-9!_.*'()\-/]{1,1024}$/;
const NOT_BUILT =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Console not built</title><p>The web console ' +
  'is not built. Run <code>npm run build:console</code> (or <code>npm run build</code>) and reload.</p></html>';

/**
 * `Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110 section 11.1,
 * "auth-scheme"), and one or more spaces separate it from the token. The token is compared in
 * constant time, through digests of equal length so that not even its length shows.
 */
export function authorized(header: string | undefined, token: string): boolean {
  const given = /^bearer +(\S+)$/i.exec(header ?? '')?.[1];
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const same = timingSafeEqual(digest(given ?? ''), digest(token));
  return given !== undefined && token !== '' && same;
}

export function createConsoleRoutes(options: ConsoleRoutesOptions): ConsoleRoute {
  const root = path.resolve(options.root ?? CONSOLE_BUILD_DIR);
  const s3 = new S3Client({
    endpoint: options.s3Endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    // The local S3 accepts only local mode's key pair, never real ones.
    credentials: options.credentials,
  });
  const config = {
    apiBaseUrl: '',
    auth: 'token',
    clipBaseUrl: '/archive/',
    clipAuth: 'api-token',
    mode: 'local',
  };
  const secure = {
    'content-security-policy': contentSecurityPolicy(options.mediaOrigins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };

  const serveStatic = async (req: IncomingMessage, res: ServerResponse, route: string) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(route);
    } catch {
      // A malformed percent-escape names no file: a client error, never a crash or a 500.
      return sendJson(res, 400, 'InvalidRequest', 'malformed percent-escape in the path');
    }
    const file = path.resolve(root, `.${decoded}`);
    const info = file.startsWith(`${root}${path.sep}`) ? await stat(file).catch(() => undefined) : undefined;
    if (!info?.isFile()) {
      if (route !== '/index.html') return sendJson(res, 404, 'NotFound', 'no such file');
      res.writeHead(503, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        ...secure,
      });
      return void res.end(NOT_BUILT);
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      // Vite names assets by content hash: they never change; index.html must be re-read each time.
      'cache-control': route.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...secure,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  const serveArchive = async (req: IncomingMessage, res: ServerResponse, rawKey: string) => {
    if (!authorized(req.headers.authorization, options.token)) {
      return sendJson(res, 401, 'Unauthorized', 'send Authorization: Bearer <API_TOKEN>', {
        'www-authenticate': 'Bearer',
      });
    }
    let key = '';
    try {
      key = decodeURIComponent(rawKey);
    } catch {}
    if (!SAFE_KEY.test(key)) return sendJson(res, 400, 'InvalidRequest', 'not an archive key');
    const range = req.headers.range;
    try {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: options.archiveBucket, Key: key, Range: range }),
      );
      // Archive files are uploaded without a type (S3 then says octet-stream): name it by extension.
      const typed = object.ContentType && !/^(binary|application)\/octet-stream$/.test(object.ContentType);
      res.writeHead(object.ContentRange ? 206 : 200, {
        'content-type': typed ? object.ContentType : (TYPES[path.extname(key)] ?? 'application/octet-stream'),
        // Clip playlists are written once; a later split writes new keys, never over old ones.
        'cache-control': 'private, max-age=60',
        'x-content-type-options': 'nosniff',
        'accept-ranges': 'bytes',
        ...(object.ContentLength !== undefined && { 'content-length': String(object.ContentLength) }),
        ...(object.ContentRange && { 'content-range': object.ContentRange }),
        ...(object.ETag && { etag: object.ETag }),
      });
      const body = object.Body as Readable | undefined;
      if (req.method === 'HEAD' || !body) {
        body?.destroy();
        return void res.end();
      }
      body.on('error', () => res.destroy());
      body.pipe(res);
    } catch (error) {
      const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
      if (status === 404) return sendJson(res, 404, 'NotFound', `no archive object ${key}`);
      if (status === 416) return sendJson(res, 416, 'RangeNotSatisfiable', 'range not satisfiable');
      sendJson(res, 502, 'ArchiveUnavailable', 'the local archive (S3) did not answer; retry');
    }
  };

  return async (req, res, url) => {
    const route = url.pathname;
    const archive = route.startsWith('/archive/');
    const asset =
      ['/', '/index.html', '/favicon.svg', '/console-config.json'].includes(route) ||
      route.startsWith('/assets/');
    if (!archive && !asset) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, 'MethodNotAllowed', `${req.method} is not allowed on ${route}`, {
        allow: 'GET, HEAD',
      });
    } else if (archive) {
      await serveArchive(req, res, route.slice('/archive/'.length));
    } else if (route === '/console-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(config));
    } else {
      await serveStatic(req, res, route === '/' ? '/index.html' : route);
    }
    return true;
  };
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
    "img-src 'self' data: blob:",
    `connect-src 'self' ${media}`.trim(),
    `media-src 'self' blob: ${media}`.trim(),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function sendJson(res: ServerResponse, status: number, code: string, message: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}
